"""A refused request changes nothing, and no one obtains another person's secret: generated
from the route tables. Every route that can write (every API POST/PUT/PATCH/DELETE and
every page, posted to) is called by an administrator and by an investigator, each aimed at
their own account and at someone else's, with a body that names another owner, a
case-reading role, an agency and a reason. For every answer:

- a 4xx or 5xx leaves every table as it was, except the records a refusal is meant to
  leave (the audit trail, sign-in attempts, sessions, idempotency keys) and the "last
  seen" bookkeeping columns;
- an API token created by the request belongs to the caller, and a raw token appears in
  the answer only then.

The case found by the outside review (``POST /api/access/users/admin/role`` answering 400
after the change was saved) is one cell of this table; so is an administrator minting a
token for an investigator (``POST /api/access/tokens {"owner": ...}``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import services, tokens
from beacon.access.models import ApiToken
from beacon.access.services import actor_of_user
from beacon.core.actor import system_actor
from tests.access import routes_table
from tests.access import world as w

# What a refusal is meant to leave behind, and bookkeeping that any request may touch.
REFUSAL_RECORDS = {
    "django_session",
    "audit_auditevent",
    "audit_chainhead",
    "access_signinattempt",
    "resilience_idempotencyrecord",
    # The per-account API request count (beacon.access.ratelimit) counts every request,
    # refused or not: that is what a rate limit is for.
    "access_apiratewindow",
}
BOOKKEEPING = {"last_activity_at", "last_used_at"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
ROUTES = [
    r
    for r in routes_table.all_routes()
    if r.kind == "web" or set(r.methods) & WRITES
    if r.path not in {"/account/sign-out/"}  # ends the session: checked in test_sessions
]
PERSONAS = ("admin", "investigator")
TARGETS = ("self", "other")


class _Rollback(Exception):
    pass


def snapshot() -> dict[str, str]:
    """A digest of every table's rows (refusal records and bookkeeping columns aside)."""
    digests = {}
    for model in apps.get_models():
        table = model._meta.db_table
        if table in REFUSAL_RECORDS:
            continue
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in BOOKKEEPING]
        rows = model._default_manager.order_by("pk").values_list(*columns)
        digests[table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def sweep(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
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
                people = {}
                for name, role, agency in (
                    ("admin", "system_admin", world.agencies[0]),
                    ("second.admin", "system_admin", world.agencies[0]),
                    ("investigator", "investigator", world.agencies[0]),
                ):
                    user = services.create_user(
                        system_actor(), name, "sweep passphrase 1234", agency, role
                    )
                    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
                    people[name] = (user, device)
                token, _raw = tokens.create_token(
                    actor_of_user(people["investigator"][0]), "theirs"
                )
                target = world.operations[0].targets.get()
                values = {
                    "nic": world.records[0].nic,
                    "code": world.operations[0].code,
                    "target": target.ref,
                    "victim": world.victims[0].ref,
                    "referral": world.referrals[0].ref,
                    "prefix": token.prefix,
                }
                yield {"world": world, "people": people, "values": values}
                raise _Rollback
        except _Rollback:
            pass


def _signed_in(user: User, device: TOTPDevice) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _url(route: routes_table.Route, values: dict[str, str], username: str) -> str:
    path = route.path
    for param in route.params:
        kind = param
        if param == "ref":
            kind = next(
                (k for k in ("target", "victim", "referral") if f"/{k}s/" in path), "referral"
            )
        value = username if param == "username" else values.get(kind, "999999")
        path = path.replace("{" + param + "}", value, 1)
    return path


def _body(world: w.World, other: str) -> dict[str, Any]:
    """One body for every route: the fields the writing routes take, aimed at harm."""
    return {
        "owner": other,
        "name": "sweep",
        "role": "hub_coordinator",
        "agency_ori": world.agencies[1].ori,
        "agency": world.agencies[1].ori,
        "reason": "sweep",
        "username": "sweep.new",
        "password": "a long sweep passphrase 1",
        "days": 30,
        "code": "000000",
        "language": "fr",
    }


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_refused_request_changes_nothing_and_yields_no_one_elses_secret(
    route: routes_table.Route, sweep: dict[str, Any], db: None
) -> None:
    people = sweep["people"]
    for persona in PERSONAS:
        user, device = people[persona]
        for aim in TARGETS:
            username = persona if aim == "self" else "investigator"
            if persona == "investigator" and aim == "other":
                username = "admin"
            url = _url(route, sweep["values"], username)
            body = _body(sweep["world"], username if aim == "other" else "second.admin")
            client = _signed_in(user, device)
            tokens_before = set(ApiToken.objects.values_list("pk", flat=True))
            before = snapshot()
            method = route.methods[0] if route.kind == "api" else "POST"
            if route.kind == "api":
                response = client.generic(
                    method, url, data=json.dumps(body), content_type="application/json"
                )
            else:
                response = client.post(url, body)
            cell = f"{route} as {persona} aimed at {aim} ({url}): {response.status_code}"
            if response.status_code >= 400:
                after = snapshot()
                changed = sorted(t for t in before if before[t] != after[t])
                assert changed == [], f"{cell} changed {changed}"
            made = ApiToken.objects.exclude(pk__in=tokens_before)
            assert {t.owner_id for t in made} <= {user.pk}, cell
            content = response.content if not response.streaming else b""
            if b"bcn_" in content:
                assert made.filter(owner=user).exists(), f"{cell} shows a raw token"
