"""Signing in: password, second factor, lockout, per-address rate limit, inactivity.

Every attempt is recorded (SignInAttempt) and audited (auth.logon / auth.logon_failed).
Whatever went wrong, the caller sees the same SignInRefused; the audit says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django_otp.models import Device

from beacon.access import mfa
from beacon.access.accounts import actor_of
from beacon.access.errors import RateLimited, SignInRefused
from beacon.access.models import Membership, SignInAttempt
from beacon.access.permissions import role_requires_mfa
from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor, system_actor


@dataclass(frozen=True)
class SignedIn:
    user: User
    membership: Membership
    device: Device | None  # the second factor used; None when not enrolled yet
    must_enrol: bool  # the role needs MFA and the user has no device yet


def _anonymous(username: str, source_address: str) -> Actor:
    return Actor(
        name=username[:150] or "-",
        agency=Agency.system(),
        role="anonymous",
        source_address=source_address,
        via="web",
    )


def _check_rate(username: str, source_address: str) -> None:
    limit, seconds = settings.BEACON_LOGIN_RATE
    since = timezone.now() - timedelta(seconds=seconds)
    recent = SignInAttempt.objects.filter(source_address=source_address, at__gte=since).count()
    if recent < limit:
        return
    if recent == limit:  # audit the first refusal of a burst, not every one
        SignInAttempt.objects.create(
            username=username[:150], source_address=source_address, succeeded=False
        )
        audit.record(
            _anonymous(username, source_address),
            "auth.rate_limited",
            object_type="source_address",
            object_id=source_address,
            outcome="denied",
        )
    raise RateLimited("Too many sign-in attempts from your address; wait a minute.")


def _reserve_attempt(m: Membership) -> bool:
    """Count this attempt against the lockout before anything is checked.

    One conditional UPDATE: it succeeds only while the account is unlocked and fewer than
    BEACON_LOCKOUT_FAILURES attempts are counted in the current window, so however many
    guesses arrive at once, at most that many are ever checked (the database serialises
    the updates of one row, and PostgreSQL re-reads the row it waited for)."""
    now = timezone.now()
    stale = Q(failed_since__isnull=True) | Q(
        failed_since__lt=now - timedelta(seconds=settings.BEACON_LOCKOUT_WINDOW_SECONDS)
    )
    reserved = (
        Membership.objects.filter(pk=m.pk, locked_at__isnull=True)
        .filter(stale | Q(failed_attempts__lt=settings.BEACON_LOCKOUT_FAILURES))
        .update(
            failed_attempts=Case(When(stale, then=Value(1)), default=F("failed_attempts") + 1),
            failed_since=Case(When(stale, then=Value(now)), default=F("failed_since")),
        )
    )
    return reserved == 1


def _fail(
    username: str,
    source_address: str,
    reason: str,
    user: User | None,
    m: Membership | None,
    *,
    counted: bool = False,
) -> SignInRefused:
    """Record and audit a refused attempt; a counted one (its password or code was
    checked) locks the account once BEACON_LOCKOUT_FAILURES are counted."""
    with transaction.atomic():
        SignInAttempt.objects.create(
            username=username[:150], source_address=source_address, succeeded=False
        )
        actor = (
            actor_of(user, m, via="web", source_address=source_address)
            if user is not None and m is not None
            else _anonymous(username, source_address)
        )
        audit.record(
            actor,
            "auth.logon_failed",
            object_type="user",
            object_id=user.pk if user else "",
            outcome="failure",
            detail={"reason": reason},
        )
        locked = (
            counted
            and m is not None
            and Membership.objects.filter(
                pk=m.pk,
                locked_at__isnull=True,
                failed_attempts__gte=settings.BEACON_LOCKOUT_FAILURES,
            ).update(locked_at=timezone.now())
            == 1
        )
        if m is not None and locked:
            audit.record(
                actor,
                "account.locked",
                object_type="user",
                object_id=m.user_id,
                outcome="denied",
                detail={"failures": settings.BEACON_LOCKOUT_FAILURES},
            )
    return SignInRefused(reason=reason, locked_now=bool(locked))


def sign_in(username: str, password: str, code: str, *, source_address: str) -> SignedIn:
    """Check a sign-in; raise SignInRefused (one message for every reason) or RateLimited."""
    username = username.strip()
    _check_rate(username, source_address)
    user = User.objects.filter(username=username).first()
    m = Membership.objects.select_related("agency").filter(user=user).first() if user else None
    # The attempt is counted before the password or code is checked (see _reserve_attempt).
    usable = m is not None and m.locked_at is None and m.disabled_at is None
    reserved = usable and m is not None and _reserve_attempt(m)
    # authenticate() runs the hasher even for unknown users, so timing reveals nothing;
    # without a reservation its answer is never used.
    checked = authenticate(None, username=username, password=password)
    if user is None or m is None:
        raise _fail(username, source_address, "unknown user", None, None)
    if m.locked_at is not None:
        raise _fail(username, source_address, "account locked", user, m)
    if m.disabled_at is not None or not user.is_active:
        raise _fail(username, source_address, "account disabled", user, m)
    if not reserved:  # locked meanwhile, or the last allowed guesses are in flight
        raise _fail(username, source_address, "account locked", user, m)
    if checked is None:
        raise _fail(username, source_address, "wrong password", user, m, counted=True)
    last_seen = m.last_activity_at or user.date_joined
    if timezone.now() - last_seen > timedelta(days=settings.BEACON_INACTIVE_DAYS):
        from beacon.access.services import disable_user

        disable_user(system_actor(via="web", source_address=source_address), user, "inactive")
        raise _fail(username, source_address, "account inactive", user, m)
    device: Device | None = None
    enrolled = mfa.has_second_factor(user)
    if enrolled:
        device = mfa.check_code(user, code)
        if device is None:
            raise _fail(username, source_address, "wrong second-factor code", user, m, counted=True)
    with transaction.atomic():
        SignInAttempt.objects.create(
            username=username[:150], source_address=source_address, succeeded=True
        )
        Membership.objects.filter(pk=m.pk).update(
            last_activity_at=timezone.now(), failed_attempts=0, failed_since=None
        )
        audit.record(
            actor_of(user, m, via="web", source_address=source_address),
            "auth.logon",
            object_type="user",
            object_id=user.pk,
            detail={"second_factor": type(device).__name__ if device else "none"},
        )
    return SignedIn(
        user=user,
        membership=m,
        device=device,
        must_enrol=not enrolled and role_requires_mfa(m.role),
    )


def refuse_token(raw: str, *, source_address: str) -> None:
    """Record and audit an API token that was refused (unknown, expired, revoked), so
    failed token logons are audited and rate-limited per address like sign-ins."""
    parts = raw.split("_")
    prefix = parts[1][:12] if len(parts) >= 3 and parts[0] == "bcn" else "?"
    name = f"token:{prefix}"
    _check_rate(name, source_address)
    with transaction.atomic():
        SignInAttempt.objects.create(username=name, source_address=source_address, succeeded=False)
        audit.record(
            _anonymous(name, source_address),
            "auth.token_refused",
            object_type="api_token",
            object_id=prefix,
            outcome="failure",
        )
