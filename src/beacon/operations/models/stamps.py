"""When an operation's figures last changed: one small row per operation."""

from __future__ import annotations

from django.db import models


class OperationStamp(models.Model):
    """Moved forward by database triggers (beacon.operations.stamps) in the transaction of
    every write an operation's figures depend on, whatever code path makes it.

    ``operation_id`` is a plain number, not a foreign key: a trigger may stamp an operation
    in the statement that deletes it, and a stale row for a deleted operation is harmless.
    """

    operation_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return (
            f"operation {self.operation_id} v{self.version} at {self.changed_at:%Y-%m-%d %H:%M:%S}"
        )
