"""Declaring the permission a route needs, and refusing in one place.

    @router.get("/{nic}")
    @requires(Permission.RECORDS_VIEW)
    def show(request, nic: str): ...

The decorator records the permission on the function (the permission test matrix
reads it from the route table: a route without one fails that test) and checks it
before the handler runs. Two markers stand for routes without a named permission:
``PUBLIC`` (anyone: sign-in, health; on the API also pass ``auth=None``) and
``SIGNED_IN`` (any signed-in user: sign-out, enrolling an authenticator).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from beacon.access import policy
from beacon.access.accounts import membership_of
from beacon.access.errors import Unauthenticated
from beacon.access.permissions import Permission
from beacon.access.requests import actor_for, via_token

F = TypeVar("F", bound=Callable[..., Any])

PERMISSION_ATTR = "beacon_permission"
PUBLIC = "public"  # declared on the few routes anyone may call (sign-in, health)
# Any user who gave a good password, even before the second factor (sign-out, MFA set-up).
SIGNED_IN = "signed-in"


def requires(permission: Permission | str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                if permission == SIGNED_IN and via_token(request):
                    actor_for(request)
                elif permission == SIGNED_IN:
                    if membership_of(getattr(request, "user", None)) is None:
                        raise Unauthenticated("Sign in first.")
                elif permission != PUBLIC:
                    policy.require(actor_for(request), Permission(permission))
            except Unauthenticated:
                if request.path.startswith("/api/"):
                    raise
                if request.headers.get("HX-Request"):  # an htmx poll: the whole page goes
                    return HttpResponse(headers={"HX-Redirect": resolve_url(settings.LOGIN_URL)})
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        setattr(checked, PERMISSION_ATTR, str(permission))
        return checked  # type: ignore[return-value]

    return decorate


def declared_permission(view: Callable[..., Any]) -> str | None:
    """The permission a view declared, looking through decorators that wrap it."""
    while view is not None:
        found = getattr(view, PERMISSION_ATTR, None)
        if found:
            return str(found)
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    return None
