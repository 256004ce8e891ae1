"""What interchange keeps beside the registry and operations: partners' identifiers,
the PFIF facts a lead does not hold, and NIBRS offences with their clearance."""

from __future__ import annotations

from django.db import models

from beacon.interchange import codes
from beacon.operations.models import Arrest, Investigation, Lead, Operation
from beacon.operations.refs import new_ref
from beacon.records.models import MissingPersonRecord


class ExternalId(models.Model):
    """An identifier another system gives a record (PFIF ``domain/local-id``, a state NIC)."""

    record = models.ForeignKey(
        MissingPersonRecord, on_delete=models.CASCADE, related_name="external_ids"
    )
    scheme = models.CharField(max_length=16)  # pfif | ncic | htcds
    value = models.CharField(max_length=500)
    source = models.CharField(max_length=200, blank=True)  # file name or partner
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="external_id_scheme_value")
        ]
        indexes = [models.Index(fields=["record", "scheme"], name="external_id_record")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class PfifNote(models.Model):
    """A lead that came from (or went out as) a PFIF note: its note id and status."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="pfif_note")
    note_record_id = models.CharField(max_length=500, unique=True)
    status = models.CharField(max_length=20, choices=codes.PfifStatus.choices, blank=True)
    author_made_contact = models.BooleanField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.note_record_id


class Offense(models.Model):
    """One NIBRS offence in an operation, and how it was cleared.

    Cleared by arrest: at least one arrest (a person taken into custody) is linked.
    Cleared exceptionally: a code A-E, and no arrest. Offences cleared and people
    arrested are different counts (one arrest can clear several offences, several
    arrests one offence).
    """

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(
        Investigation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ref = models.CharField(max_length=40, default=new_ref)
    code = models.CharField(max_length=3, choices=codes.NibrsOffense.choices)
    clearance = models.CharField(
        max_length=6, choices=codes.Clearance.choices, default=codes.Clearance.NOT_CLEARED
    )
    cleared_on = models.DateField(null=True, blank=True)
    arrests = models.ManyToManyField(Arrest, blank=True, related_name="+")

    class Meta:
        ordering = ["operation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "ref"], name="offense_unique_ref")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_clearance_display()})"
