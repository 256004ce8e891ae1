"""Killing `beacon import records FILE` midway leaves all of the file or none of it;
running it again completes it without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from beacon.agencies.models import Agency
from beacon.audit.verify import verify
from beacon.records.models import MissingPersonRecord
from tests.resilience.harness import records_file, start_import

ROWS = 3000


def _name(n: int) -> str:
    return "".join("abcdefghij"[int(d)] for d in f"{n:05d}").capitalize()


def _file(path: Path, prefix: str) -> Path:
    return records_file(path, [(f"Kill{_name(n)}", f"{prefix}-{n:05d}") for n in range(ROWS)])


def _import(path: Path) -> subprocess.Popen[str]:
    return start_import(path, start_new_session=True)  # killed with its process group


def _imported() -> int:
    return MissingPersonRecord.objects.filter(oca__startswith="KILL-").count()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_killed_midway_leaves_all_or_nothing_and_a_rerun_completes_it(
    tmp_path: Path, agency_a: Agency
) -> None:
    started = time.monotonic()  # how long a whole run takes, on another file
    timed = _import(_file(tmp_path / "timing.csv", "TIME"))
    _out, err = timed.communicate(timeout=300)
    assert timed.returncode == 0, err
    full = time.monotonic() - started
    path = _file(tmp_path / "records.csv", "KILL")

    outcomes = []
    for fraction in (0.3, 0.5, 0.7, 0.85, 0.95):
        running = _import(path)
        time.sleep(full * fraction)
        os.killpg(running.pid, signal.SIGKILL)
        running.wait(timeout=30)
        count = _imported()
        outcomes.append(count)
        assert count in (0, ROWS), f"half an import after a kill at {fraction:.0%}: {count}"
        if count:
            break
    assert 0 in outcomes, f"no kill landed midway ({outcomes}, full run {full:.1f}s)"

    rerun = _import(path)
    _out, err = rerun.communicate(timeout=300)
    assert _imported() == ROWS
    assert (
        MissingPersonRecord.objects.filter(oca__startswith="KILL-").values("oca").distinct().count()
        == ROWS
    )
    assert verify().ok
    assert rerun.returncode in (0, 2), err
