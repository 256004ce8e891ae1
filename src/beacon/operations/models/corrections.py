"""Corrections of field entries: each change kept with its reason (the history)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from beacon.access.scoping import VisibleThrough
from beacon.agencies.models import Agency
from beacon.operations.models.operations import Operation


class Correction(models.Model):
    """One field of one entry (a field event) corrected: the value before and after, who,
    when and why. The entry holds the current value; its corrections are its history."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="corrections")
    entry_kind = models.CharField(max_length=16)  # arrest, victim, warrant, ... (web forms)
    entry_ref = models.CharField(max_length=40)
    field = models.CharField(max_length=32)
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=150)
    user_id = models.BigIntegerField(null=True, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    objects = VisibleThrough["Correction"]("operation")

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["operation", "entry_kind", "entry_ref"], name="correction_entry")
        ]

    def __str__(self) -> str:
        return f"{self.entry_kind} {self.entry_ref}: {self.field} corrected"
