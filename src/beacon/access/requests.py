"""Who is behind an HTTP request: a signed-in user (session) or an API token.

``actor_for`` is the one place that answers; it refuses (401) a request with
neither, a disabled account, or a role that needs MFA without a verified factor.
"""

from __future__ import annotations

from django.http import HttpRequest

from beacon.access.accounts import actor_of, membership_of
from beacon.access.errors import Unauthenticated
from beacon.access.permissions import role_requires_mfa
from beacon.access.tokens import actor_for_token
from beacon.core.actor import Actor

BEARER = "bearer "


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def bearer_token(request: HttpRequest) -> str | None:
    header = str(request.headers.get("Authorization", ""))
    if header[: len(BEARER)].lower() != BEARER:
        return None
    return header[len(BEARER) :].strip()


def actor_for(request: HttpRequest) -> Actor:
    cached = getattr(request, "beacon_actor", None)
    if isinstance(cached, Actor):
        return cached
    actor = _authenticate(request)
    request.beacon_actor = actor  # type: ignore[attr-defined]
    return actor


def via_token(request: HttpRequest) -> bool:
    return bearer_token(request) is not None


def signed_in_actor(request: HttpRequest) -> Actor:
    """The actor of a password-authenticated session even before its second factor
    (for SIGNED_IN routes only: who am I, sign-out, enrolment). Never cached for a
    session (signing in changes it mid-request); a token has no second factor, so its
    actor is the one ``actor_for`` resolved once for the request."""
    if bearer_token(request) is not None:
        return actor_for(request)
    return _authenticate(request, second_factor=False)


def _authenticate(request: HttpRequest, *, second_factor: bool = True) -> Actor:
    source = client_address(request)
    raw = bearer_token(request)
    if raw is not None:
        actor = actor_for_token(raw, source_address=source)
        if actor is None:
            from beacon.access.signin import refuse_token

            refuse_token(raw, source_address=source)  # 429 when an address keeps trying
            raise Unauthenticated("The API token is unknown, expired or revoked.")
        return actor
    user = getattr(request, "user", None)
    membership = membership_of(user)
    if user is None or membership is None:
        raise Unauthenticated("Sign in or send a valid API token.")
    verified = getattr(user, "is_verified", lambda: False)()
    if second_factor and role_requires_mfa(membership.role) and not verified:
        raise Unauthenticated("Finish signing in with your authenticator code.")
    via = "api" if request.path.startswith("/api/") else "web"
    return actor_of(user, membership, via=via, source_address=source)
