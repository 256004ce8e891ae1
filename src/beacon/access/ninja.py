"""The API's side of access: its auth class and the permission check that runs before
ninja parses any input (so a role without the permission gets 403, never a 422 that
reveals the shape of the route). Installed once in beacon.api."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.access.ratelimit import check_api_rate
from beacon.access.requests import actor_for, signed_in_actor, via_token
from beacon.access.routes import PUBLIC, SIGNED_IN, declared_permission
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, Forbidden

CHECKED = "beacon_checked"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SessionOrToken(HttpBearer):
    """A signed-in session (with its second factor) or ``Authorization: Bearer <token>``.

    The permission check below has already run and left the actor on the request;
    this class tells ninja (and the OpenAPI schema) that the API needs authentication.
    """

    def __call__(self, request: HttpRequest) -> Any:
        checked = getattr(request, CHECKED, None)
        if checked is not None:
            return checked
        return actor_for(request)

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        return actor_for(request)


def _check(request: HttpRequest, permission: str | None) -> Actor | bool:
    if permission is None:
        raise Forbidden("This route declares no permission, so no one may call it.")
    if permission == PUBLIC:
        return True
    actor = signed_in_actor(request) if permission == SIGNED_IN else actor_for(request)
    check_api_rate(actor)
    if permission != SIGNED_IN:
        policy.require(actor, Permission(permission))
    if request.method in UNSAFE and not via_token(request) and actor.user_id is not None:
        # A browser session: the CSRF token must come with every change.
        refused = check_csrf(request)
        if refused is not None:
            raise Forbidden("CSRF check failed: send the X-CSRFToken header.")
    return actor


def enforce_declared_permission(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja "view" decorator: check the route's @requires permission before parsing."""
    operation = getattr(run, "__self__", None)
    view_func = getattr(operation, "view_func", None)
    permission = declared_permission(view_func) if view_func is not None else None

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            setattr(request, CHECKED, _check(request, permission))
        except DomainError as exc:
            api = getattr(operation, "api", None)
            if api is None:
                raise
            response: HttpResponse = api.on_exception(request, exc)
            return response
        return run(request, *args, **kwargs)

    return checked
