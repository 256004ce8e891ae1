"""Two Beacon application nodes on one PostgreSQL: what must hold across them.

Two gunicorn processes with their own BEACON_DATA_DIR (as on two machines) serve the test
database on free loopback ports. The API rate limit counts across both, an
Idempotency-Key used on one node replays on the other, sign-in failures on both nodes
add up to one lockout, and the audit chain verifies after both nodes wrote. SQLite is a
file on one machine: two nodes need a database server, so this test runs on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth.models import User
from django.db import connection

from beacon.access import services, tokens
from beacon.access.models import Membership
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.audit.verify import verify
from beacon.core.actor import system_actor
from tests.resilience.harness import free_port

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
RATE = 8  # API requests per account and minute on the nodes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="two application nodes need a shared database server (set DATABASE_URL to "
        "PostgreSQL); SQLite is a file on one machine",
    ),
]


class Node:
    def __init__(self, name: str, data_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        settings = connection.settings_dict
        url = urlsplit(os.environ["DATABASE_URL"])
        database_url = urlunsplit(url._replace(path="/" + str(settings["NAME"])))
        env = {
            **os.environ,
            "BEACON_MODE": "test",
            "DATABASE_URL": database_url,
            "BEACON_DATA_DIR": str(data_dir),
            "BEACON_API_RATE_PER_MINUTE": str(RATE),
            # As in production: each node chains its audit events on a background thread
            # (test mode would chain inline), under the database's chain lock.
            "BEACON_AUDIT_CHAINER": "thread",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(GUNICORN),
                "beacon.wsgi:application",
                *("--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4"),
                *("--log-level", "warning"),
            ],
            env=env,
            cwd=REPO,
            start_new_session=True,
        )

    def wait_healthy(self, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"node {self.name} exited"
            with contextlib.suppress(OSError):
                if self.request("GET", "/healthz")[0] == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"node {self.name} did not become healthy within {within} s")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    a = Node("A", tmp_path / "node-a")
    b = Node("B", tmp_path / "node-b")
    try:
        a.wait_healthy()
        b.wait_healthy()
        yield a, b
    finally:
        a.stop()
        b.stop()


def api_token(username: str, role: str, agency: Agency) -> str:
    user = services.create_user(system_actor(), username, secrets.token_urlsafe(16), agency, role)
    return tokens.create_token(services.actor_of_user(user), "two nodes")[1]


def sign_in(node: Node, username: str, password: str) -> int:
    """Post the sign-in form as a browser does (CSRF cookie and field from the page)."""
    status, headers, page = node.request("GET", "/account/sign-in/")
    assert status == 200
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))["csrftoken"].value
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    form = {"csrfmiddlewaretoken": found.group(1).decode(), "username": username}
    form |= {"password": password, "code": "000000"}
    status, _headers, _body = node.request(
        "POST",
        "/account/sign-in/",
        urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"},
    )
    return status


def wait_for_a_fresh_minute_if_needed(needed: float = 10.0) -> None:
    """The rate window is a clock minute: do not start counting just before it turns."""
    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.2)


def test_rate_limit_idempotency_lockout_and_audit_hold_across_two_nodes(
    nodes: tuple[Node, Node], agency_a: Agency
) -> None:
    a, b = nodes
    # --- the API rate limit counts both nodes' requests
    investigator = api_token("inv.two.nodes", "investigator", agency_a)
    bearer = {"Authorization": f"Bearer {investigator}"}
    wait_for_a_fresh_minute_if_needed()
    statuses = [
        (a if i % 2 else b).request("GET", "/api/access/me", None, bearer)[0] for i in range(RATE)
    ]
    assert statuses == [200] * RATE
    assert a.request("GET", "/api/access/me", None, bearer)[0] == 429
    assert b.request("GET", "/api/access/me", None, bearer)[0] == 429
    assert AuditEvent.objects.filter(action="access.rate_limited").count() == 1

    # --- an Idempotency-Key used on A replays on B; nothing runs twice
    admin = api_token("admin.two.nodes", "system_admin", Agency.system())
    key = uuid.uuid4().hex
    new_user: dict[str, Any] = {
        "username": "made.on.a",
        "password": secrets.token_urlsafe(16),
        "agency_ori": agency_a.ori,
        "role": "investigator",
    }
    body = json.dumps(new_user).encode()
    write = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    write["Idempotency-Key"] = key
    first = a.request("POST", "/api/access/users", body, write)
    assert first[0] == 201, first[2]
    again = b.request("POST", "/api/access/users", body, write)
    assert again[0] == 201 and again[1].get("Idempotent-Replayed") == "true"
    assert again[2] == first[2]
    other = json.dumps({**new_user, "username": "other.on.b"}).encode()
    assert b.request("POST", "/api/access/users", other, write)[0] == 422
    assert User.objects.filter(username__in=["made.on.a", "other.on.b"]).count() == 1

    # --- sign-in failures on A and on B add up to one lockout, which holds on both
    password = secrets.token_urlsafe(16)
    locked = services.create_user(system_actor(), "lock.two.nodes", password, agency_a, "pio")
    for node in (a, b, a, b, a):
        assert sign_in(node, "lock.two.nodes", "not the password!") == 401
    assert Membership.objects.get(user=locked).locked_at is not None
    assert sign_in(b, "lock.two.nodes", password) == 401
    assert sign_in(a, "lock.two.nodes", password) == 401
    refusals = AuditEvent.objects.filter(action="auth.logon_failed", object_id=str(locked.pk))
    assert [e.detail["reason"] for e in refusals.order_by("id")][-2:] == ["account locked"] * 2
    assert AuditEvent.objects.filter(action="account.locked").count() == 1

    # --- the nodes' chainers chained every event into one chain that verifies
    deadline = time.monotonic() + 15
    while AuditEvent.objects.filter(seq__isnull=True).exists():
        assert time.monotonic() < deadline, "the nodes left audit events unchained"
        time.sleep(0.1)
    report = verify()
    assert report.ok, report.problems
    assert report.checked == AuditEvent.objects.count() >= 15
