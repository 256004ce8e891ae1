"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success"
        DENIED = "denied"
        FAILURE = "failure"

    # Chain position and hashes, filled once by the chainer (beacon.audit.chainer) after the
    # writing transaction commits; NULL until then (docs/decisions/0005, 0007).
    seq = models.BigIntegerField(unique=True, null=True, blank=True)
    at = models.DateTimeField(db_index=True)  # UTC, microsecond precision
    actor = models.CharField(max_length=150)
    user_id = models.BigIntegerField(null=True, blank=True)
    agency_ori = models.CharField(max_length=9, db_index=True)
    role = models.CharField(max_length=40)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    source_address = models.CharField(max_length=64, blank=True)
    via = models.CharField(max_length=8, blank=True)
    # Which fields were read, before/after values of a change, or other context.
    detail = models.JSONField(default=dict, blank=True)
    # HMAC of the content under the audit key, written with the event (beacon.audit.chain):
    # the proof that Beacon wrote it. Unique: a copied row is refused.
    mac = models.CharField(max_length=64, unique=True)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (NULL: not chained yet)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["seq", "id"]
        indexes = [
            # The chainer's work queue: the few events not chained yet.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unchained"
            )
        ]

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else f"(unchained id {self.pk})"
        return f"{where} {self.action} {self.object_type}:{self.object_id} by {self.actor}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only and cannot be deleted.")


class ChainHead(models.Model):
    """One row holding the last chained sequence number and hash.

    Only the chainer moves it, under the chain lock (beacon.audit.chainer); request
    transactions never touch it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
