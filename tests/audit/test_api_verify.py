"""`GET /api/audit/verify`: the same verifier as the CLI, read only."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.audit import services
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor


def test_the_api_reports_a_forged_event_and_changes_nothing(
    api_client_as: Callable[..., Client], system: Actor
) -> None:
    services.record(system, "test.real")
    chain_pending()
    admin = api_client_as("system_admin", Agency.system())
    first = admin.get("/api/audit/verify")
    assert first.status_code == 200
    assert first.json()["ok"] is True
    forged = AuditEvent.objects.create(
        at=timezone.now(), actor="ghost", agency_ori="X", role="x", action="x", mac="f" * 64
    )
    for _ in range(2):
        answer = admin.get("/api/audit/verify").json()
        assert answer["ok"] is False
        assert any(f"event id {forged.pk}: no valid proof" in p for p in answer["problems"])
    assert AuditEvent.objects.get(pk=forged.pk).seq is None
