"""Hostile input against the whole JSON API (schemathesis over /api/openapi.json).

Every operation in the schema, as every role (an API token of agency A), with generated
valid and invalid input: no server error, no response that breaks the documented schema
or content type, and never agency B's personal data in an answer to agency A.
Bounded: a few examples per operation and role, no shrinking, no example database.
"""

from __future__ import annotations

import secrets
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.generation import GenerationMode

from beacon.access import services as access
from beacon.access import tokens
from beacon.access.services import HUMAN_ROLES, actor_of_user
from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.records import services as registry
from beacon.records.inputs import RecordInput

EXAMPLES_PER_OPERATION = 1
# Agency B's child: none of this may ever reach a user of agency A.
B_LAST, B_FIRST = "Qzxbravoz", "Secretiaq"
# The audit trail's event details carry a record's names; the system administrator (who
# reads the audit trail of every agency but no case file) must see them redacted (test below).
AUDIT_PATH = "/api/audit/"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The production WSGI handler, kept on the test's connection (as Django's test
    client does) so the generated writes roll back with the test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def crashes() -> Iterator[list[str]]:
    """Tracebacks of exceptions raised while handling a request (for the failure text)."""
    seen: list[str] = []

    def keep(sender: Any, request: Any = None, **kwargs: Any) -> None:
        seen.append(
            f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}\n"
            + traceback.format_exc()
        )

    got_request_exception.connect(keep, weak=False)
    yield seen
    got_request_exception.disconnect(keep)


def _token(role: str, agency: Agency) -> str:
    user = access.create_user(
        system_actor(),
        f"fuzz-{role}-{secrets.token_hex(3)}",
        secrets.token_urlsafe(16),
        agency,
        role,
    )
    _made, raw = tokens.create_token(actor_of_user(user), "fuzz")
    return str(raw)


def _child(agency: Agency, last: str, first: str, oca: str) -> None:
    registry.enter_record(
        system_actor(),
        RecordInput(
            category="EMJ",
            last_name=last,
            first_name=first,
            sex="F",
            dob=date(2008, 3, 4),
            dlc=date(2021, 5, 1),
            oca=oca,
            originating_ori=agency.ori,
        ),
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_every_operation_as_every_role_gives_no_server_error_and_no_foreign_data(
    agency_a: Agency,
    agency_b: Agency,
    wsgi_app: WSGIHandler,
    crashes: list[str],
) -> None:
    _child(agency_a, "Alphaownz", "Visiblea", "A-1")
    _child(agency_b, B_LAST, B_FIRST, "B-1")
    roles = {role: {"Authorization": f"Bearer {_token(role, agency_a)}"} for role in HUMAN_ROLES}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    answered: Counter[int] = Counter()

    for operation in operations:
        strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | (
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            for role, headers in roles.items():
                # The role's token always goes out (generated cases may drop or garble it).
                case.headers = {**(case.headers or {}), **headers}
                response = case.call()
                answered[response.status_code] += 1
                label = f"{case.method} {case.formatted_path} as {role} -> {response.status_code}"
                foreign = B_LAST in response.text or B_FIRST in response.text
                if foreign and AUDIT_PATH not in case.path:
                    failures.append(f"{label}: agency B's child in an answer to agency A")
                try:
                    case.validate_response(response, checks=CHECKS)
                except Exception as exc:  # schemathesis groups check failures in one error
                    failures.append(f"{label}: {str(exc)[:800]}")

        run()
    assert sum(answered.values()) >= len(operations) * len(roles)
    assert not failures, "\n\n".join(failures[:8]) + "\n\n" + "\n".join(crashes[:2])
    assert not crashes, crashes[0]


@pytest.mark.django_db
def test_the_audit_trail_does_not_show_another_agencys_child_to_the_system_admin(
    agency_a: Agency, agency_b: Agency
) -> None:
    _child(agency_b, B_LAST, B_FIRST, "B-1")
    client = Client(headers={"Authorization": f"Bearer {_token('system_admin', agency_a)}"})
    for path in ("/api/audit/events", "/api/audit/events.csv"):
        response = client.get(path)
        assert response.status_code == 200
        body = (
            b"".join(response.streaming_content)  # the CSV export streams
            if response.streaming
            else response.content
        )
        assert B_LAST not in body.decode()
        assert "[redacted]" in body.decode()
