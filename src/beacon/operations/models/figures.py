"""Figures partners published without sending records (tallies, past editions, context)."""

from __future__ import annotations

from django.db import models

from beacon.agencies.models import Agency, Jurisdiction
from beacon.operations import codes
from beacon.operations.models.operations import Operation, Series
from beacon.operations.refs import new_ref


class ReportedFigure(models.Model):
    """A number someone published: metric, value, qualifier, scope and source.

    Scope: an operation (optionally narrowed to a jurisdiction or an agency) or a
    series. ``parent`` nests it ("875 cleared, of which 18 with victims under 18").
    """

    ref = models.CharField(max_length=40, unique=True, default=new_ref)
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.CASCADE, related_name="reported_figures"
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.CASCADE, related_name="reported_figures"
    )
    # For a series figure about one edition known only by its published totals.
    edition = models.PositiveSmallIntegerField(null=True, blank=True)
    metric = models.CharField(max_length=60)
    value = models.DecimalField(max_digits=16, decimal_places=2)
    qualifier = models.CharField(
        max_length=10, choices=codes.Qualifier.choices, default=codes.Qualifier.EXACT
    )
    scope = models.CharField(max_length=12, choices=codes.FigureScope.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # A context figure describes the world around the operation (FBI national data),
    # not the operation's own results: never compared with computed figures.
    context = models.BooleanField(default=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts"
    )
    source_name = models.CharField(max_length=200)
    source_date = models.DateField(null=True, blank=True)
    source_document = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(operation__isnull=False) | models.Q(series__isnull=False),
                name="figure_has_operation_or_series",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.qualifier} {self.value} ({self.source_name})"
