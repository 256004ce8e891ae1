"""Account administration and API tokens over JSON (administrators only)."""

from datetime import datetime

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from beacon.access import policy, services, tokens
from beacon.access.models import Membership
from beacon.access.permissions import LEAST_ROLE, Permission
from beacon.access.requests import actor_for, signed_in_actor
from beacon.access.routes import SIGNED_IN, requires
from beacon.agencies.models import Agency
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed

router = Router()


class MeOut(Schema):
    name: str
    agency_ori: str
    role: str
    permissions: list[str]


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)
    agency_ori: str = Field(..., min_length=9, max_length=9)
    # New accounts hold the least powerful role; any other is a request (two-person rule).
    role: str = Field(LEAST_ROLE, max_length=24)
    email: str = Field("", max_length=254)


class PendingOut(Schema):
    role: str
    agency_ori: str
    requested_by: str


class UserOut(Schema):
    username: str
    agency_ori: str
    role: str  # the role held now
    pending: PendingOut | None = None  # a change waiting for a second administrator


def _user_out(actor: Actor, user: User) -> UserOut:
    m = Membership.objects.select_related("agency").get(user=user)
    request = services.pending_role_request(actor, user)
    pending = (
        PendingOut(
            role=request.role,
            agency_ori=request.agency.ori,
            requested_by=request.requested_by.get_username(),
        )
        if request is not None
        else None
    )
    return UserOut(
        username=user.get_username(), agency_ori=m.agency.ori, role=m.role, pending=pending
    )


class RoleIn(Schema):
    role: str = Field(..., max_length=24)
    agency_ori: str | None = Field(None, min_length=9, max_length=9)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class TokenIn(Schema):
    # Only the token's owner ever sees its secret: a token is made for the caller alone.
    # ``owner`` may be sent (it must then name the caller); nobody mints one for another.
    owner: str | None = Field(None, min_length=1, max_length=150)
    name: str = Field(..., min_length=1, max_length=80)
    role: str | None = Field(None, max_length=24)
    days: int = Field(90, ge=1, le=365)


class TokenOut(Schema):
    prefix: str
    token: str  # shown once, never again
    agency_ori: str
    role: str
    expires_at: datetime


class Done(Schema):
    ok: bool = True


def _agency(ori: str) -> Agency:
    agency = Agency.objects.filter(ori=ori.upper()).first()
    if agency is None:
        raise ValidationFailed.on("agency_ori", f"No agency with ORI {ori}.")
    return agency


@router.get("/me", response=MeOut)
@requires(SIGNED_IN)
def me(request: HttpRequest) -> MeOut:
    from beacon.access.permissions import ROLE_PERMISSIONS

    actor = signed_in_actor(request)
    perms = sorted(str(p) for p in ROLE_PERMISSIONS.get(actor.role, frozenset()))
    return MeOut(name=actor.name, agency_ori=actor.agency.ori, role=actor.role, permissions=perms)


@router.post("/users", response={201: UserOut})
@requires(Permission.ACCOUNTS_MANAGE)
def create_user(request: HttpRequest, body: UserIn) -> Status[UserOut]:
    actor = actor_for(request)
    agency = _agency(body.agency_ori)
    user = services.create_user(
        actor, body.username, body.password, agency, body.role, email=body.email
    )
    return Status(201, _user_out(actor, user))


@router.post("/users/{username}/role", response={200: UserOut, 202: UserOut})
@requires(Permission.ACCOUNTS_MANAGE)
def change_role(request: HttpRequest, username: str, body: RoleIn) -> Status[UserOut]:
    """200 when applied (a lowered role); 202 when a second administrator must approve."""
    actor = actor_for(request)
    user = services.get_user(actor, username)
    agency = _agency(body.agency_ori) if body.agency_ori else None
    change = services.change_role(actor, user, body.role, agency)
    return Status(202 if change.pending else 200, _user_out(actor, user))


@router.post("/users/{username}/role/approve", response=UserOut)
@requires(Permission.ACCOUNTS_MANAGE)
def approve_role(request: HttpRequest, username: str) -> UserOut:
    actor = actor_for(request)
    user = services.get_user(actor, username)
    services.decide_role_request(actor, user, approve=True)
    return _user_out(actor, user)


@router.post("/users/{username}/role/refuse", response=UserOut)
@requires(Permission.ACCOUNTS_MANAGE)
def refuse_role(request: HttpRequest, username: str) -> UserOut:
    actor = actor_for(request)
    user = services.get_user(actor, username)
    services.decide_role_request(actor, user, approve=False)
    return _user_out(actor, user)


@router.post("/users/{username}/disable", response=Done)
@requires(Permission.ACCOUNTS_MANAGE)
def disable_user(request: HttpRequest, username: str, body: ReasonIn) -> Done:
    actor = actor_for(request)
    services.disable_user(actor, services.get_user(actor, username), body.reason)
    return Done()


@router.post("/users/{username}/enable", response=Done)
@requires(Permission.ACCOUNTS_MANAGE)
def enable_user(request: HttpRequest, username: str) -> Done:
    actor = actor_for(request)
    services.enable_user(actor, services.get_user(actor, username))
    return Done()


@router.post("/users/{username}/unlock", response=Done)
@requires(Permission.ACCOUNTS_MANAGE)
def unlock_user(request: HttpRequest, username: str) -> Done:
    actor = actor_for(request)
    services.unlock_user(actor, services.get_user(actor, username))
    return Done()


@router.post("/users/{username}/reset-mfa", response=Done)
@requires(Permission.ACCOUNTS_MANAGE)
def reset_mfa(request: HttpRequest, username: str) -> Done:
    actor = actor_for(request)
    services.reset_second_factor(actor, services.get_user(actor, username))
    return Done()


@router.post("/tokens", response={201: TokenOut})
@requires(Permission.TOKENS_OWN)
def create_token(request: HttpRequest, body: TokenIn) -> Status[TokenOut]:
    actor = actor_for(request)
    if body.owner is not None and body.owner != actor.name:
        policy.refuse(
            actor,
            "An API token is created by its owner only, signed in as themselves.",
            object_type="user",
            object_id=body.owner,
            reason="token for someone else",
        )
    token, raw = tokens.create_token(actor, body.name, role=body.role, days=body.days)
    out = TokenOut(
        prefix=token.prefix,
        token=raw,
        agency_ori=token.agency.ori,
        role=token.role,
        expires_at=token.expires_at,
    )
    return Status(201, out)


@router.delete("/tokens/{prefix}", response=Done)
@requires(Permission.TOKENS_OWN)
def revoke_token(request: HttpRequest, prefix: str) -> Done:
    tokens.revoke_token(actor_for(request), prefix)
    return Done()
