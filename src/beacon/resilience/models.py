"""The stored outcome of every write request that carried an Idempotency-Key."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """One (scope, key): the request it answered and the response it gave.

    Written in the same transaction as the change the request made, so the change
    and its record commit or roll back together. The unique constraint makes two
    concurrent requests with the same key queue: the second waits for the first to
    commit, then replays its response.
    """

    # Who sent it: "user:<id>", "token:<sha256 prefix>" or "anonymous".
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    # sha256 of method, full path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.TextField()
    status = models.PositiveSmallIntegerField()
    headers = models.JSONField(default=list, blank=True)
    body = models.BinaryField(default=b"", blank=True)
    actor = models.CharField(max_length=150, blank=True)
    agency_ori = models.CharField(max_length=9, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}] -> {self.status}"
