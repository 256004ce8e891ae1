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
    metric = models.CharField(max_length=80)  # a catalogue or local. id (docs/metrics.md)
    # {"age_group": "minor", "sex": "F"}: the dimensions narrowing the metric.
    breakdown = models.JSONField(default=dict, blank=True)
    value = models.DecimalField(max_digits=16, decimal_places=2)
    qualifier = models.CharField(
        max_length=10, choices=codes.Qualifier.choices, default=codes.Qualifier.EXACT
    )
    # percent (a share of ``base`` / ``base_value``), or the unit of an age or duration.
    unit = models.CharField(max_length=8, blank=True)
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="shares"
    )
    base_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)  # ISO 4217, money metrics
    status = models.CharField(
        max_length=11, choices=codes.FigureStatus.choices, default=codes.FigureStatus.FINAL
    )
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    # Withdrawn by an amendment: kept for the history, left out of reports.
    withdrawn = models.BooleanField(default=False)
    scope = models.CharField(max_length=12, choices=codes.FigureScope.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    period_start_precision = models.CharField(
        max_length=5, choices=codes.Precision.choices, default=codes.Precision.DAY
    )
    period_end_precision = models.CharField(
        max_length=5, choices=codes.Precision.choices, default=codes.Precision.DAY
    )
    # A context figure describes the world around the operation (FBI national data),
    # not the operation's own results: never compared with computed figures.
    context = models.BooleanField(default=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts"
    )
    source_name = models.CharField(max_length=200)
    source_date = models.DateField(null=True, blank=True)
    source_date_precision = models.CharField(
        max_length=5, choices=codes.Precision.choices, default=codes.Precision.DAY
    )
    source_document = models.CharField(max_length=500, blank=True)
    note = models.CharField(max_length=500, blank=True)

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


class Count(models.Model):
    """An aggregate result of the operation itself ("12 arrests in Jackson County, 3 of
    them buyers seeking minors"): the operation's data, beside its person-level rows."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="counts")
    ref = models.CharField(max_length=40, default=new_ref)
    metric = models.CharField(max_length=80)
    breakdown = models.JSONField(default=dict, blank=True)
    value = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    period_start_precision = models.CharField(
        max_length=5, choices=codes.Precision.choices, default=codes.Precision.DAY
    )
    period_end_precision = models.CharField(
        max_length=5, choices=codes.Precision.choices, default=codes.Precision.DAY
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "ref"], name="count_unique_ref")
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.value} ({self.operation_id})"


class LocalMetric(models.Model):
    """A metric a user added without code (docs/metrics.md, "Local metrics")."""

    code = models.CharField(max_length=80, unique=True)  # local.snake_case
    entry = models.JSONField()  # the catalogue entry: unit, definition, en, fr, ...

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Amendment(models.Model):
    """A stored row replaced by an amending import: what it was, what it became, why."""

    section = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    operation_code = models.CharField(max_length=32, blank=True)
    before = models.JSONField()
    after = models.JSONField()
    reason = models.CharField(max_length=500, blank=True)
    actor = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["operation_code", "at"])]

    def __str__(self) -> str:
        return f"{self.section} {self.key} amended"
