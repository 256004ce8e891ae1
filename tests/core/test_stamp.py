"""The shared stamp (beacon.core.stamp) only moves forward, and every process on the
machine reads what any of them wrote."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from beacon.core.stamp import SharedStamp

ADVANCE = """
import sys
from pathlib import Path
from beacon.core.stamp import SharedStamp
stamp = SharedStamp(Path(sys.argv[1]))
for value in sys.argv[2:]:
    stamp.advance(float(value))
print(stamp.read())
"""


def _in_another_process(path: Path, *values: float) -> float:
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", ADVANCE, str(path), *map(str, values)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(done.stdout)


def test_a_stamp_never_moves_back(tmp_path: Path) -> None:
    stamp = SharedStamp(tmp_path / "stamp.bin")
    assert stamp.read() == 0.0
    stamp.advance(12.5)
    stamp.advance(3.0)
    assert stamp.read() == 12.5


def test_another_process_sees_the_stamp_and_cannot_move_it_back(tmp_path: Path) -> None:
    path = tmp_path / "stamp.bin"
    SharedStamp(path).advance(100.0)
    assert _in_another_process(path, 50.0) == 100.0
    assert _in_another_process(path, 150.0) == 150.0
    assert SharedStamp(path).read() == 150.0
