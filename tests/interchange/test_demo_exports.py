"""Partner exports of the demo data give something to look at: TLP:GREEN demo records,
synthetic NIBRS incidents and HTCDS data consent (``beacon.interchange.demo``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from beacon.core.actor import system_actor
from beacon.interchange import htcds, ncic, nibrs, pfif
from beacon.interchange.demo import add_demo_interchange
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.demo import reclaim_and_rebuild, rescue_me
from beacon.operations.demo.loader import load_demo
from beacon.records.models import MissingPersonRecord


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("demo-bundles")
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                load_demo(system_actor(), directory)
                yield directory
                raise _Rollback
        except _Rollback:
            pass


@pytest.mark.django_db
def test_a_command_line_export_of_the_demo_is_not_empty(demo: Path) -> None:
    green = MissingPersonRecord.objects.filter(tlp="GREEN").count()
    assert 0 < green < MissingPersonRecord.objects.count()
    document, counts = pfif.export_pfif(system_actor(), operation="RESCUE-ME-2021")
    assert counts["persons"] == 20 and counts["withheld_tlp"] == 60
    assert document.count(b"<pfif:person>") == 20
    file = ncic.export_ncic(system_actor(), operation="RESCUE-ME-2021")
    assert len(file.nics) == 20


@pytest.mark.django_db
def test_every_format_s_export_of_the_demo_is_not_empty(demo: Path) -> None:
    system = system_actor()
    assert len(export_bundle(system, rescue_me.CODE)["targets"]) == 20  # the GREEN ones
    cases = htcds.export_htcds(system, reclaim_and_rebuild.CODE)["cases"]
    assert cases and all(c["victim"]["con_Consent"] for c in cases)
    document = nibrs.export_nibrs(system, reclaim_and_rebuild.CODE)
    assert document["incidents"] and document["withheld"] == {"tlp": 0}
    summary = nibrs.offense_summary(system, reclaim_and_rebuild.CODE)
    assert summary.offenses == summary.offenses_cleared == summary.arrests > 0
    assert add_demo_interchange() == {"incidents": 0, "htcds_cases": 0}  # idempotent


@pytest.mark.django_db
def test_the_command_line_exports_of_the_demo_are_not_empty(demo: Path, tmp_path: Path) -> None:
    for fmt, code in (
        ("pfif", rescue_me.CODE),
        ("ncic", rescue_me.CODE),
        ("htcds", reclaim_and_rebuild.CODE),
        ("nibrs", reclaim_and_rebuild.CODE),
    ):
        out = tmp_path / f"demo.{fmt}"
        call_command("interchange", "export", fmt, "--operation", code, "-o", str(out))
        text = out.read_text()
        assert text.strip(), fmt
        if fmt == "ncic":
            assert len(text.splitlines()) == 20 and text.startswith("EM")
        if fmt in ("htcds", "nibrs"):
            assert json.loads(text)["cases" if fmt == "htcds" else "incidents"], fmt
    out = tmp_path / "bundle.json"
    call_command("bundle", "export", rescue_me.CODE, "--output", str(out))
    assert len(json.loads(out.read_text())["records"]) == 20
