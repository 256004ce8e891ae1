"""A value shared by every server process on this machine, without the database.

A small file under BEACON_DATA_DIR, mapped into memory by each process and updated under
an exclusive ``fcntl`` lock: reading costs no system call, and no disk write is in the
request path (the operating system writes the page back when it likes). The audit
chainer's wake-up time uses it (beacon.audit.wake). The API rate limit, which once
counted in such a file, lives in the database (one count across nodes, docs/deployment.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
from pathlib import Path

from django.conf import settings


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
