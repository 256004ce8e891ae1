"""Per-minute counters shared by every server process on this machine, without the database.

A small file of fixed slots under BEACON_DATA_DIR, mapped into memory by each process and
updated under an exclusive ``fcntl`` lock (plus a thread lock: fcntl locks belong to the
process). Counting a hit costs two system calls and no disk write in the request path;
the operating system writes the pages back when it likes. A crash loses nothing that
matters: at worst a minute's counts.

Slot: key hash (8 bytes, 0 = empty), minute (4), count (4). A key lives in the first free
or stale slot of a short linear probe; when every probed slot is live the hit is counted
in this process only (the limit then holds per process, as before).
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
from pathlib import Path

from django.conf import settings

SLOT = struct.Struct("<QII")
SLOTS = 8192
PROBE = 64


def database_scoped_path(name: str) -> Path:
    """A file under BEACON_DATA_DIR/run shared by the processes serving one database (two
    Beacons, or two test runs, on one machine never share it)."""
    db = settings.DATABASES["default"]
    where = f"{db.get('ENGINE')}|{db.get('HOST')}|{db.get('PORT')}|{db.get('NAME')}"
    tag = hashlib.blake2b(where.encode(), digest_size=6).hexdigest()
    return Path(settings.DATA_DIR) / "run" / f"{name}-{tag}.bin"


def _map_file(path: Path, size: int) -> tuple[int, mmap.mmap]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if os.fstat(fd).st_size < size:
        os.ftruncate(fd, size)  # zero-filled
    return fd, mmap.mmap(fd, size)


class SharedStamp:
    """One monotonic time (CLOCK_MONOTONIC is the same clock in every process of the
    machine) shared by processes: only ever moved forward. An 8-byte aligned value in a
    memory-mapped file; a torn read is not possible on 64-bit machines, and a stale one
    only makes the reader do work it could have skipped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._map: mmap.mmap | None = None
        self._fd = -1
        self._pid = 0

    def _mapped(self) -> mmap.mmap:
        if self._map is None or self._pid != os.getpid():
            self._fd, self._map = _map_file(self.path, 8)
            self._pid = os.getpid()
        return self._map

    def read(self) -> float:
        return float(struct.unpack_from("<d", self._mapped(), 0)[0])

    def advance(self, value: float) -> None:
        memory = self._mapped()
        fcntl.lockf(self._fd, fcntl.LOCK_EX)
        try:
            if struct.unpack_from("<d", memory, 0)[0] < value:
                struct.pack_into("<d", memory, 0, value)
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN)


class SharedMinuteCounter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.Lock()
        self._map: mmap.mmap | None = None
        self._fd = -1
        self._pid = 0
        self._fallback: dict[int, tuple[int, int]] = {}

    def _mapped(self) -> mmap.mmap:
        if self._map is not None and self._pid == os.getpid():
            return self._map
        self._fd, self._map = _map_file(self.path, SLOT.size * SLOTS)  # every slot empty
        self._pid = os.getpid()
        return self._map

    def hit(self, key: str, minute: int) -> int:
        """Count one hit for ``key`` in ``minute``; return the count in that minute so far."""
        digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
        digest = digest or 1
        minute &= 0xFFFFFFFF
        with self._thread_lock:
            memory = self._mapped()
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                return self._count(memory, digest, minute)
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)

    def _count(self, memory: mmap.mmap, digest: int, minute: int) -> int:
        free = -1
        start = digest % SLOTS
        for step in range(PROBE):
            offset = ((start + step) % SLOTS) * SLOT.size
            stored, stored_minute, count = SLOT.unpack_from(memory, offset)
            if stored == digest:
                count = count + 1 if stored_minute == minute else 1
                SLOT.pack_into(memory, offset, digest, minute, count)
                return int(count)
            if free < 0 and (stored == 0 or stored_minute != minute):
                free = offset
        if free >= 0:
            SLOT.pack_into(memory, free, digest, minute, 1)
            return 1
        window, count = self._fallback.get(digest, (minute, 0))
        count = count + 1 if window == minute else 1
        self._fallback[digest] = (minute, count)
        return count

    def clear(self) -> None:
        """Forget every count (tests)."""
        with self._thread_lock:
            memory = self._mapped()
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                memory[:] = bytes(len(memory))
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)
            self._fallback.clear()
