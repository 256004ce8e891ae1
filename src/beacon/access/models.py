"""Accounts: which agency and role a user acts for, API tokens, sign-in attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from beacon.access.permissions import HUMAN_ROLES
from beacon.agencies.models import Agency


class Membership(models.Model):
    """A user belongs to one agency and holds one role (beacon.access.permissions)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=24, choices=[(r, r) for r in HUMAN_ROLES])
    last_activity_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    # Sign-in attempts counted against the lockout, each reserved (an atomic conditional
    # UPDATE) before its password or code is checked, so concurrent guesses cannot all
    # be checked before the lock (beacon.access.signin); zeroed by a success.
    failed_attempts = models.PositiveIntegerField(default=0)
    failed_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    # The page language the user chose (settings.LANGUAGES); restored at every sign-in.
    language = models.CharField(max_length=8, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.agency.ori})"


class ApiToken(models.Model):
    """A token for an integration, scoped to an agency and a role.

    Only the SHA-256 of the token is stored; the token is shown once when created.
    Tokens are 256-bit random, so a fast hash suffices (no dictionary to attack).
    """

    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, unique=True)  # shown in lists, not secret
    digest = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_tokens")
    role = models.CharField(max_length=24, choices=[(r, r) for r in HUMAN_ROLES])
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def usable_at(self, when: object) -> bool:
        return self.revoked_at is None and self.expires_at > when  # type: ignore[operator]


class SignInAttempt(models.Model):
    """Every sign-in attempt: the lockout and the per-address rate limit count these."""

    username = models.CharField(max_length=150, db_index=True)
    source_address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} from {self.source_address}: {self.succeeded}"


class RoleRequest(models.Model):
    """A role (or agency) change waiting for a second administrator: the two-person rule.

    An administrator who grants a role that reads case files, or any role above the
    current one, only proposes it; another administrator approves or refuses."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_requests"
    )
    role = models.CharField(max_length=24, choices=[(r, r) for r in HUMAN_ROLES])
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.user} -> {self.role} ({self.agency.ori})"


class ApiRateWindow(models.Model):
    """The API requests an account made in its current one-minute window (beacon.access.
    ratelimit): one row per account, counted by one INSERT ... ON CONFLICT DO UPDATE, so
    every application node on the database shares the count."""

    account = models.CharField(max_length=200, primary_key=True)
    minute = models.BigIntegerField()
    count = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.account}: {self.count} in minute {self.minute}"
