"""Account administration: create, change role, reset password or MFA, lock, disable.

Every change is audited with before/after in the same transaction. Disabling ends
the user's sessions and revokes their API tokens at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from beacon.access import mfa, policy, tokens
from beacon.access.models import Membership, RoleRequest
from beacon.access.permissions import HUMAN_ROLES, LEAST_ROLE, Permission, reads_cases, role_within
from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Conflict, Forbidden, NotVisible, ValidationFailed


def _require_admin(actor: Actor, user_id: object = "") -> None:
    if not actor.is_system:
        policy.require(actor, Permission.ACCOUNTS_MANAGE, object_type="user", object_id=user_id)


def _require_admin_of(actor: Actor, user: User) -> None:
    """An administrator acts on other people's accounts, never on their own (no one raises
    their own role, re-enables, unlocks or resets their own account: another does)."""
    _require_admin(actor, user.pk)
    if actor.user_id is not None and actor.user_id == user.pk:
        policy.refuse(
            actor,
            "Administrators cannot change their own account; another administrator does.",
            object_type="user",
            object_id=user.pk,
            reason="own account",
        )


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            "The password is not acceptable.", fields={"password": exc.messages}
        ) from None


def _check_role(role: str) -> None:
    if role not in HUMAN_ROLES:
        raise ValidationFailed.on("role", f"Unknown role; one of {', '.join(HUMAN_ROLES)}.")


def get_user(actor: Actor, username: str) -> User:
    _require_admin(actor, username)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotVisible()
    return user


def create_user(
    actor: Actor,
    username: str,
    password: str,
    agency: Agency,
    role: str = LEAST_ROLE,
    *,
    email: str = "",
) -> User:
    """Create an account. It holds LEAST_ROLE unless the system actor (the operator's CLI)
    creates it: any other role an administrator asks for becomes a role request that a
    second administrator approves (the two-person rule)."""
    _require_admin(actor, username)
    _check_role(role)
    username = username.strip()
    if not username or len(username) > 150:
        raise ValidationFailed.on("username", "Give a username of 1 to 150 characters.")
    _check_password(password, User(username=username, email=email))
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            held = role if actor.is_system else LEAST_ROLE
            m = Membership.objects.create(
                user=user, agency=agency, role=held, last_activity_at=timezone.now()
            )
            audit.record(
                actor,
                "account.created",
                object_type="user",
                object_id=user.pk,
                detail={"username": username, "agency": agency.ori, "role": held},
            )
            if held != role:
                _request_role(actor, m, role, agency)
    except IntegrityError:
        raise Conflict(f"A user named {username} already exists.") from None
    return user


@dataclass(frozen=True)
class RoleChange:
    membership: Membership  # as it is now
    pending: RoleRequest | None  # the request a second administrator must decide, if any


def _needs_second_admin(actor: Actor, m: Membership, role: str, agency: Agency) -> bool:
    if actor.is_system:
        return False
    raised = not role_within(role, m.role)
    moved = agency.pk != m.agency_id and (reads_cases(role) or reads_cases(m.role))
    return raised or moved


def change_role(actor: Actor, user: User, role: str, agency: Agency | None = None) -> RoleChange:
    """Change a user's role (and agency); their tokens are revoked and sessions ended.

    Lowering a role applies at once. Raising it (any role that is not within the current
    one, so every grant of case files) or moving a case-reading account to another agency
    only files a request: a second administrator approves it (decide_role_request)."""
    _require_admin_of(actor, user)
    _check_role(role)
    with transaction.atomic():
        m = Membership.objects.select_for_update().select_related("agency").get(user=user)
        target = agency or m.agency
        if _needs_second_admin(actor, m, role, target):
            return RoleChange(m, _request_role(actor, m, role, target))
        _apply_role(actor, user, m, role, target)
    return RoleChange(m, None)


def _apply_role(actor: Actor, user: User, m: Membership, role: str, agency: Agency) -> None:
    before = {"role": m.role, "agency": m.agency.ori}
    m.role = role
    m.agency = agency
    m.save(update_fields=["role", "agency"])
    RoleRequest.objects.filter(user=user, decided_at__isnull=True).update(
        decided_at=timezone.now(), approved=False
    )
    tokens.revoke_all_of(actor, user, "role changed")
    end_sessions(user)
    audit.record(
        actor,
        "account.role_changed",
        object_type="user",
        object_id=user.pk,
        detail={"before": before, "after": {"role": m.role, "agency": m.agency.ori}},
    )


def _request_role(actor: Actor, m: Membership, role: str, agency: Agency) -> RoleRequest:
    """File (or replace) the pending role request of ``m``'s user."""
    if actor.user_id is None:
        raise Forbidden("Only an administrator's account can request a role.")
    RoleRequest.objects.filter(user_id=m.user_id, decided_at__isnull=True).update(
        decided_at=timezone.now(), approved=False
    )
    request = RoleRequest.objects.create(
        user_id=m.user_id, role=role, agency=agency, requested_by_id=actor.user_id
    )
    audit.record(
        actor,
        "account.role_requested",
        object_type="user",
        object_id=m.user_id,
        detail={
            "request": request.pk,
            "current": {"role": m.role, "agency": m.agency.ori},
            "requested": {"role": role, "agency": agency.ori},
        },
    )
    return request


def pending_role_request(actor: Actor, user: User) -> RoleRequest | None:
    _require_admin(actor, user.pk)
    return (
        RoleRequest.objects.select_related("agency", "requested_by")
        .filter(user=user, decided_at__isnull=True)
        .first()
    )


def decide_role_request(actor: Actor, user: User, *, approve: bool) -> RoleChange:
    """A second administrator approves (applies) or refuses the user's pending request.
    Neither the administrator who asked nor the user themself may decide it."""
    _require_admin_of(actor, user)
    pending = RoleRequest.objects.filter(user=user, decided_at__isnull=True).first()
    if pending is None:
        raise NotVisible("No pending role request for this user.")
    if pending.requested_by_id == actor.user_id:
        policy.refuse(
            actor,
            "A second administrator must decide a role you requested.",
            object_type="user",
            object_id=user.pk,
            reason="own request",
        )
    with transaction.atomic():
        request = (
            RoleRequest.objects.select_for_update()
            .filter(pk=pending.pk, decided_at__isnull=True)
            .first()
        )
        if request is None:
            raise Conflict("The request was decided or replaced meanwhile.")
        m = Membership.objects.select_for_update().select_related("agency").get(user=user)
        agency = Agency.objects.get(pk=request.agency_id)
        audit.record(
            actor,
            "account.role_approved" if approve else "account.role_refused",
            object_type="user",
            object_id=user.pk,
            detail={"request": request.pk, "requested_by": request.requested_by_id},
        )
        if approve:
            _apply_role(actor, user, m, request.role, agency)
        RoleRequest.objects.filter(pk=request.pk).update(
            decided_by_id=actor.user_id, decided_at=timezone.now(), approved=approve
        )
    return RoleChange(m, None)


def set_password(actor: Actor, user: User, password: str) -> None:
    """An administrator's password reset. The second factor stays: a reset cannot bypass MFA."""
    _require_admin_of(actor, user)
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        end_sessions(user)
        audit.record(actor, "account.password_reset", object_type="user", object_id=user.pk)


def reset_second_factor(actor: Actor, user: User) -> None:
    """Remove the user's devices; they must enrol again at their next sign-in."""
    _require_admin_of(actor, user)
    with transaction.atomic():
        mfa.remove_second_factor(user)
        end_sessions(user)
        audit.record(actor, "account.mfa_reset", object_type="user", object_id=user.pk)


def unlock_user(actor: Actor, user: User) -> None:
    _require_admin_of(actor, user)
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(user=user)
        before = m.locked_at
        m.locked_at = None
        m.failed_attempts, m.failed_since = 0, None
        m.save(update_fields=["locked_at", "failed_attempts", "failed_since"])
        audit.record(
            actor,
            "account.unlocked",
            object_type="user",
            object_id=user.pk,
            detail={"locked_at": before.isoformat() if before else None},
        )


def disable_user(actor: Actor, user: User, reason: str) -> None:
    """Disable at once: sessions end, API tokens are revoked, sign-in is refused."""
    _require_admin_of(actor, user)
    with transaction.atomic():
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        Membership.objects.filter(user=user).update(disabled_at=now, disabled_reason=reason[:200])
        ended = end_sessions(user)
        revoked = tokens.revoke_all_of(actor, user, f"account disabled: {reason}")
        audit.record(
            actor,
            "account.disabled",
            object_type="user",
            object_id=user.pk,
            detail={"reason": reason, "sessions_ended": ended, "tokens_revoked": revoked},
        )


def enable_user(actor: Actor, user: User) -> None:
    _require_admin_of(actor, user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        Membership.objects.filter(user=user).update(
            disabled_at=None, disabled_reason="", last_activity_at=timezone.now()
        )
        audit.record(actor, "account.enabled", object_type="user", object_id=user.pk)


def disable_inactive(actor: Actor) -> list[str]:
    """Disable every account without activity for BEACON_INACTIVE_DAYS; their usernames."""
    cutoff = timezone.now() - timedelta(days=settings.BEACON_INACTIVE_DAYS)
    stale = Membership.objects.select_related("user").filter(
        disabled_at__isnull=True, last_activity_at__lt=cutoff
    ) | Membership.objects.select_related("user").filter(
        disabled_at__isnull=True, last_activity_at__isnull=True, user__date_joined__lt=cutoff
    )
    names = []
    for m in stale:
        disable_user(actor, m.user, f"inactive {settings.BEACON_INACTIVE_DAYS} days")
        names.append(m.user.get_username())
    return names


def remember_language(user_id: int, language: str) -> None:
    """Keep the user's page language on their membership (restored at each sign-in)."""
    if language in {code for code, _name in settings.LANGUAGES}:
        Membership.objects.filter(user_id=user_id).update(language=language)


def preferred_language(user_id: int) -> str:
    found = Membership.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    return found or ""


def end_sessions(user: User) -> int:
    """Delete every live session of ``user``; returns how many."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


# The demo accounts: one per role, with a known TOTP seed (demo mode only).
DEMO_TOTP_SEED_HEX = "3132333435363738393031323334353637383930"  # RFC 6238 test key
DEMO_PASSWORD = "beacon-demo-password"  # noqa: S105 (printed by `beacon demo`)
DEMO_ACCOUNTS = (
    ("coordinator", "hub_coordinator", ("Missouri Attorney General's Office", "MO AGO")),
    ("investigator.hsi", "investigator", ("HSI Las Cruces",)),
    ("investigator.lcpd", "investigator", ("Las Cruces Police Department", "LCPD")),
    ("analyst", "analyst", ("HSI Las Cruces",)),
    ("caseworker.zoe", "caseworker", ("ZOE International", "ZOE")),
    ("caseworker.cyfd", "caseworker", ("Children, Youth and Families Department", "CYFD")),
    ("pio", "pio", ("Missouri Attorney General's Office", "MO AGO")),
    ("admin", "system_admin", ("Beacon system",)),
)


def _find_agency(names: tuple[str, ...]) -> Agency:
    for name in names:
        for field in ("short_name__iexact", "name__iexact", "name__icontains"):
            found = Agency.objects.filter(**{field: name}).order_by("pk").first()
            if found is not None:
                return found
    if names == ("Beacon system",):
        return Agency.system()
    raise ValidationFailed.on("agency", f"No agency named {names[0]}; load the agencies first.")


def create_demo_users() -> list[tuple[str, str, str, str]]:
    """Create (or refresh) one demo account per role: (username, password, role, agency).

    Each has a confirmed TOTP device with the seed DEMO_TOTP_SEED_HEX. Demo mode only.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from beacon.core.actor import system_actor

    if settings.MODE not in {"demo", "development", "test"}:
        raise ValidationFailed.on("mode", "Demo accounts exist only in demo mode.")
    actor = system_actor()
    made: list[tuple[str, str, str, str]] = []
    with transaction.atomic():
        for username, role, agency_names in DEMO_ACCOUNTS:
            agency = _find_agency(agency_names)
            user = User.objects.filter(username=username).first()
            if user is None:
                user = create_user(actor, username, DEMO_PASSWORD, agency, role)
            else:
                change_role(actor, user, role, agency)
                set_password(actor, user, DEMO_PASSWORD)
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(
                user=user, name=mfa.TOTP_NAME, key=DEMO_TOTP_SEED_HEX, confirmed=True
            )
            made.append((username, DEMO_PASSWORD, role, agency.name))
    return made


def demo_totp_seed_base32() -> str:
    """The demo seed as an authenticator app wants it."""
    import base64

    return base64.b32encode(bytes.fromhex(DEMO_TOTP_SEED_HEX)).decode()


def actor_of_user(user: User, *, via: str = "cli") -> Actor:
    """The actor a user acts as (for the CLI acting as a named user, and tests)."""
    m = Membership.objects.select_related("agency").filter(user=user).first()
    if m is None or m.disabled_at is not None or not user.is_active:
        raise NotVisible("No active account.")
    return Actor(
        name=user.get_username(), agency=m.agency, role=m.role, user_id=int(user.pk), via=via
    )
