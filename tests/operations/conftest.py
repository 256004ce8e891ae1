"""Fixtures of the operations tests: the demo loaded once per module, rolled back after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from beacon.core.actor import system_actor
from beacon.operations.demo.loader import load_demo


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The four seed operations, loaded through the importer once for the whole module.

    Loaded inside a transaction that is rolled back when the module ends, so the
    other modules (and the tests' own rolled-back transactions) never see it.
    """
    directory = tmp_path_factory.mktemp("demo-bundles")
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                load_demo(system_actor(), directory)
                yield directory
                raise _Rollback
        except _Rollback:
            pass


def report_json(code: str, lang: str = "en") -> dict[str, Any]:
    """The report as ``beacon report CODE --format json`` prints it."""
    out = StringIO()
    call_command("report", code, "--format", "json", "--lang", lang, stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data
