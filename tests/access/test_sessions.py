from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client

from beacon.access.middleware import SEEN, STARTED
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent


def _age(client: Client, *, started: float, seen: float) -> None:
    session = client.session
    session[STARTED] = time.time() - started
    session[SEEN] = time.time() - seen
    session.save()


def test_an_active_session_keeps_working(
    web_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    client = web_client_as("investigator", agency_a)
    assert client.get("/api/access/me").status_code == 200
    _age(client, started=11 * 3600, seen=29 * 60)
    assert client.get("/api/access/me").status_code == 200


def test_a_session_idle_thirty_minutes_is_ended(
    web_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    client = web_client_as("investigator", agency_a)
    assert client.get("/api/access/me").status_code == 200
    _age(client, started=40 * 60, seen=31 * 60)
    assert client.get("/api/access/me").status_code == 401
    assert client.get("/api/access/me").status_code == 401
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert event.detail == {"reason": "idle"}


def test_a_session_ends_after_twelve_hours_even_when_active(
    web_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    client = web_client_as("investigator", agency_a)
    _age(client, started=12 * 3600 + 5, seen=10)
    assert client.get("/api/access/me").status_code == 401
    assert AuditEvent.objects.get(action="auth.session_expired").detail == {
        "reason": "maximum length"
    }


def test_session_cookies_are_httponly_samesite_and_pages_carry_security_headers(
    agency_a: Agency,
) -> None:
    from django.conf import settings

    response = Client().get("/account/sign-in/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # The only inline style allowed is the empty one (plotly.js fills it through the CSSOM).
    assert csp.count("'sha256-") == 1 and settings.EMPTY_INLINE_STYLE in csp
    # No Referer leaves Beacon; its own form posts keep their Origin for the CSRF check.
    assert response["Referrer-Policy"] == "same-origin"
    assert b'name="referrer"' not in response.content  # one policy: the header's
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Strict"
    assert b"csrfmiddlewaretoken" in response.content


@pytest.mark.parametrize("length", [64, 128])
def test_long_passphrases_are_accepted(length: int, agency_a: Agency) -> None:
    from beacon.access import services
    from beacon.core.actor import system_actor

    password = ("correct horse battery staple " * 5)[:length]
    user = services.create_user(system_actor(), "longpass", password, agency_a, "analyst")
    assert user.check_password(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [("short pass", "too short"), ("password1234", "too common")],
)
def test_short_or_common_passwords_are_refused_with_a_field_message(
    password: str, message: str, agency_a: Agency
) -> None:
    from beacon.access import services
    from beacon.core.actor import system_actor
    from beacon.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.create_user(system_actor(), "weak", password, agency_a, "analyst")
    assert any(message in m for m in refused.value.fields["password"])


def test_csrf_is_enforced_on_the_sign_in_form(agency_a: Agency) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/account/sign-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_the_admin_signs_in_through_beacon_and_needs_a_second_factor(agency_a: Agency) -> None:
    from django.contrib.auth.models import User

    from beacon.access import services
    from beacon.core.actor import system_actor

    login = Client().get("/admin/login/?next=/admin/")
    assert login.status_code == 302 and login["Location"].startswith("/account/sign-in/")
    user = services.create_user(
        system_actor(), "staff", "a long staff passphrase", agency_a, "system_admin"
    )
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(user)  # password only, no second factor
    assert client.get("/admin/").status_code == 302


def test_session_api_writes_need_the_csrf_token(
    web_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    from django.conf import settings

    signed_in = web_client_as("system_admin", agency_a)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = signed_in.cookies
    body = {"name": "x"}
    refused = strict.post("/api/access/tokens", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    strict.get("/account/sign-in/")  # receives the CSRF cookie
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    allowed = strict.post(
        "/api/access/tokens", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert allowed.status_code == 201  # past the CSRF check: the administrator's own token


def _open_operation(agency: Agency) -> str:
    from datetime import date

    from beacon.operations.models import Operation, Participation

    operation = Operation.objects.create(name="Operation Idle", code="OP-IDLE", start=date.today())
    Participation.objects.create(operation=operation, agency=agency, role="partner")
    return operation.code


def test_an_open_dashboard_does_not_keep_a_session_alive(
    web_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    client = web_client_as("investigator", agency_a)
    code = _open_operation(agency_a)
    poll = f"/operations/{code}/figures/"
    assert client.get(f"/operations/{code}/").status_code == 200  # a person opens it
    _age(client, started=40 * 60, seen=29 * 60)
    seen = client.session[SEEN]
    for _ in range(3):  # the page polls by itself: HX-Request, no X-Beacon-Poll header
        assert client.get(poll, headers={"HX-Request": "true"}).status_code == 200
    assert client.session[SEEN] == seen  # polls are not the person's activity
    _age(client, started=40 * 60, seen=31 * 60)
    ended = client.get(poll, headers={"HX-Request": "true"})
    assert ended["HX-Redirect"] == "/account/sign-in/"  # the whole page goes to sign-in
    assert AuditEvent.objects.get(action="auth.session_expired").detail == {"reason": "idle"}
    assert client.get("/api/access/me").status_code == 401


def test_a_request_marked_as_a_poll_does_not_refresh_the_idle_clock(
    web_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    client = web_client_as("investigator", agency_a)
    assert client.get("/api/access/me").status_code == 200
    _age(client, started=60, seen=20 * 60)
    seen = client.session[SEEN]
    assert client.get("/api/access/me", headers={"X-Beacon-Poll": "1"}).status_code == 200
    assert client.session[SEEN] == seen
    assert client.get("/api/access/me").status_code == 200  # a person's request does
    assert client.session[SEEN] > seen


def test_every_url_a_page_polls_is_declared_a_background_poll() -> None:
    """Generated from the templates: whatever an hx-trigger="every ..." element fetches
    must be a view declared @background_poll, or an open page would keep its session."""
    import re
    from pathlib import Path

    from django.urls import URLPattern, URLResolver, get_resolver

    import beacon
    from beacon.access.middleware import POLL_ATTR

    def views(patterns: list[object], namespace: str = "") -> dict[str, object]:
        found: dict[str, object] = {}
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                found |= views(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                found[namespace + p.name] = p.callback
        return found

    named = views(get_resolver().url_patterns)
    polled = []
    for template in Path(beacon.__file__).parent.rglob("templates/**/*.html"):
        for element in re.findall(r"<[^>]*hx-trigger=\"every[^>]*>", template.read_text()):
            name = re.search(r"hx-get=\"\{% url '([\w:]+)'", element)
            assert name is not None, f"{template}: a poll without a named URL"
            polled.append(name.group(1))
    assert polled, "no polling page found: the generator is broken"
    for name in polled:
        assert getattr(named[name], POLL_ATTR, False), f"{name} polls but is not declared"
