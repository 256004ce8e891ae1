"""Operations, the series they belong to and the agencies taking part; who sees which
operation (``Operation.objects.visible_to(actor)``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.access.scoping import ScopedQuerySet
from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.operations import codes


class Series(models.Model):
    """A recurring operation (Protected Childhood 1..8); editions are operations."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    origin = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    edition_naming = models.CharField(
        max_length=6, choices=codes.EditionNaming.choices, default=codes.EditionNaming.NUMBER
    )

    class Meta:
        verbose_name_plural = "series"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OperationQuerySet(ScopedQuerySet["Operation"]):
    def visible_to(self, actor: Actor) -> OperationQuerySet:
        """Operations the actor may see: those its agency takes part in; a hub coordinator
        also sees the sub-operations (two levels down) of the hubs its agency takes part
        in. A PIO sees the same operations, but only their aggregate reports
        (operations:report), and also those it was given the right to publish (a live
        Publisher grant to the user or its agency, with their sub-operations); the grant
        opens nothing to roles that read case files. The system actor sees all."""
        if actor.is_system:
            return self
        if not (
            policy.has(actor, Permission.OPERATIONS_VIEW)
            or policy.has(actor, Permission.OPERATIONS_REPORT)
        ):
            return self.none()
        mine = Participation.objects.filter(agency_id=actor.agency_id).values("operation_id")
        visible = Q(pk__in=mine)
        if actor.role == policy.HUB_COORDINATOR:
            visible |= Q(parent_id__in=mine) | Q(parent__parent_id__in=mine)
        if not policy.has(actor, Permission.OPERATIONS_VIEW):  # report only: grants count
            grantee = Q(agency_id=actor.agency_id) | Q(user_id=actor.user_id or 0)
            granted = Publisher.objects.filter(grantee, revoked_at__isnull=True).values(
                "operation_id"
            )
            visible |= Q(pk__in=granted) | Q(parent_id__in=granted)
        return self.filter(visible)


class Operation(models.Model):
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=32, unique=True)
    description = models.TextField(blank=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)  # open while null
    # A press release may give only the month or the year: the first (start) or last
    # (end) day is stored and the precision printed as given.
    start_precision = models.CharField(
        max_length=5, choices=codes.Precision.choices, default=codes.Precision.DAY
    )
    end_precision = models.CharField(
        max_length=5, choices=codes.Precision.choices, default=codes.Precision.DAY
    )
    announced = models.DateField(null=True, blank=True)
    announced_precision = models.CharField(
        max_length=5, choices=codes.Precision.choices, default=codes.Precision.DAY
    )
    status = models.CharField(
        max_length=8, choices=codes.Status.choices, default=codes.Status.PLANNED
    )
    focus = models.JSONField(default=list, blank=True)  # list of codes.Focus values
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_operations"
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="editions"
    )
    edition = models.PositiveSmallIntegerField(null=True, blank=True)
    jurisdictions = models.ManyToManyField(Jurisdiction, blank=True, related_name="operations")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["start", "code"]
        constraints = [
            models.UniqueConstraint(fields=["series", "edition"], name="operation_series_edition"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="operation_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="participations"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=16, choices=codes.ParticipantRole.choices)

    class Meta:
        ordering = ["operation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "agency"], name="participation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.role}) in {self.operation}"


class Publisher(models.Model):
    """A right to publish one operation's aggregate report (and its sub-operations'),
    given to a user or to a whole agency by the operation's coordinator or an
    administrator. Only report-only roles (the public information officer) gain
    anything from it: it shows the report, never targets, records or victims.
    Revoking keeps the row (``revoked_at``), so who could publish when is never lost."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="publishers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="publishing_rights",
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="publishing_rights"
    )
    granted_by = models.CharField(max_length=150)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.CharField(max_length=150, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["operation_id", "-granted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True, agency__isnull=False)
                | models.Q(user__isnull=False, agency__isnull=True),
                name="publisher_user_or_agency",
            ),
        ]

    def __str__(self) -> str:
        who = self.user if self.user_id else self.agency
        return f"{who} may publish {self.operation}"
