"""Field events: each with an operation, agency, jurisdiction, time and the people concerned."""

from __future__ import annotations

from django.db import models

from beacon.agencies.models import Agency, Jurisdiction
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

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency", "role", "warrants_served", "nibrs"],
                name="arrest_report",
            ),
            # The people arrested (NIBRS summary): counted distinct in index order.
            models.Index(fields=["operation", "person"], name="arrest_people"),
        ]


class Victim(FieldEvent):
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


class Service(FieldEvent):
    """A service offered or provided to a person (target or victim) by ``agency``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="services")
    kind = models.CharField(max_length=10, choices=codes.ServiceKind.choices)
    status = models.CharField(
        max_length=10, choices=codes.ServiceStatus.choices, default=codes.ServiceStatus.PROVIDED
    )

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency", "kind"], name="service_report"
            )
        ]


class Referral(FieldEvent):
    """A victim referred by ``agency`` to ``to_agency`` (often an NGO)."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="referrals")
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField(
        max_length=10, choices=codes.ReferralStatus.choices, default=codes.ReferralStatus.OFFERED
    )

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

    class Meta(FieldEvent.Meta):
        indexes = [
            models.Index(
                fields=["operation", "jurisdiction", "agency", "type"], name="investigation_report"
            )
        ]

    @property
    def lead_agency(self) -> Agency:
        return self.agency
