"""Reads say who was shown; probes outside need-to-know are audited but never revealed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from tests.access import world as w


def _plain(content: bytes, asked: str) -> bytes:
    return re.sub(rb"[A-Za-z0-9]{64}", b"CSRF", content.replace(asked.encode(), b"ASKED"))


@pytest.fixture
def small_world(db: None) -> w.World:
    return w.build(
        w.Spec(
            records=[(0, "AMBER"), (0, "AMBER")],
            operations=[(frozenset({0}), None)],
            targets=[(0, 0, 0), (1, 0, 0)],
            victims=[0],
            referrals=[(0, 4)],
        )
    )


@pytest.mark.parametrize("via", ["web", "api"])
def test_a_drilldown_read_names_every_reference_and_record_shown(
    via: str,
    small_world: w.World,
    web_client_as: Callable[..., Client],
    api_client_as: Callable[..., Client],
) -> None:
    agency = small_world.agencies[0]
    client = (web_client_as if via == "web" else api_client_as)("investigator", agency)
    code = small_world.operations[0].code
    url = (
        f"/operations/{code}/figures/targets/"
        if via == "web"
        else f"/api/operations/{code}/figures/targets/records"
    )
    assert client.get(url).status_code == 200
    event = AuditEvent.objects.get(action="operations.drilldown")
    targets = small_world.operations[0].targets.order_by("pk")
    assert event.detail["shown"] == [t.ref for t in targets]
    assert event.detail["records"] == [t.record.nic for t in targets]
    victims = client.get(url.replace("targets", "victims_rescued"))
    assert victims.status_code == 200
    shown = AuditEvent.objects.filter(action="operations.drilldown").last()
    assert shown is not None and shown.detail["shown"] == [small_world.victims[0].ref]


@pytest.mark.parametrize("via", ["web", "api"])
def test_a_probe_outside_need_to_know_is_audited_and_looks_like_nothing(
    via: str,
    small_world: w.World,
    web_client_as: Callable[..., Client],
    api_client_as: Callable[..., Client],
) -> None:
    outsider_agency: Agency = small_world.agencies[1]
    client = (web_client_as if via == "web" else api_client_as)("investigator", outsider_agency)
    prefix = "/records/" if via == "web" else "/api/records/"
    hidden = client.get(f"{prefix}{small_world.records[0].nic}" + ("/" if via == "web" else ""))
    missing = client.get(f"{prefix}M999999999" + ("/" if via == "web" else ""))
    assert hidden.status_code == missing.status_code == 404
    # Nothing tells hidden from missing (once each page's own URL and CSRF mask are set aside).
    nic = small_world.records[0].nic
    assert _plain(hidden.content, nic) == _plain(missing.content, "M999999999")
    probes = AuditEvent.objects.filter(action="access.not_visible").order_by("pk")
    assert [p.detail["path"].rsplit("/", 2)[-2 if via == "web" else -1] for p in probes] == [
        small_world.records[0].nic,
        "M999999999",
    ]
    assert {p.actor.split("/token:")[0] for p in probes} == {client.actor.name}  # type: ignore[attr-defined]
    assert {p.outcome for p in probes} == {"denied"}


@pytest.mark.django_db
def test_every_drilldown_metric_names_each_row_it_showed() -> None:
    """Generated from the drill-down's own list of metrics, on the tiny bundle (records,
    targets, victims, arrests, services, referrals...): every row shown is named in the
    audit event by its reference, so a metric added later cannot show rows unnamed."""
    from beacon.core.actor import system_actor
    from beacon.operations.reports.drilldown import KNOWN, drilldown
    from tests.operations.factories import CODE, load_tiny

    load_tiny()
    shown_somewhere = 0
    for metric in sorted(KNOWN):
        answer = drilldown(system_actor(), CODE, metric)
        event = AuditEvent.objects.filter(action="operations.drilldown").latest("id")
        assert event.detail["metric"] == metric
        rows = answer["rows"]
        assert event.detail["rows"] == len(rows), metric
        assert len(event.detail["shown"]) == len(rows), metric
        assert all(isinstance(ref, str) and ref for ref in event.detail["shown"]), (
            metric,
            event.detail["shown"],
        )
        nics = [row["nic"] for row in rows if row.get("nic")]
        assert event.detail["records"] == nics, metric
        shown_somewhere += bool(rows)
    assert shown_somewhere >= 10  # the bundle really exercises most metrics
