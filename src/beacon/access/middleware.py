"""Session limits (30 min idle, 12 h absolute) and security headers (CSP and friends)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from beacon.access.accounts import actor_of, membership_of
from beacon.access.models import Membership
from beacon.audit import services as audit

STARTED = "beacon_started"
SEEN = "beacon_seen"
NOTED = "beacon_activity_noted"
# A request a page makes by itself (a dashboard's poll), not a person's action: it is
# checked against the session's limits but does not keep the session alive.
POLL_HEADER = "X-Beacon-Poll"
POLL_ATTR = "beacon_background_poll"
F = TypeVar("F", bound=Callable[..., Any])


def background_poll(view: F) -> F:
    """Declare a view that pages call by themselves (``hx-trigger="every 1s"``): however
    often it is called, it never counts as the person's activity for the idle timeout."""
    setattr(view, POLL_ATTR, True)
    return view


def _is_poll(request: HttpRequest, view: Callable[..., Any]) -> bool:
    if request.headers.get(POLL_HEADER):
        return True
    while view is not None:
        if getattr(view, POLL_ATTR, False):
            return True
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    return False


class SessionLimitsMiddleware:
    """Ends a session idle for BEACON_SESSION_IDLE_SECONDS or older than
    BEACON_SESSION_MAX_SECONDS (the user signs in again), and notes user activity.

    Only a person's actions keep a session alive: the idle clock is refreshed once the
    view is known (``process_view``), and not for background polls (the view declared
    ``@background_poll``, or the request carries ``X-Beacon-Poll``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _is_poll(request, view):
            return
        self._note_activity(request)

    def _check(self, request: HttpRequest) -> None:
        now = time.time()
        session = request.session
        started = session.get(STARTED)
        seen = session.get(SEEN)
        if not isinstance(started, float) or not isinstance(seen, float):
            session[STARTED] = session[SEEN] = now
            return
        reason = ""
        if now - seen > settings.BEACON_SESSION_IDLE_SECONDS:
            reason = "idle"
        elif now - started > settings.BEACON_SESSION_MAX_SECONDS:
            reason = "maximum length"
        if reason:
            membership = membership_of(request.user)
            if membership is not None:
                actor = actor_of(
                    request.user,  # type: ignore[arg-type]
                    membership,
                    via="web",
                    source_address=str(request.META.get("REMOTE_ADDR", ""))[:64],
                )
                audit.record(
                    actor,
                    "auth.session_expired",
                    object_type="user",
                    object_id=request.user.pk,
                    detail={"reason": reason},
                )
            logout(request)

    def _note_activity(self, request: HttpRequest) -> None:
        now = time.time()
        session = request.session
        session[SEEN] = now
        noted = session.get(NOTED)
        if not isinstance(noted, float) or now - noted > 300:  # one write per five minutes
            session[NOTED] = now
            Membership.objects.filter(user__pk=int(request.user.pk or 0)).update(
                last_activity_at=timezone.now()
            )


def mark_session_start(request: HttpRequest) -> None:
    request.session[STARTED] = request.session[SEEN] = time.time()


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline scripts; no caching of personal pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.BEACON_CSP)
        response.setdefault("Cache-Control", "no-store")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
