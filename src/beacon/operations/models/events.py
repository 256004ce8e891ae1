"""Field events: each with an operation, agency, jurisdiction, time and the people concerned.

Who sees them is said here too: an event is visible with its operation
(``VisibleThrough("operation")``), except victims, referrals and services, which also
reach the agency a victim was referred to, and only the fields a caseworker may read
(``CASEWORKER_VICTIM_FIELDS``, applied in the query: the other fields are never loaded).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch, Q

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.access.scoping import ScopedQuerySet, ShownFields, VisibleThrough
from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.operations import codes
from beacon.operations.models.operations import Operation
from beacon.operations.models.people import Person
from beacon.operations.refs import new_ref


class FieldEvent(models.Model):
    """Each kind's ``<kind>_report`` index holds the operation, place and agency first, then
    every column a report's grouped count of that kind reads (reports.facts): the count is
    read from the index alone, in group order, never from the table's rows."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="%(class)s_events"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    people = models.ManyToManyField(Person, blank=True, related_name="%(class)s_events")
    notes = models.TextField(blank=True)
    ref = models.CharField(max_length=40, default=new_ref)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "ref"], name="%(class)s_unique_ref")
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__.lower()} {self.ref} at {self.at:%Y-%m-%d}"


class Arrest(FieldEvent):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="arrests")
    role = models.CharField(max_length=20, choices=codes.ArrestRole.choices)
    charges = models.TextField(blank=True)
    nibrs = models.CharField(max_length=3, choices=codes.Nibrs.choices, blank=True)
    warrants_served = models.PositiveSmallIntegerField(default=0)
    prior_registered_offender = models.BooleanField(default=False)

    objects = VisibleThrough["Arrest"]("operation")

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency", "role", "warrants_served", "nibrs"],
                name="arrest_report",
            ),
            # The people arrested (NIBRS summary): counted distinct in index order.
            models.Index(fields=["operation", "person"], name="arrest_people"),
        ]


# What a caseworker (child welfare or NGO) may read of a victim referred to them: enough
# to serve the person; no notes (arrest and investigation detail), no other people, not
# the operation or the agency that identified them.
CASEWORKER_VICTIM_FIELDS = frozenset(
    {
        "id",
        "ref",
        "at",
        "person",
        "age_min",
        "age_max",
        "age_group",
        "sex",
        "nationality",
        "self_identification",
        "consent",
        "jurisdiction",
    }
)


def victim_fields_visible_to(actor: Actor) -> frozenset[str] | None:
    """The victim fields the actor may read: None means every field (operation agencies),
    otherwise the caseworker allow-list (empty: none)."""
    if actor.is_system or policy.has(actor, Permission.VICTIMS_VIEW):
        return None
    if policy.has(actor, Permission.REFERRALS_VIEW):
        return CASEWORKER_VICTIM_FIELDS
    return frozenset()


class VictimQuerySet(ScopedQuerySet["Victim"]):
    def visible_to(self, actor: Actor) -> VictimQuerySet:
        """Victims visible to the agencies of their operation (all fields) and to the
        agencies they were referred to (the caseworker's fields only)."""
        if actor.is_system:
            return self
        fields = victim_fields_visible_to(actor)
        if fields == frozenset():
            return self.none()
        visible = Q(pk__in=[])
        if policy.has(actor, Permission.VICTIMS_VIEW):
            visible |= Q(operation__in=Operation.objects.visible_to(actor))
        if policy.has(actor, Permission.REFERRALS_VIEW):
            referred = Referral.objects.filter(to_agency_id=actor.agency_id).values("victim_id")
            visible |= Q(pk__in=referred)
        found = self.filter(visible)
        return found if fields is None else found.showing(fields)

    def served_by(self, actor: Actor) -> VictimQuerySet:
        """Victims the actor's agency may record services for: those referred to it whose
        referral it accepted (a caseworker with services:record). Not a pending or
        declined referral, not a victim referred elsewhere."""
        if not (actor.is_system or policy.has(actor, Permission.SERVICES_RECORD)):
            return self.none()
        accepted = Referral.objects.filter(
            to_agency_id=actor.agency_id, status=codes.ReferralStatus.ACCEPTED
        ).values("victim_id")
        return self.visible_to(actor).filter(pk__in=accepted)


