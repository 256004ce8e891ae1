"""The API rate limit's counter is one count across server processes (two real processes
hitting one file at once), and a limit of N lets exactly N requests through in total."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from beacon.core.counters import SharedMinuteCounter

HITS = 400
HIT_MANY = """
import sys
from pathlib import Path
from beacon.core.counters import SharedMinuteCounter
counter = SharedMinuteCounter(Path(sys.argv[1]))
sys.stdin.readline()  # both processes start together
print(" ".join(str(counter.hit("7:alice", 29000000)) for _ in range(int(sys.argv[2]))))
"""


def _two_processes(path: Path) -> list[list[int]]:
    procs = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", HIT_MANY, str(path), str(HITS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [proc.communicate(timeout=60)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    return [[int(n) for n in out.split()] for out in outputs]


def test_two_processes_share_one_count(tmp_path: Path) -> None:
    path = tmp_path / "rate.bin"
    counts = _two_processes(path)
    # Every hit got its own number: no hit was lost or counted twice between processes.
    assert sorted(counts[0] + counts[1]) == list(range(1, 2 * HITS + 1))
    limit = 250  # the rule check_api_rate applies: a hit numbered above the limit is refused
    allowed = sum(1 for process in counts for n in process if n <= limit)
    assert allowed == limit
    assert SharedMinuteCounter(path).hit("7:alice", 29000000) == 2 * HITS + 1


def test_a_new_minute_starts_again_and_keys_are_apart(tmp_path: Path) -> None:
    counter = SharedMinuteCounter(tmp_path / "rate.bin")
    assert [counter.hit("1:a", 10) for _ in range(3)] == [1, 2, 3]
    assert counter.hit("2:b", 10) == 1
    assert counter.hit("1:a", 11) == 1
    counter.clear()
    assert counter.hit("2:b", 11) == 1


def test_every_key_keeps_counting_when_the_file_is_full(tmp_path: Path) -> None:
    counter = SharedMinuteCounter(tmp_path / "rate.bin")
    keys = [f"user:{i}" for i in range(20_000)]  # more live keys than slots in one minute
    for key in keys:
        counter.hit(key, 5)
    assert [counter.hit(key, 5) for key in keys[:3] + keys[-3:]] == [2] * 6
