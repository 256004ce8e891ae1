"""The audit key: required outside demo/development/test, never the master key, and
needed to write and to check events."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from beacon.audit import services
from beacon.core.actor import Actor

MASTER = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
AUDIT = base64.b64encode(b"k" * 32).decode()


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BEACON_") and k != "DJANGO_SETTINGS_MODULE"
    }
    production = {
        "BEACON_MODE": "production",
        "BEACON_SECRET_KEY": "x" * 50,
        "BEACON_MASTER_KEY": MASTER,
        "BEACON_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "beacon.cli", "check"],
        env={**clean, **production, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("key", ["", MASTER], ids=["unset", "the-master-key"])
def test_production_refuses_to_start_without_an_audit_key_of_its_own(
    tmp_path: Path, key: str
) -> None:
    result = _check(tmp_path, **({"BEACON_AUDIT_KEY": key} if key else {}))
    assert result.returncode == 2
    assert "BEACON_AUDIT_KEY" in result.stderr and "Traceback" not in result.stderr


def test_production_starts_with_an_audit_key(tmp_path: Path) -> None:
    result = _check(tmp_path, BEACON_AUDIT_KEY=AUDIT)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_audit_key_is_refused_with_a_clear_message(system: Actor, key: str) -> None:
    with override_settings(AUDIT_KEY=key), pytest.raises(ImproperlyConfigured, match="AUDIT_KEY"):
        services.record(system, "test.keyless")
