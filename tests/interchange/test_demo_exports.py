"""Partner exports of the demo data give something to look at (TLP:GREEN demo records)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from beacon.core.actor import system_actor
from beacon.interchange import ncic, pfif
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
