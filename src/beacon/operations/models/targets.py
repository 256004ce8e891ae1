"""Target lists: registry records an operation looks for, their outcomes, leads and hits."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from beacon.access.scoping import ScopedQuerySet, VisibleThrough
from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.operations import codes
from beacon.operations.models.operations import Operation
from beacon.operations.models.people import Person
from beacon.operations.refs import new_ref
from beacon.records.models import MissingPersonRecord, RecordTransaction


class Target(models.Model):
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="targets")
    record = models.ForeignKey(
        MissingPersonRecord, on_delete=models.PROTECT, related_name="targets"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="target_roles"
    )
    assigned_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    investigator = models.CharField(max_length=150, blank=True)
    ref = models.CharField(max_length=40, default=new_ref)

    # Visible with its operation; the record it names keeps its own rule (TLP).
    objects = VisibleThrough["Target"]("operation")

    class Meta:
        ordering = ["operation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "record"], name="target_unique_record"),
            models.UniqueConstraint(fields=["operation", "ref"], name="target_unique_ref"),
        ]

    def __str__(self) -> str:
        return f"target {self.record_id} of {self.operation_id}"


class OutcomeQuerySet(ScopedQuerySet["Outcome"]):
    def visible_to(self, actor: Actor) -> OutcomeQuerySet:
        """Visible with the operation of its target (or, once withdrawn, of the target it
        was withdrawn from)."""
        if actor.is_system:
            return self
        operations = Operation.objects.visible_to(actor)
        return self.filter(
            Q(target__operation__in=operations) | Q(withdrawn_from__operation__in=operations)
        )


class Outcome(models.Model):
    """What became of a target. No row means outstanding.

    An outcome entered in error is withdrawn, never deleted: it leaves its target
    (``target`` empty, ``withdrawn_from`` set) with who withdrew it, when and why, and the
    registry transaction that undid its locate or clear; the target is outstanding again.
    """

    target = models.OneToOneField(
        Target, null=True, blank=True, on_delete=models.CASCADE, related_name="outcome"
    )
    kind = models.CharField(max_length=10, choices=codes.OutcomeKind.choices)
    how = models.CharField(max_length=32, choices=codes.OutcomeHow.choices)
    at = models.DateTimeField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=200, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The registry transaction (locate or clear) this outcome performed.
    registry_transaction = models.ForeignKey(
        RecordTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.CharField(max_length=150, blank=True)
    withdrawn_from = models.ForeignKey(
        Target,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="withdrawn_outcomes",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.CharField(max_length=150, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    withdrawal_transaction = models.ForeignKey(
        RecordTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target__isnull=False, withdrawn_at__isnull=True)
                | models.Q(target__isnull=True, withdrawn_at__isnull=False),
                name="outcome_live_or_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.how})"

    @property
    def operation(self) -> Operation:
        target = self.target or self.withdrawn_from
        assert target is not None  # the constraint: every outcome has one or the other
        return target.operation


class Lead(models.Model):
    """A lead or sighting about a target."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="leads")
    received_at = models.DateTimeField()
    source = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    place = models.CharField(max_length=200, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=codes.LeadStatus.choices, default=codes.LeadStatus.OPEN
    )
    ref = models.CharField(max_length=40, default=new_ref)

    objects = VisibleThrough["Lead"]("target")

    class Meta:
        ordering = ["received_at", "id"]
        # A bundle write finds the leads it carries by ref (re-imports are recognised).
        indexes = [models.Index(fields=["ref"], name="lead_ref")]

    def __str__(self) -> str:
        return f"lead on {self.target_id} at {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def operation(self) -> Operation:
        return self.target.operation


class HitConfirmation(models.Model):
    """A request to the record's agency to confirm a hit: due in 10 minutes if urgent,
    1 hour if routine. ``due_at`` is written by the service that creates the request."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="hit_confirmations")
    requesting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(max_length=8, choices=codes.Priority.choices)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(max_length=150, blank=True)
    ref = models.CharField(max_length=40, default=new_ref)

    objects = VisibleThrough["HitConfirmation"]("target")

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["confirmed_at", "due_at"], name="hit_open_due"),
            models.Index(fields=["ref"], name="hit_ref"),  # bundle writes look hits up by ref
        ]

    def __str__(self) -> str:
        return f"hit confirmation ({self.priority}) for {self.target_id}"

    @property
    def operation(self) -> Operation:
        return self.target.operation

    def is_overdue(self, now: datetime | None = None) -> bool:
        if self.confirmed_at is not None:
            return self.confirmed_at > self.due_at
        return (now or timezone.now()) > self.due_at
