"""API tokens for integrations: scoped to an agency and a role, shown once, stored hashed,
expiring and revocable. A token looks like ``bcn_<prefix>_<secret>``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from beacon.access import policy
from beacon.access.models import ApiToken, Membership
from beacon.access.permissions import Permission, role_within
from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible, ValidationFailed


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


TOKEN_ACTOR = "/token:"  # noqa: S105 (not a secret) in the name of an actor who acts through an API token


def acts_through_token(actor: Actor) -> bool:
    return TOKEN_ACTOR in actor.name


def create_token(
    actor: Actor, name: str, *, role: str | None = None, days: int = 90
) -> tuple[ApiToken, str]:
    """Create an API token owned by the acting person, with their role or a narrower one.

    There is no owner argument: only a token's owner ever sees its secret, so nobody (an
    administrator, the system actor, another token) can mint one on someone's behalf.
    Returns the token row and the secret, which is never stored or shown again.
    """
    # Each refusal is audited (access.denied with its reason): an attempt to obtain a
    # secret is exactly what the trail must show.
    if actor.user_id is None:
        policy.refuse(
            actor,
            "Only a person can own an API token; sign in as its owner.",
            object_type="api_token",
            reason="token for no person",
        )
    if acts_through_token(actor):
        policy.refuse(
            actor,
            "Create API tokens from a signed-in session, not with a token.",
            object_type="api_token",
            reason="token made with a token",
        )
    policy.require(actor, Permission.TOKENS_OWN, object_type="api_token")
    membership = Membership.objects.select_related("agency", "user").filter(user_id=actor.user_id)
    found = membership.first()
    if found is None or found.disabled_at is not None or not found.user.is_active:
        policy.refuse(
            actor,
            "Only a person with an active account can own an API token.",
            object_type="api_token",
            reason="inactive account",
        )
    role = role or found.role
    if not role_within(role, found.role):
        raise ValidationFailed.on("role", f"A token cannot hold more than the role {found.role}.")
    if not 1 <= days <= settings.BEACON_TOKEN_MAX_DAYS:
        raise ValidationFailed.on("days", f"Between 1 and {settings.BEACON_TOKEN_MAX_DAYS} days.")
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise ValidationFailed.on("name", "Give the token a name of 1 to 80 characters.")
    prefix = secrets.token_hex(4)
    raw = f"bcn_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            prefix=prefix,
            digest=_digest(raw),
            owner=found.user,
            agency=found.agency,
            role=role,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit.record(
            actor,
            "token.created",
            object_type="api_token",
            object_id=prefix,
            detail={"owner": found.user.get_username(), "role": role, "days": days},
        )
    return token, raw


def revoke_token(actor: Actor, prefix: str) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(prefix=prefix).first()
        if token is None or (
            token.owner_id != actor.user_id and not policy.has(actor, Permission.ACCOUNTS_MANAGE)
        ):
            raise NotVisible()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        audit.record(actor, "token.revoked", object_type="api_token", object_id=prefix)
    return token


def revoke_all_of(actor: Actor, owner: User, reason: str) -> int:
    """Revoke every live token of ``owner`` (inside the caller's transaction)."""
    now = timezone.now()
    count = ApiToken.objects.filter(owner=owner, revoked_at__isnull=True).update(revoked_at=now)
    if count:
        audit.record(
            actor,
            "token.revoked",
            object_type="user",
            object_id=owner.pk,
            detail={"count": count, "reason": reason},
        )
    return count


TOUCH_EVERY = timedelta(minutes=5)  # "last used" is written at most this often per token
_AGENCY_COLUMNS = ("id", "ori", "name", "short_name", "kind", "parent_id", "jurisdiction_id")


def _lookup_sql() -> str:
    """One statement, no ORM compilation: the token, its owner, membership and agency, and
    whether it may be used now (revoked, expired, owner or membership disabled)."""
    token, user = ApiToken._meta.db_table, User._meta.db_table
    member, agency = Membership._meta.db_table, Agency._meta.db_table
    return (
        "SELECT t.id, t.prefix, t.role, t.owner_id, u.username, m.id, "
        "CASE WHEN t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active "
        "AND m.id IS NOT NULL AND m.disabled_at IS NULL THEN 1 ELSE 0 END, "
        "CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END, "
        + ", ".join(f"a.{column}" for column in _AGENCY_COLUMNS)
        + f" FROM {token} t JOIN {user} u ON u.id = t.owner_id "
        f"JOIN {agency} a ON a.id = t.agency_id "
        f"LEFT JOIN {member} m ON m.user_id = t.owner_id WHERE t.digest = %s"
    )


def actor_for_token(raw: str, *, source_address: str) -> Actor | None:
    """The actor a presented token acts as, or None if unknown, expired or revoked.

    Checked against the database on every request (a revocation or a disabled account
    takes effect at once); the token's and membership's "last used" times are written at
    most every TOUCH_EVERY, so a read stays a read."""
    if not raw.startswith("bcn_") or len(raw) > 200:
        return None
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [adapt(now), adapt(now - TOUCH_EVERY), _digest(raw)])
        row = cursor.fetchone()
    if row is None or not row[6]:
        return None
    token_id, prefix, role, owner_id, username, membership_id, _usable, stale = row[:8]
    agency = Agency(**dict(zip(_AGENCY_COLUMNS, row[8:], strict=True)))
    agency._state.adding, agency._state.db = False, connection.alias
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        Membership.objects.filter(pk=membership_id).update(last_activity_at=now)
    return Actor(
        name=f"{username}{TOKEN_ACTOR}{prefix}",
        agency=agency,
        role=str(role),
        user_id=int(owner_id),
        source_address=source_address,
        via="api",
    )
