"""The harness's private servers (PostgreSQL, Beacon) listen outside the ephemeral range,
where no client connection's local port can take theirs between the pick and the bind."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.resilience import harness


def test_free_ports_are_outside_the_kernels_ephemeral_range() -> None:
    low, high = harness.ephemeral_ports()
    assert (low, high) == tuple(int(n) for n in Path(harness.EPHEMERAL_RANGE).read_text().split())
    ports = [harness.free_port() for _ in range(100)]
    assert all(port < low or port > high for port in ports), ports
    assert all(port >= 1024 for port in ports)
    with socket.socket() as sock:  # and free: a server can bind it
        sock.bind(("127.0.0.1", ports[0]))


def test_a_range_covering_every_port_is_refused_not_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = tmp_path / "ip_local_port_range"
    wide.write_text("1024\t65535\n")
    monkeypatch.setattr(harness, "EPHEMERAL_RANGE", wide)
    with pytest.raises(RuntimeError, match="outside the ephemeral range 1024-65535"):
        harness.free_port()
