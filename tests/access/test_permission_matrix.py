"""The permission matrix, generated from the route tables: every route x every role x
the actor's agency owning the objects, an unrelated agency, or the NGO a victim was
referred to. Each cell must be: refused (401 / sign-in) for anonymous, forbidden (403)
for a role without the route's permission, not found (404) for an object the policy
hides, and allowed otherwise. A route without a declared permission fails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import policy, services, tokens
from beacon.access.permissions import HUMAN_ROLES, Permission, role_has
from beacon.access.routes import PUBLIC, SIGNED_IN
from beacon.access.services import actor_of_user
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor, system_actor
from beacon.operations.models import Operation, Referral, Victim
from beacon.records.models import MissingPersonRecord
from tests.access import routes_table
from tests.access import world as w

ROUTES = routes_table.all_routes()
CONTEXTS = {"own": 0, "other": 1, "ngo": 4}  # indexes into world.AGENCIES
ALLOWED_FAILURES = {400, 405, 409, 412, 422, 429}  # refused for the input, not for access


class _Rollback(Exception):
    pass


def test_every_route_declares_a_permission() -> None:
    undeclared = [str(r) for r in ROUTES if r.permission is None]
    assert undeclared == []


def test_the_api_table_covers_every_api_url() -> None:
    assert {r.path for r in routes_table.api_routes()} == routes_table.api_url_paths()


def test_declared_permissions_are_known_names() -> None:
    known = {str(p) for p in Permission} | {PUBLIC, SIGNED_IN}
    assert {r.permission for r in ROUTES} <= known


@pytest.fixture(scope="module")
def matrix(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """One world (objects owned by agency 0, a referral to the NGO) and one API client and
    one browser session per role per context, rolled back when the module ends."""
    spec = w.Spec(
        records=[(0, "AMBER")],
        operations=[(frozenset({0}), None)],
        targets=[(0, 0, 0)],
        victims=[0],
        referrals=[(0, 4)],
    )
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                world = w.build(spec)
                target = world.operations[0].targets.get()
                owner = services.create_user(
                    system_actor(), "owner", "owner passphrase 123", world.agencies[0], "analyst"
                )
                token, _raw = tokens.create_token(actor_of_user(owner), "matrix")
                values = {
                    "nic": world.records[0].nic,
                    "code": world.operations[0].code,
                    "target": target.ref,
                    "victim": world.victims[0].ref,
                    "referral": world.referrals[0].ref,
                    "username": "owner",
                    "prefix": token.prefix,
                }
                clients: dict[tuple[str, str], tuple[str, str, Actor]] = {}
                for context, index in CONTEXTS.items():
                    agency = world.agencies[index]
                    for role in HUMAN_ROLES:
                        name = f"{role}-{context}"
                        user = services.create_user(
                            system_actor(), name, "matrix passphrase 123", agency, role
                        )
                        _t, raw = tokens.create_token(actor_of_user(user), "matrix")
                        device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
                        web = Client()
                        web.force_login(user)
                        session = web.session
                        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                        session.save()
                        key = web.cookies[settings.SESSION_COOKIE_NAME].value
                        who = actor_of_user(user, via="api")
                        clients[(role, context)] = (raw, key, who)
                yield {"world": world, "values": values, "clients": clients}
                raise _Rollback
        except _Rollback:
            pass


def _fill(route: routes_table.Route, values: dict[str, str]) -> tuple[str, list[str]]:
    """The URL with every parameter filled, and the kinds of object it names."""
    path, objects = route.path, []
    for param in route.params:
        if param == "ref":
            kind = (
                "target"
                if "/targets/" in path
                else "victim"
                if "/victims/" in path
                else "referral"
                if "/referrals/" in path
                else "unknown"
            )
        else:
            kind = param
        objects.append(kind)
        path = path.replace("{" + param + "}", str(values.get(kind, "999999")), 1)
    return path, objects


def _visible(who: Actor, kinds: list[str], values: dict[str, str]) -> bool | None:
    """Whether the policy shows every object the URL names; None if it names others."""
    checks = {
        "nic": lambda: (
            MissingPersonRecord.objects.visible_to(who).filter(nic=values["nic"]).exists()
        ),
        "code": lambda: Operation.objects.visible_to(who).filter(code=values["code"]).exists(),
        "target": lambda: Operation.objects.visible_to(who).filter(code=values["code"]).exists(),
        "victim": lambda: Victim.objects.visible_to(who).filter(ref=values["victim"]).exists(),
        "referral": lambda: (
            Referral.objects.visible_to(who).filter(ref=values["referral"]).exists()
        ),
    }
    if any(kind not in checks for kind in kinds):
        return None
    return all(checks[kind]() for kind in kinds)


SIGN_OUT = re.compile(
    rb'<form class="sign-out" method="post" action="/account/sign-out/" data-sign-out>\s*'
    rb'<input type="hidden" name="csrfmiddlewaretoken" value="\w+">'
)


def assert_sign_out_on_page(response: Any, cell: str) -> None:
    """Every page a signed-in person sees offers sign-out (a POST with its CSRF token)."""
    content_type = response.get("Content-Type", "")
    if response.streaming or not content_type.startswith("text/html"):
        return
    if b"<html" not in response.content:  # an htmx fragment, swapped into a page
        return
    assert SIGN_OUT.search(response.content), f"{cell}: no sign-out in the page header"


def _call(client: Client, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, data="{}", content_type="application/json")


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_permission_matrix(route: routes_table.Route, matrix: dict[str, Any], db: None) -> None:
    permission = route.permission
    assert permission is not None, f"{route} declares no permission"
    url, kinds = _fill(route, matrix["values"])
    method = route.methods[0]
    anonymous = _call(Client(), method, url)
    if route.kind == "web" and anonymous.status_code == 405:
        method = "POST"
        anonymous = _call(Client(), method, url)
    if permission == PUBLIC:
        assert anonymous.status_code not in (401, 403, 500)
        return
    if route.kind == "api":
        assert anonymous.status_code == 401, url
    else:
        assert anonymous.status_code == 302 and "/account/sign-in/" in anonymous["Location"]
    for (role, context), (token, session_key, who) in matrix["clients"].items():
        # A fresh client each time: a sign-out in one cell must not end the next cell's session.
        if route.kind == "api":
            client = Client(headers={"Authorization": f"Bearer {token}"})
        else:
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        probes = AuditEvent.objects.filter(action="access.not_visible").count()
        response = _call(client, method, url)
        status = response.status_code
        cell = f"{route} as {role} ({context}): {status} {response.get('Location')}"
        if route.kind == "web":
            assert_sign_out_on_page(response, cell)
        if permission != SIGNED_IN and not role_has(role, policy.Permission(permission)):
            assert status == 403, cell
            continue
        assert status not in (401, 403, 500) or (method != "GET" and status == 403), cell
        visible = _visible(who, kinds, matrix["values"])
        if method == "GET" and visible is False:
            assert status == 404, cell
            # The probe is audited (the answer is the same 404 as for nothing at all).
            after = AuditEvent.objects.filter(action="access.not_visible").count()
            assert after == probes + 1, f"{cell}: the probe left no audit event"
        elif method == "GET" and visible:
            assert status < 400 or status in ALLOWED_FAILURES, cell