class Victim(ShownFields, FieldEvent):
    """A victim identified or rescued. Age is exact (min = max) or a range."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="victim_roles")
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    age_group = models.CharField(max_length=8, choices=codes.AgeGroup.choices)
    sex = models.CharField(max_length=1, choices=codes.Sex.choices, default=codes.Sex.UNKNOWN)
    nationality = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    self_identification = models.CharField(
        max_length=12,
        choices=codes.SelfIdentification.choices,
        default=codes.SelfIdentification.NOT_STATED,
    )
    consent = models.CharField(
        max_length=10, choices=codes.Consent.choices, default=codes.Consent.NOT_ASKED
    )
    form = models.CharField(max_length=24, blank=True)  # UNODC form of exploitation

    objects = VictimQuerySet.as_manager()

    class Meta(FieldEvent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["operation", "ref"], name="victim_unique_ref"),
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="victim_age_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency", "age_group", "age_min", "age_max"],
                name="victim_report",
            )
        ]


class SearchWarrant(FieldEvent):
    place = models.CharField(max_length=200, blank=True)

    objects = VisibleThrough["SearchWarrant"]("operation")

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency"], name="searchwarrant_report"
            )
        ]


class Raid(FieldEvent):
    """A raid or site visit (residence, massage parlour, hotel, online contact)."""

    kind = models.CharField(max_length=16, choices=codes.RaidKind.choices)
    place = models.CharField(max_length=200, blank=True)

    objects = VisibleThrough["Raid"]("operation")

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(fields=["operation", "jurisdiction", "agency", "kind"], name="raid_report")
        ]


class Seizure(FieldEvent):
    cash_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)  # ISO 4217
    devices = models.PositiveIntegerField(default=0)
    file_count = models.PositiveIntegerField(default=0)
    file_count_qualifier = models.CharField(
        max_length=10, choices=codes.Qualifier.choices, default=codes.Qualifier.EXACT
    )

    objects = VisibleThrough["Seizure"]("operation")

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=[
                    "operation",
                    "jurisdiction",
                    "agency",
                    "currency",
                    "cash_amount",
                    "devices",
                    "file_count",
                ],
                name="seizure_report",
            )
        ]


class ServiceQuerySet(ScopedQuerySet["Service"]):
    def visible_to(self, actor: Actor) -> ServiceQuerySet:
        """Service records: to the agencies of the operation, to the agency that provided
        the service, and to the agency a victim receiving it was referred to."""
        if actor.is_system:
            return self
        visible = Q(pk__in=[])
        if policy.has(actor, Permission.VICTIMS_VIEW):
            visible |= Q(operation__in=Operation.objects.visible_to(actor))
        if policy.has(actor, Permission.REFERRALS_VIEW):
            referred = Referral.objects.filter(to_agency_id=actor.agency_id).values(
                "victim__person_id"
            )
            visible |= Q(agency_id=actor.agency_id) | Q(person_id__in=referred)
        return self.filter(visible)


class Service(FieldEvent):
    """A service offered or provided to a person (target or victim) by ``agency``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="services")
    kind = models.CharField(max_length=10, choices=codes.ServiceKind.choices)
    status = models.CharField(
        max_length=10, choices=codes.ServiceStatus.choices, default=codes.ServiceStatus.PROVIDED
    )

    objects = ServiceQuerySet.as_manager()

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency", "kind"], name="service_report"
            )
        ]


class ReferralQuerySet(ScopedQuerySet["Referral"]):
    def visible_to(self, actor: Actor) -> ReferralQuerySet:
        """Referrals visible to the agency they were sent to and to the agencies of the
        victim's operation. A referral's victim comes with only the fields the actor may
        read of it (``referral.victim`` is loaded through ``Victim.objects.visible_to``)."""
        if actor.is_system:
            return self
        visible = Q(pk__in=[])
        if policy.has(actor, Permission.REFERRALS_VIEW):
            visible |= Q(to_agency_id=actor.agency_id)
        if policy.has(actor, Permission.VICTIMS_VIEW):
            visible |= Q(victim__operation__in=Operation.objects.visible_to(actor))
        found = self.filter(visible)
        if victim_fields_visible_to(actor) is None:
            return found
        return found.showing_related(Prefetch("victim", Victim.objects.visible_to(actor)))


class Referral(FieldEvent):
    """A victim referred by ``agency`` to ``to_agency`` (often an NGO)."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="referrals")
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField(
        max_length=10, choices=codes.ReferralStatus.choices, default=codes.ReferralStatus.OFFERED
    )

    objects = ReferralQuerySet.as_manager()

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency", "to_agency"], name="referral_report"
            )
        ]


class Investigation(FieldEvent):
    """An investigation opened; ``agency`` is its lead agency."""

    type = models.CharField(max_length=20, choices=codes.InvestigationType.choices)
    summary = models.CharField(max_length=300, blank=True)

    objects = VisibleThrough["Investigation"]("operation")

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency", "type"], name="investigation_report"
            )
        ]

    @property
    def lead_agency(self) -> Agency:
        return self.agency
