"""Session limits (30 min idle, 12 h absolute) and security headers (CSP and friends)."""

from __future__ import annotations

import time
from collections.abc import Callable

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


class SessionLimitsMiddleware:
    """Ends a session idle for BEACON_SESSION_IDLE_SECONDS or older than
    BEACON_SESSION_MAX_SECONDS (the user signs in again), and notes user activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

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
            return
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
