"""Served as in production (gunicorn workers, BEACON_AUDIT_CHAINER=thread): every event a
burst of writes commits is chained by the workers' chainer threads shortly after, with no
final pass by anyone, and the chain verifies."""

from __future__ import annotations

import threading
import time

import pytest

from beacon.audit.chainer import has_pending
from beacon.audit.models import AuditEvent
from beacon.audit.verify import verify
from tests.resilience.harness import BurstResult, Launcher, burst, free_port
from tests.resilience.probe import PROBE_ACTION


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_served_writes_are_chained_by_the_workers_after_commit(launcher: Launcher) -> None:
    port = free_port()
    pid = launcher.serve(port)
    try:
        result = BurstResult()
        stop = threading.Event()
        threads = burst(port, "chained", stop, result, clients=4)
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        assert len(result.acknowledged) > 10
        deadline = time.monotonic() + 5  # the threads batch 50 ms of commits per pass
        while has_pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not has_pending()
    finally:
        launcher.kill(pid)
    written = AuditEvent.objects.filter(action=PROBE_ACTION)
    assert written.count() == len(result.acknowledged)
    assert not written.filter(seq=None).exists()
    report = verify()
    assert report.ok, report.problems
