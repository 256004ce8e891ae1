"""Crashes: SIGKILL the server mid-burst; stop PostgreSQL under load. Nothing acknowledged
is lost, nothing is half-written or written twice, the audit chain still verifies."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.audit.verify import verify
from beacon.resilience.models import IdempotencyRecord
from tests.resilience.harness import (
    REPO,
    BurstResult,
    Launcher,
    PrivatePostgres,
    Write,
    beacon_env,
    burst,
    free_port,
    retry_all,
    send_write,
)
from tests.resilience.probe import PROBE_ACTION

TRIALS = 20


def _assert_exactly_once_and_whole(tokens: set[str], acknowledged: dict[str, str]) -> None:
    agencies = Agency.objects.filter(name__in=tokens)
    per_token = Counter(agencies.values_list("name", flat=True))
    assert set(per_token) == tokens, f"missing: {sorted(tokens - set(per_token))[:5]}"
    assert max(per_token.values()) == 1, "a write landed twice"
    by_token = dict(agencies.values_list("name", "ori"))
    for token, ori in acknowledged.items():
        assert by_token[token] == ori, f"{token}: acknowledged {ori}, stored {by_token[token]}"
    # Whole: each change has its audit event and its stored response, and nothing else.
    events = AuditEvent.objects.filter(action=PROBE_ACTION)
    assert Counter(events.values_list("object_id", flat=True)) == Counter(by_token.values())
    stored = {
        json.loads(bytes(r.body))["ori"]
        for r in IdempotencyRecord.objects.filter(status=201).only("body")
    }
    assert stored == set(by_token.values())
    report = verify()
    assert report.ok, report.problems


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_acknowledged_writes_survive_sigkill_of_the_server_mid_burst(launcher: Launcher) -> None:
    rng = random.Random(7)
    result = BurstResult()
    acked_per_trial = []
    for trial in range(TRIALS):
        port = free_port()
        pid = launcher.serve(port)
        stop = threading.Event()
        before = len(result.acknowledged)
        threads = burst(port, f"kill{trial}", stop, result)
        # Kill mid-burst: once writes are being acknowledged, at a random moment.
        deadline = time.monotonic() + 5
        while len(result.acknowledged) == before and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.05, 0.3))
        launcher.kill(pid)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        acked_per_trial.append(len(result.acknowledged) - before)
    # Writes were acknowledged in every trial, and some were cut off mid-flight.
    assert min(acked_per_trial) > 0, acked_per_trial
    assert result.in_doubt
    assert {status for status, _ in result.statuses} == {201}

    # Every acknowledged write is there, whole, before anything is retried.
    acknowledged = dict(result.acknowledged)
    assert set(Agency.objects.filter(name__in=acknowledged).values_list("name", flat=True)) == set(
        acknowledged
    )

    # Clients retry what got no answer, with the same keys: each lands exactly once.
    port = free_port()
    pid = launcher.serve(port)
    retried = BurstResult()
    retry_all(port, result.in_doubt, retried)
    launcher.kill(pid)
    assert not retried.in_doubt
    tokens = set(acknowledged) | {w.token for w in result.in_doubt}
    _assert_exactly_once_and_whole(tokens, {**acknowledged, **retried.acknowledged})


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[PrivatePostgres]:
    """A private PostgreSQL server holding a copy of the migrated test database."""
    if connection.vendor != "postgresql":
        pytest.skip("stopping PostgreSQL applies to the PostgreSQL pass only")
    server = PrivatePostgres()
    try:
        schema = tmp_path / "schema.backup"
        call_command("backup", str(schema))
        restored = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "beacon.cli", "restore", str(schema)],
            env=beacon_env(DJANGO_SETTINGS_MODULE="beacon.settings", DATABASE_URL=server.url),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert restored.returncode == 0, restored.stderr
        yield server
    finally:
        server.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_stopping_postgresql_under_load_gives_fast_503s_then_recovers_losing_nothing(
    private_postgres: PrivatePostgres,
) -> None:
    launcher = Launcher(
        beacon_env(
            DJANGO_SETTINGS_MODULE="tests.resilience.server_settings",
            DATABASE_URL=private_postgres.url,
            BEACON_SERVER_DB_NAME="beacon",
        )
    )
    try:
        port = free_port()
        launcher.serve(port)
        up, down, back = BurstResult(), BurstResult(), BurstResult()

        def phase(result: BurstResult, seconds: float, label: str, pause: float = 0.0) -> None:
            stop = threading.Event()
            threads = burst(port, label, stop, result, pause=pause)
            time.sleep(seconds)
            stop.set()
            for thread in threads:
                thread.join(timeout=15)

        phase(up, 0.5, "up")
        private_postgres.stop()
        phase(down, 1.0, "down", pause=0.02)
        private_postgres.start()
        recovered_after = time.monotonic()
        probe = BurstResult()
        for n in range(200):
            send_write(port, Write(f"probe-{n}", f"probe-key-{n}"), probe)
            if probe.acknowledged:
                break
            time.sleep(0.05)
        recovery_seconds = time.monotonic() - recovered_after
        phase(back, 0.5, "back")
    finally:
        launcher.close()

    assert up.acknowledged and back.acknowledged
    assert probe.acknowledged, f"no recovery: {probe.bodies[-1:]}"
    assert recovery_seconds < 10
    # While the database was down: every answer a fast 503 with a clear JSON message.
    assert down.statuses, "no answers while the database was down"
    assert {status for status, _ in down.statuses} <= {201, 503}
    refused = [seconds for status, seconds in down.statuses if status == 503]
    assert refused
    assert max(refused) < 1.0
    for body in down.bodies:
        assert json.loads(body)["error"] == "database_unavailable"

    # Retry everything that was not acknowledged, with its key; then count in the database.
    launcher = Launcher(
        beacon_env(
            DJANGO_SETTINGS_MODULE="tests.resilience.server_settings",
            DATABASE_URL=private_postgres.url,
            BEACON_SERVER_DB_NAME="beacon",
        )
    )
    try:
        port = free_port()
        launcher.serve(port)
        retried = BurstResult()
        retry_all(port, up.in_doubt + down.in_doubt + back.in_doubt + probe.in_doubt, retried)
    finally:
        launcher.close()
    assert not retried.in_doubt
    acknowledged = {
        **up.acknowledged,
        **down.acknowledged,
        **back.acknowledged,
        **probe.acknowledged,
        **retried.acknowledged,
    }
    with psycopg.connect(private_postgres.url.replace("postgres://", "postgresql://")) as db:
        stored = dict(
            db.execute(
                "SELECT name, ori FROM agencies_agency WHERE name = ANY(%s)", [list(acknowledged)]
            ).fetchall()
        )
        duplicates = db.execute(
            "SELECT count(*) - count(DISTINCT name) FROM agencies_agency"
        ).fetchone()
        events = db.execute(
            "SELECT count(*) FROM audit_auditevent WHERE action = %s", [PROBE_ACTION]
        ).fetchone()
    assert stored == acknowledged
    assert duplicates == (0,)
    assert events == (len(acknowledged),)
    snapshot = subprocess.run(
        [sys.executable, "-m", "tests.resilience.snapshot"],
        env=beacon_env(DJANGO_SETTINGS_MODULE="beacon.settings", DATABASE_URL=private_postgres.url),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert snapshot.returncode == 0, snapshot.stderr
    assert json.loads(snapshot.stdout)["chain"]["ok"]
