from __future__ import annotations

import os
import subprocess
import sys


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BEACON_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return subprocess.run(
        [sys.executable, "-m", "beacon.cli", "check"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_with_the_default_secret(tmp_path: object) -> None:
    result = _start({"BEACON_MODE": "production", "BEACON_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "BEACON_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_starts_with_a_real_secret(tmp_path: object) -> None:
    result = _start(
        {
            "BEACON_MODE": "production",
            "BEACON_SECRET_KEY": "x" * 50,
            "BEACON_MASTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "BEACON_AUDIT_KEY": "YXVkaXQta2V5LWZvci10aGUtc2V0dGluZ3MtdGVzdCE=",
            "BEACON_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stderr


def test_demo_mode_starts_with_the_default_secret(tmp_path: object) -> None:
    result = _start({"BEACON_MODE": "demo", "BEACON_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
