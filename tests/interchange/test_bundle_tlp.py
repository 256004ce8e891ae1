"""Operation bundles leave the organisation: TLP 2.0 decides which targets go, as in PFIF."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor, system_actor
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.bundles.importer import import_bundle
from beacon.operations.models import Target
from beacon.records.models import MissingPersonRecord
from tests.operations.factories import CODE, LEAD, PARTNER, load_tiny

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _hub(ori: str) -> Actor:
    return Actor(name=ori.lower(), agency=Agency.objects.get(ori=ori), role="hub_coordinator")


def test_a_bundle_carries_only_targets_whose_record_may_leave() -> None:
    load_tiny()
    green = MissingPersonRecord.objects.get(oca="T-1")
    amber = MissingPersonRecord.objects.get(oca="T-2")
    MissingPersonRecord.objects.filter(pk=green.pk).update(tlp="GREEN")
    assert amber.tlp == "AMBER"
    # The system actor speaks for no organisation: CLEAR and GREEN only.
    bundle = export_bundle(system_actor(), CODE)
    assert [r["oca"] for r in bundle["records"]] == ["T-1"]
    assert [t["ref"] for t in bundle["targets"]] == ["T1"]
    event = AuditEvent.objects.filter(action="operations.export").last()
    assert event is not None and event.detail["withheld_tlp"] == [amber.nic]
    # The originating agency may send its own AMBER record; a partner may not pass it on.
    assert len(export_bundle(_hub(PARTNER), CODE)["targets"]) == 2
    assert [t["ref"] for t in export_bundle(_hub(LEAD), CODE)["targets"]] == ["T1"]
    # RED never leaves in a bundle, even from its originator.
    MissingPersonRecord.objects.filter(pk=green.pk).update(tlp="RED")
    assert [t["ref"] for t in export_bundle(_hub(PARTNER), CODE)["targets"]] == ["T2"]


def test_a_bundle_with_targets_withheld_still_imports_whole() -> None:
    with pytest.raises(_Undo), transaction.atomic():
        load_tiny()
        MissingPersonRecord.objects.filter(oca="T-1").update(tlp="GREEN")
        exported = json.loads(json.dumps(export_bundle(system_actor(), CODE)))
        raise _Undo
    import_bundle(system_actor(), exported)
    assert list(Target.objects.values_list("ref", flat=True)) == ["T1"]
    assert list(MissingPersonRecord.objects.values_list("oca", flat=True)) == ["T-1"]
