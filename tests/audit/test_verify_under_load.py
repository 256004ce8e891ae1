"""`verify` on a busy database: writers commit and the chainer moves the head while
verifiers run. A healthy database gives 0 alarms; once an attacker has tampered, every
verify that starts afterwards reports it. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.utils import timezone

from beacon.audit import services
from beacon.audit.models import AuditEvent
from beacon.audit.triggers import create_sql, drop_sql
from beacon.audit.verify import verify
from beacon.core.actor import system_actor
from tests.audit.conftest import raw

T = "audit_auditevent"
WRITERS = 3
VERIFIERS = 2
PHASE_SECONDS = 1.0  # of writing before the tampering, and again after it


@dataclass
class Run:
    # (started, finished, problems) of every verify
    verifies: list[tuple[float, float, list[str]]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    written: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _lift_triggers() -> None:
    with connection.cursor() as cursor:
        for statement in drop_sql(connection.vendor):
            cursor.execute(statement)


def _restore_triggers() -> None:
    with connection.cursor() as cursor:
        for statement in create_sql(connection.vendor):
            cursor.execute(statement)


def _insert_forged() -> None:
    AuditEvent.objects.create(
        at=timezone.now(), actor="ghost", agency_ori="X", role="x", action="x", mac="0" * 64
    )


def _edit() -> None:
    _lift_triggers()
    raw(f"UPDATE {T} SET detail = %s WHERE seq = 3", ['{"forged": true}'])
    _restore_triggers()


def _delete() -> None:
    _lift_triggers()
    raw(f"DELETE FROM {T} WHERE seq = 3")
    _restore_triggers()


def _reorder() -> None:
    _lift_triggers()
    raw(f"UPDATE {T} SET seq = -2 WHERE seq = 2")
    raw(f"UPDATE {T} SET seq = 2 WHERE seq = 3")
    raw(f"UPDATE {T} SET seq = 3 WHERE seq = -2")
    _restore_triggers()


def _truncate() -> None:
    _lift_triggers()
    with transaction.atomic():
        # The newest chained events (the chainer waits for this transaction on both
        # databases: SQLite's write lock, PostgreSQL's chain lock taken here).
        if connection.vendor == "postgresql":
            raw("SELECT pg_advisory_xact_lock(%s)", [0x6265_6163_6F6E_01])
        raw(f"DELETE FROM {T} WHERE seq > (SELECT MAX(seq) - 3 FROM {T})")
    _restore_triggers()


def _drop_trigger() -> None:
    name = (
        "audit_event_append_only" if connection.vendor == "postgresql" else "audit_event_no_delete"
    )
    raw(f"DROP TRIGGER {name}" + (f" ON {T}" if connection.vendor == "postgresql" else ""))


ATTACKS: dict[str, tuple[Callable[[], None], tuple[str, ...]]] = {
    "insert": (_insert_forged, ("no valid proof",)),
    "edit": (_edit, ("event #3: no valid proof",)),
    "delete": (_delete, ("missing (deleted)",)),
    "reorder": (_reorder, ("event #2: does not link",)),
    "truncate": (_truncate, ("missing (deleted)", "chain head names")),
    "trigger": (_drop_trigger, ("is missing (dropped)",)),
}


def _writer(n: int, stop: threading.Event, run: Run) -> None:
    actor = system_actor(via="job")
    i = 0
    while not stop.is_set():
        with transaction.atomic():
            services.record(actor, "test.busy", object_id=f"{n}-{i}")
        i += 1
    with run.lock:
        run.written += i


def _verifier(stop: threading.Event, run: Run) -> None:
    while not stop.is_set():
        started = time.monotonic()
        report = verify()
        finished = time.monotonic()
        with run.lock:
            run.verifies.append((started, finished, report.problems))


def _guarded(target: Callable[..., None], *args: object) -> threading.Thread:
    run: Run = args[-1]  # type: ignore[assignment]

    def body() -> None:
        try:
            target(*args)
        except BaseException as exc:  # reported by the test; a thread must not die silently
            run.errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_verify_never_alarms_on_a_busy_healthy_database_and_always_after_tampering(
    attack: str,
) -> None:
    tamper, expected = ATTACKS[attack]
    for i in range(5):  # the events the attacks target
        services.record(system_actor(), "test.first", object_id=i)
    run, stop = Run(), threading.Event()
    threads = [_guarded(_writer, n, stop, run) for n in range(WRITERS)]
    threads += [_guarded(_verifier, stop, run) for _ in range(VERIFIERS)]
    try:
        time.sleep(PHASE_SECONDS)
        tamper_started = time.monotonic()
        tamper()
        tampered = time.monotonic()
        time.sleep(PHASE_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert run.errors == []
    before = [problems for _s, finished, problems in run.verifies if finished < tamper_started]
    after = [problems for started, _f, problems in run.verifies if started > tampered]
    assert before and after, f"{len(before)} verifies before, {len(after)} after"
    assert [p for p in before if p] == []  # 0 false alarms while writers and chainer ran
    missed = [p for p in after if not any(e in line for e in expected for line in p)]
    assert missed == [], f"{len(missed)} of {len(after)} verifies missed the {attack}"
    assert run.written > WRITERS
    _restore_triggers()
