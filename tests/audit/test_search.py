from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.test import Client

from beacon.agencies.models import Agency
from beacon.audit import services
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor


def test_admins_search_the_audit_and_the_search_is_audited(
    api_client_as: Callable[..., Client], investigator_a: Actor, investigator_b: Actor
) -> None:
    services.record(investigator_a, "records.read", object_type="record", object_id="M1")
    services.record(investigator_b, "records.read", object_type="record", object_id="M2")
    admin = api_client_as("system_admin", Agency.system())
    found = admin.get("/api/audit/events", {"action": "records.read", "agency_ori": "NM0070100"})
    assert found.status_code == 200
    assert [e["object_id"] for e in found.json()] == ["M1"]
    assert AuditEvent.objects.filter(action="audit.search").count() == 1
    everything = admin.get("/api/audit/events", {"action": "records."}).json()
    assert {e["object_id"] for e in everything} == {"M1", "M2"}
    bad = admin.get("/api/audit/events", {"since": "yesterday"})
    assert bad.status_code == 422 and "since" in bad.json()["fields"]


def test_the_audit_exports_as_csv(
    api_client_as: Callable[..., Client], investigator_a: Actor
) -> None:
    services.record(investigator_a, "records.read", object_id="M1", detail={"fields": ["dob"]})
    admin = api_client_as("system_admin", Agency.system())
    response = admin.get("/api/audit/events.csv", {"action": "records.read"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["object_id"], r["detail"]) for r in rows] == [("M1", '{"fields": ["dob"]}')]
    assert len(rows[0]["at"]) == len("2026-11-23T09:00:00.123456+00:00")
    assert AuditEvent.objects.filter(action="audit.export").count() == 1


def test_case_workers_cannot_read_the_audit_and_the_denial_is_audited(
    api_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    investigator = api_client_as("investigator", agency_a)
    assert investigator.get("/api/audit/events").status_code == 403
    assert investigator.get("/api/audit/events.csv").status_code == 403
    denied = AuditEvent.objects.filter(action="access.denied", outcome="denied")
    assert denied.count() == 2
