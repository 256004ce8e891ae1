"""TLP 2.0 in the PFIF partner export: a partner export leaves the exporter's
organisation, so each marking decides (``beacon.access.may_share_outside``):
CLEAR and GREEN go; AMBER goes only from its originating agency; AMBER+STRICT and RED
never go in bulk. What is withheld is counted and audited, never silently dropped."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.interchange import pfif
from beacon.operations.models import Operation, Target
from beacon.records.models import MissingPersonRecord

MARKINGS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")


@pytest.fixture
def marked(
    enter: Callable[..., MissingPersonRecord], operation: Operation, agency_b: Agency
) -> dict[str, str]:
    """One record of agency A per marking, each a target agency B is assigned to work."""
    nics = {}
    for n, tlp in enumerate(MARKINGS):
        record = enter(oca=f"TLP-{n}", tlp=tlp)
        Target.objects.create(operation=operation, record=record, assigned_agency=agency_b)
        nics[tlp] = record.nic
    return nics


def _exported(actor: Actor, nics: dict[str, str]) -> tuple[set[str], set[str]]:
    document, counts = pfif.export_pfif(actor)
    text = document.decode()
    out = {tlp for tlp, nic in nics.items() if f"/{nic}</pfif:person_record_id>" in text}
    event = AuditEvent.objects.filter(action="interchange.export").latest("id")
    withheld = {tlp for tlp, nic in nics.items() if nic in event.detail["withheld_tlp"]}
    assert counts["withheld_tlp"] == len(withheld)
    return out, withheld


def test_the_originating_agency_sends_clear_green_and_its_own_amber(
    hub_a: Actor, marked: dict[str, str]
) -> None:
    out, withheld = _exported(hub_a, marked)
    assert out == {"CLEAR", "GREEN", "AMBER"}
    assert withheld == {"AMBER+STRICT", "RED"}


def test_a_partner_agency_may_not_pass_on_another_agencys_amber(
    hub_b: Actor, marked: dict[str, str]
) -> None:
    out, withheld = _exported(hub_b, marked)
    assert out == {"CLEAR", "GREEN"}
    # It sees AMBER and (assigned to work it) AMBER+STRICT, but may not send them on;
    # RED it does not even see.
    assert withheld == {"AMBER", "AMBER+STRICT"}


def test_the_system_actor_acts_for_no_organisation(system: Actor, marked: dict[str, str]) -> None:
    out, withheld = _exported(system, marked)
    assert out == {"CLEAR", "GREEN"}
    assert withheld == {"AMBER", "AMBER+STRICT", "RED"}
