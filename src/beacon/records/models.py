"""The missing-person registry, modelled on the NCIC Missing Person File.

A record's status is derived from its immutable transaction history; the
``status`` column is a cache written only by beacon.records.services in the same
transaction as the history row that changes it.

Who sees which records is said here, next to them: ``MissingPersonRecord.objects
.visible_to(actor)`` (RecordQuerySet). A record is visible to its originating agency and,
as far as its TLP 2.0 marking allows, to the agencies of the operations that target it:

- CLEAR, GREEN, AMBER: the agencies of every operation targeting it (a hub coordinator
  also through the sub-operations of its hubs);
- AMBER+STRICT: only the agencies its targets are assigned to;
- RED: the originating agency only.

Roles without records:view (PIO, caseworkers, administrators) see none; the system actor
sees all. Operations sit a floor above the registry, so they tell it which records they
reach (``RecordQuerySet.reached_through``, called by ``OperationsConfig.ready``): the
registry never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

from django.db import models
from django.db.models import Q, QuerySet

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.access.scoping import ScopedQuerySet, VisibleThrough
from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.records import codes
from beacon.records.codes import Tlp

# TLP 2.0 markings that let a record travel to the agencies of operations targeting it.
SHARED_TLP = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER)
STRICT_TLP = Tlp.AMBER_STRICT  # only the agencies assigned to work it


class Reach(NamedTuple):
    """Records an actor reaches from a floor above, as subqueries of record ids."""

    shared: QuerySet[Any]  # targeted by operations the actor sees (CLEAR, GREEN, AMBER)
    assigned: QuerySet[Any]  # assigned to the actor's agency to work (also AMBER+STRICT)


class RecordQuerySet(ScopedQuerySet["MissingPersonRecord"]):
    reaches: ClassVar[list[Callable[[Actor], Reach]]] = []

    @classmethod
    def reached_through(cls, reach: Callable[[Actor], Reach]) -> None:
        """Let a floor above (operations) share records with the agencies it names."""
        if reach not in cls.reaches:
            cls.reaches.append(reach)

    def visible_to(self, actor: Actor) -> RecordQuerySet:
        if actor.is_system:
            return self
        if not policy.has(actor, Permission.RECORDS_VIEW):
            return self.none()
        visible = Q(originating_agency_id=actor.agency_id)
        for reach in self.reaches:
            found = reach(actor)
            visible |= Q(tlp__in=SHARED_TLP, pk__in=found.shared)
            visible |= Q(tlp__in=(*SHARED_TLP, STRICT_TLP), pk__in=found.assigned)
        return self.filter(visible)


class MissingPersonRecord(models.Model):
    nic = models.CharField("NIC", max_length=10, unique=True)
    category = models.CharField("MKE", max_length=3, choices=codes.Category.choices)
    last_name = models.CharField("NAM (last)", max_length=60)
    first_name = models.CharField("NAM (first)", max_length=60, blank=True)
    middle_name = models.CharField("NAM (middle)", max_length=60, blank=True)
    sex = models.CharField("SEX", max_length=1, choices=codes.Sex.choices)
    race = models.CharField(
        "RAC", max_length=1, choices=codes.Race.choices, default=codes.Race.UNKNOWN
    )
    dob = models.DateField("DOB", null=True, blank=True)
    height_in = models.PositiveSmallIntegerField("HGT (inches)", null=True, blank=True)
    weight_lb = models.PositiveSmallIntegerField("WGT (pounds)", null=True, blank=True)
    eyes = models.CharField(
        "EYE", max_length=3, choices=codes.Eyes.choices, default=codes.Eyes.UNKNOWN
    )
    hair = models.CharField(
        "HAI", max_length=3, choices=codes.Hair.choices, default=codes.Hair.UNKNOWN
    )
    smt = models.JSONField("SMT", default=list, blank=True)  # scars, marks, tattoos
    dlc = models.DateField("DLC")  # date of last contact
    place_last_seen = models.CharField(max_length=200, blank=True)
    # Indexed only where set (Meta.indexes): the PROTECT check when a jurisdiction is
    # deleted is its one query, and most records (every bulk-imported one without a
    # place) have none.
    jurisdiction_last_seen = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    circumstances = models.CharField(
        max_length=24, choices=codes.Circumstance.choices, default=codes.Circumstance.UNKNOWN
    )
    # The unique (originating_agency, oca) constraint serves lookups by agency; a separate
    # index on the agency alone was one more B-tree insert per imported record.
    originating_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    oca = models.CharField("OCA", max_length=20)
    ncmec_number = models.CharField("NCMEC case number", max_length=20, blank=True)
    notes = models.TextField(blank=True)
    tlp = models.CharField(max_length=12, choices=codes.Tlp.choices, default=codes.Tlp.AMBER)
    reported_at = models.DateTimeField(null=True, blank=True)  # when the report was received
    entered_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=codes.Status.choices, default=codes.Status.ACTIVE
    )
    version = models.PositiveIntegerField(default=1)
    # Deadlines (beacon.records.deadlines): cached, written with the transaction that moves them.
    entry_due_at = models.DateTimeField(null=True, blank=True)  # juvenile: report + 2 h
    validation_due_at = models.DateTimeField(null=True, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["originating_agency", "oca"], name="record_ori_oca"),
        ]
        indexes = [
            models.Index(fields=["dob"]),
            models.Index(fields=["status", "validation_due_at"], name="record_validation_due"),
            # Late juvenile entries (services.due_records): only records entered after their
            # entry deadline, so the index stays almost empty and costs an import nothing.
            # The condition compares two columns, no bound value: SQLite uses a partial
            # index only when the query's SQL holds its condition (docs/registry-performance.md).
            models.Index(
                fields=["status", "entry_due_at"],
                condition=models.Q(entry_due_at__lt=models.F("entered_at")),
                name="record_late_entry",
            ),
            models.Index(
                fields=["jurisdiction_last_seen"],
                condition=models.Q(jurisdiction_last_seen__isnull=False),
                name="record_jurisdiction_seen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nic} {self.last_name}, {self.first_name}"


def may_share_outside(actor: Actor, record: MissingPersonRecord) -> bool:
    """May ``actor`` send this record outside their own organisation (a partner export)?

    TLP 2.0 limits what a *recipient* may pass on: CLEAR to anyone; GREEN to peers and
    partner organisations of the community (never a public channel); AMBER only inside
    the recipient's organisation and its clients, so only the originating agency, the
    source, may send its own AMBER records out; AMBER+STRICT (the organisation only) and
    RED (named recipients only) never leave in a bulk export, even from the originator,
    who must first lower the marking (an audited modify). The system actor acts for no
    organisation: it may send only CLEAR and GREEN.
    """
    if record.tlp in (Tlp.CLEAR, Tlp.GREEN):
        return True
    if record.tlp == Tlp.AMBER:
        return not actor.is_system and record.originating_agency_id == actor.agency_id
    return False


class RecordName(models.Model):
    """Every name a record answers to (primary, aliases, nicknames) with phonetic keys.

    The search index: one row per name, keyed for phonetic lookup.
    """

    class Kind(models.TextChoices):
        PRIMARY = "primary"
        ALIAS = "alias"
        NICKNAME = "nickname"

    record = models.ForeignKey(MissingPersonRecord, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PRIMARY)
    last_name = models.CharField(max_length=60)
    first_name = models.CharField(max_length=60, blank=True)
    middle_name = models.CharField(max_length=60, blank=True)

    objects = VisibleThrough["RecordName"]("record")

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.kind})"


class RecordDob(models.Model):
    """Alias dates of birth (the primary DOB is on the record)."""

    record = models.ForeignKey(
        MissingPersonRecord, on_delete=models.CASCADE, related_name="alias_dobs"
    )
    dob = models.DateField()

    objects = VisibleThrough["RecordDob"]("record")

    class Meta:
        # The search reads the records born on a day through their alias DOBs too.
        indexes = [models.Index(fields=["dob"], name="records_recorddob_dob")]

    def __str__(self) -> str:
        return str(self.dob)


class RecordPhoto(models.Model):
    record = models.ForeignKey(MissingPersonRecord, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="photos/")
    caption = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleThrough["RecordPhoto"]("record")

    def __str__(self) -> str:
        return self.caption or str(self.file.name)


class RecordTransaction(models.Model):
    """One immutable step in a record's history: enter, modify, locate, clear, cancel."""

    # The unique (record, version) constraint serves lookups by record.
    record = models.ForeignKey(
        MissingPersonRecord, on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    kind = models.CharField(max_length=8, choices=codes.TransactionKind.choices)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    user_id = models.BigIntegerField(null=True, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    # locate: where, when, by whom, disposition; clear: how; modify: before/after.
    detail = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField()  # the record's version after this step

    objects = VisibleThrough["RecordTransaction"]("record")

    class Meta:
        ordering = ["record_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="transaction_record_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version} of record {self.record_id}"


class NameKey(models.Model):
    """The search index: one row per (blocking key, record), clustered on the key.

    ``key`` is a signed 64-bit hash of a key kind and value (see beacon.records.keys),
    e.g. NYSIIS(surname) + DOB, or NYSIIS(canonical given name) + DOB. The primary key
    (key, record) is the index a lookup reads; on SQLite the table is WITHOUT ROWID
    (migration 0004), so that index is the table itself. There is deliberately no index
    on ``record`` alone: a record's keys are recomputed from its names and DOBs to be
    replaced (beacon.records.indexing), and records are never deleted (history protects).
    """

    pk = models.CompositePrimaryKey("key", "record")
    key = models.BigIntegerField()
    # Derived rows written only with their record, in its transaction: no database-level
    # foreign key (it would cost a check per key row, six per record, on bulk imports).
    record = models.ForeignKey(
        MissingPersonRecord,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    objects = VisibleThrough["NameKey"]("record")

    def __str__(self) -> str:
        return f"{self.key} -> {self.record_id}"


class NameVariant(models.Model):
    """Name-variant table: a given name and the canonical name it is a form of.

    Bill -> William, Kate -> Katherine, Chuy -> Jesus. A canonical name also maps to
    itself. Shipped as data (beacon/records/data/name_variants.csv), loaded by a migration.
    """

    variant = models.CharField(max_length=40)
    canonical = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "canonical"], name="namevariant_pair")
        ]

    def __str__(self) -> str:
        return f"{self.variant} -> {self.canonical}"
