"""Intake reconciliation: source lists, link runs, proposed clusters, reviewers' decisions.

A list's rows are kept, as imported and validated, in a Parquet file under
BEACON_DATA_DIR (``SourceList.data_file``, checked by SHA-256): a national list of a
million rows is loaded into DuckDB in one step instead of row by row. Everything a
reviewer sees or decides lives in the database.

Row keys: ``"<list id>:<line>"`` for a list row, ``"NIC:<nic>"`` for a registry record.

Who sees an intake is said here: ``Intake.objects.visible_to(actor)``, the intakes of the
actor's agency for roles with intake:manage; everything of an intake (lists, runs,
clusters, decisions, people) is visible with it (``VisibleThrough``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.access.scoping import ScopedQuerySet, VisibleThrough
from beacon.agencies.models import Agency
from beacon.core.actor import Actor


class IntakeQuerySet(ScopedQuerySet["Intake"]):
    def visible_to(self, actor: Actor) -> IntakeQuerySet:
        """Intakes (source lists, clusters, decisions) of the actor's agency, for roles
        with intake:manage. The system actor sees all."""
        intakes = self.select_related("agency")
        if actor.is_system:
            return intakes
        if not policy.has(actor, Permission.INTAKE_MANAGE):
            return intakes.none()
        return intakes.filter(agency_id=actor.agency_id)


class Intake(models.Model):
    """One operation's target-list intake: several lists, reconciled, then accepted."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")

    name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="intakes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    threshold = models.FloatField(default=0.5)  # match probability that proposes a link
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="intake_agency_name")
        ]

    def __str__(self) -> str:
        return self.name


class SourceMapping(models.Model):
    """The column mapping last used for a source (e.g. "NCMEC"), remembered per agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=100)
    mapping = models.JSONField()
    updated_by = models.CharField(max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "source"], name="sourcemapping_agency_source")
        ]

    def __str__(self) -> str:
        return self.source


class SourceList(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="lists")
    source = models.CharField(max_length=100)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)  # of the imported file
    rows = models.PositiveIntegerField()
    mapping = models.JSONField()
    data_file = models.CharField(max_length=300)  # relative to BEACON_DATA_DIR
    data_sha256 = models.CharField(max_length=64)
    # Bad cells emptied and rows left out at import, each {line, column, value, reason,
    # action} (the first QUARANTINE_KEPT); ``quarantined`` counts them all.
    quarantine = models.JSONField(default=list, blank=True)
    quarantined = models.PositiveIntegerField(default=0)
    imported_by = models.CharField(max_length=150)
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleThrough["SourceList"]("intake")

    def __str__(self) -> str:
        return f"{self.source} ({self.filename})"


class LinkModel(models.Model):
    """Trained Splink parameters (m, u, prior), independent of engine and SQL dialect."""

    params = models.JSONField()
    spec_version = models.PositiveIntegerField()
    records = models.PositiveIntegerField()  # records it was trained on
    labels = models.PositiveIntegerField(default=0)  # reviewer-confirmed pairs blended into m
    negative_labels = models.PositiveIntegerField(default=0)  # pairs split apart, blended into u
    engine = models.CharField(max_length=10)
    trained_by = models.CharField(max_length=150)
    trained_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"model {self.pk} ({self.trained_at:%Y-%m-%d %H:%M})"


class LinkRun(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="runs")
    model = models.ForeignKey(LinkModel, on_delete=models.PROTECT, related_name="runs")
    engine = models.CharField(max_length=10)
    threshold = models.FloatField()
    list_ids = models.JSONField()  # the lists this run linked
    records = models.PositiveIntegerField()
    registry_records = models.PositiveIntegerField()
    pairs = models.PositiveIntegerField()
    clusters = models.PositiveIntegerField()
    # Joins refused because a pair across the two groups scored below the threshold (or
    # was never compared): chains cut by the clustering guard.
    chains_cut = models.PositiveIntegerField(default=0)
    levels = models.JSONField()  # comparison -> gamma -> label, to explain pairs in words
    seconds = models.FloatField()
    run_by = models.CharField(max_length=150)
    run_at = models.DateTimeField(auto_now_add=True)
    # An incremental run (``link --new``) linked only the lists new since ``base`` against
    # the base run's cached linkage input; its untouched clusters are the base run's.
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the run's linkage input is cached for the next incremental run (paths relative
    # to DATA_DIR): normalised rows, raw rows, cluster numbers, term-frequency counts.
    cache = models.JSONField(default=dict, blank=True)

    objects = VisibleThrough["LinkRun"]("intake")

    def __str__(self) -> str:
        return f"run {self.pk} of {self.intake_id}"


class Cluster(models.Model):
    """A group of rows (and registry records) proposed, or decided, to be one person."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        SPLIT = "split", _("Split")
        MERGED = "merged", _("Merged")

    run = models.ForeignKey(LinkRun, on_delete=models.CASCADE, related_name="cluster_set")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    probability = models.FloatField()  # the weakest scored pair holding it together
    members = models.JSONField()  # [{key, source, list, line, names, dob, ids...}]
    pairs = models.JSONField()  # [{l, r, p, w, g: {comparison: gamma}, b: {comparison: weight}}]
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = VisibleThrough["Cluster"]("run")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="cluster_run_number")]
        indexes = [models.Index(fields=["run", "status", "probability"])]

    def __str__(self) -> str:
        return f"cluster {self.number} of run {self.run_id}"

    @property
    def keys(self) -> list[str]:
        return [str(m["key"]) for m in self.members]


class Decision(models.Model):
    class Action(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        SPLIT = "split", _("Split")
        MERGE = "merge", _("Merge")

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="decisions")
    cluster = models.ForeignKey(Cluster, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    groups = models.JSONField()  # the member keys of each resulting person
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleThrough["Decision"]("intake")

    def __str__(self) -> str:
        return f"{self.action} by {self.decided_by}"


class PairLabel(models.Model):
    """A reviewer's word on one pair: the same person or not. Latest decision wins."""

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="labels")
    left = models.CharField(max_length=40)
    right = models.CharField(max_length=40)
    same = models.BooleanField()
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="labels")
    labelled_at = models.DateTimeField(auto_now=True)

    objects = VisibleThrough["PairLabel"]("intake")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intake", "left", "right"], name="pairlabel_pair"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="pairlabel_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.left} {'=' if self.same else '!='} {self.right}"


class ResolvedPerson(models.Model):
    """One person of an accepted intake, with every source's identifiers and provenance."""

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="people")
    number = models.PositiveIntegerField()
    last_name = models.CharField(max_length=60, blank=True)
    first_name = models.CharField(max_length=60, blank=True)
    dob = models.DateField(null=True, blank=True)
    registry_nics = models.JSONField(default=list)  # registry records this person matches
    identities = models.JSONField()  # [{source, list, file, line, source_id, nic, oca, ...}]
    cluster = models.ForeignKey(Cluster, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = VisibleThrough["ResolvedPerson"]("intake")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intake", "number"], name="resolvedperson_number")
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"
