"""Per-agency data keys, stored only wrapped (encrypted) by the master key."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from beacon.agencies.models import Agency


class AgencyKey(models.Model):
    """The data key that seals one agency's free text.

    ``wrapped`` is the AES-256-GCM encryption of the 32-byte key under the master
    key named by ``master_key_id``. Deleting the row makes the agency's sealed data
    unreadable for good (crypto-shredding).
    """

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="data_key")
    wrapped = models.CharField(max_length=200)
    master_key_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    rewrapped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"data key of {self.agency_id} (master {self.master_key_id})"
