"""NIBRS incidents and their offences: an operation's offences cleared, beside its arrests.

They were kept by interchange (which still reads and writes the NIBRS format) and keep
the tables they were created as; reports read them here, on the operations floor.
"""

from __future__ import annotations

from django.db import models

from beacon.access.scoping import VisibleThrough
from beacon.operations import codes
from beacon.operations.models.events import Arrest, Investigation
from beacon.operations.models.operations import Operation
from beacon.operations.refs import new_ref


class Incident(models.Model):
    """A NIBRS incident of an operation: NIBRS clears the incident, not each offence.

    Cleared by arrest when it lists at least one arrest (its exceptional clearance is
    then N); cleared exceptionally with a code A-E and its date (NIBRS Data Elements 4
    and 5) and no arrest; open while it has neither (N). Every offence of the incident
    is cleared, or not, with it.
    """

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(
        Investigation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ref = models.CharField(max_length=40, default=new_ref)
    exceptional = models.CharField(
        max_length=1,
        choices=codes.ExceptionalClearance.choices,
        default=codes.ExceptionalClearance.NOT_APPLICABLE,
    )
    cleared_on = models.DateField(null=True, blank=True)  # exceptional clearance date
    arrests = models.ManyToManyField(
        Arrest, blank=True, related_name="+", db_table="interchange_incident_arrests"
    )

    objects = VisibleThrough["Incident"]("operation")

    class Meta:
        db_table = "interchange_incident"  # the table it was created as
        ordering = ["operation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "ref"], name="incident_unique_ref")
        ]

    def __str__(self) -> str:
        return f"incident {self.ref}"


class Offense(models.Model):
    """One NIBRS offence of an incident. Offences cleared and people arrested are
    different counts (one arrest can clear an incident of several offences, several
    arrests one offence)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="offenses")
    ref = models.CharField(max_length=40, default=new_ref)
    code = models.CharField(max_length=3, choices=codes.NibrsOffense.choices)

    class Meta:
        db_table = "interchange_offense"
        ordering = ["operation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "ref"], name="offense_unique_ref")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.incident.ref})"
