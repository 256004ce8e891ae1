"""Events written unchained and chained after commit (docs/decisions/0005): concurrent and
out-of-order commits keep one valid chain; stale, half-chained or re-chained rows are found
or refused."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from beacon.audit import services
from beacon.audit.chainer import chain_pending, has_pending
from beacon.audit.models import AuditEvent, ChainHead
from beacon.audit.verify import verify
from beacon.core.actor import Actor, system_actor
from tests.audit.conftest import raw, tampering

T = "audit_auditevent"
WRITERS = 6
EACH = 25


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: commits cannot interleave")


def _run_threads(target: object, count: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            target(n)  # type: ignore[operator]
        except BaseException as exc:  # reported by the caller; a thread must not die silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_chainers_keep_one_valid_chain() -> None:
    """Writers on their own connections commit events while chainers run alongside
    (after each commit, and two in a loop): every event is chained exactly once."""
    actor = system_actor(via="job")
    start = threading.Barrier(WRITERS + 2)
    writers_left = threading.Semaphore(0)
    done = threading.Event()

    def work(n: int) -> None:
        start.wait(timeout=60)
        if n >= WRITERS:  # two extra chainers, one waiting for the lock, one not
            while not done.is_set():
                chain_pending(wait=n == WRITERS)
            return
        try:
            for i in range(EACH):
                with transaction.atomic():
                    services.record(actor, "test.concurrent", object_id=f"{n}-{i}")
                    if i % 3 == 0:  # some transactions hold two events
                        services.record(actor, "test.concurrent.pair", object_id=f"{n}-{i}")
        finally:
            writers_left.release()
            if n == 0:
                for _ in range(WRITERS):
                    writers_left.acquire(timeout=120)
                done.set()

    assert _run_threads(work, WRITERS + 2) == []
    total = WRITERS * EACH + WRITERS * len(range(0, EACH, 3))
    assert AuditEvent.objects.filter(action__startswith="test.concurrent").count() == total
    chain_pending()
    report = verify()
    assert report.ok, report.problems
    assert not has_pending()
    assert report.checked == total
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert ChainHead.objects.get(id=1).seq == report.last_seq == total


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_last_with_the_lower_id_is_chained_after() -> None:
    _postgresql_only()
    actor = system_actor(via="job")
    written = threading.Event()
    release = threading.Event()
    slow: dict[str, int] = {}

    def slow_writer(_n: int) -> None:
        with transaction.atomic():
            slow["id"] = services.record(actor, "test.slow").pk
            written.set()
            assert release.wait(30)

    thread = threading.Thread(target=lambda: _run_threads(slow_writer, 1))
    thread.start()
    try:
        assert written.wait(30)
        fast = services.record(actor, "test.fast")  # autocommit: committed, then chained
        assert fast.pk > slow["id"]
        # The chainer neither waits for nor sees the open transaction's event.
        chain_pending(wait=False)
        assert AuditEvent.objects.get(pk=fast.pk).seq == 1
        assert not AuditEvent.objects.filter(pk=slow["id"]).exists()
        assert verify().ok
    finally:
        release.set()
        thread.join(timeout=60)
    chain_pending()
    first, second = AuditEvent.objects.get(pk=fast.pk), AuditEvent.objects.get(pk=slow["id"])
    assert (first.seq, second.seq) == (1, 2)  # chain order is commit order, not id order
    assert second.prev_hash == first.hash
    report = verify()
    assert report.ok, report.problems
    assert report.checked == 2


@pytest.mark.django_db
def test_an_event_left_unchained_past_the_grace_is_reported(system: Actor) -> None:
    event = services.record(system, "test.left")
    later = timezone.now() + timedelta(hours=1)
    problems = verify(now=later).problems
    assert problems == [
        f"event id {event.pk} (written {event.at.isoformat(timespec='seconds')}) was not "
        "chained within 600 s (the chainer is not running)"
    ]
    assert verify(now=later).problems == problems  # verify never chains
    assert verify().ok  # recent: nothing to report yet
    assert chain_pending() == 1
    assert verify(now=later).ok


@pytest.mark.django_db
def test_a_row_inserted_behind_beacons_back_is_never_chained(system: Actor) -> None:
    services.record(system, "test.real")
    chain_pending()
    forged = AuditEvent.objects.create(
        at=timezone.now() - timedelta(days=3), actor="ghost", agency_ori="X", role="x", action="x"
    )
    real = services.record(system, "test.after")
    assert chain_pending() == 1  # the real one; the forged one is refused
    assert not has_pending()  # and the refusal does not keep the chainer looping
    assert AuditEvent.objects.get(pk=forged.pk).seq is None
    assert AuditEvent.objects.get(pk=real.pk).seq == 2
    problems = verify().problems
    assert len(problems) == 1 and f"event id {forged.pk}: no valid proof" in problems[0]


@pytest.mark.django_db
def test_hashes_written_by_hand_without_a_position_are_reported(system: Actor) -> None:
    first = services.record(system, "test.one")
    services.record(system, "test.two")
    with tampering():
        raw(
            f"UPDATE {T} SET hash = %s, prev_hash = %s WHERE id = %s",
            ["f" * 64, "0" * 64, first.pk],
        )
    problems = verify().problems
    assert f"event id {first.pk}: hashes without a chain position (edited)" in problems


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        # filling the chain columns while also changing the content
        f"UPDATE {T} SET seq = 9, prev_hash = 'a', hash = 'b', action = 'x' WHERE seq IS NULL",
        # a second chaining of an event already chained
        f"UPDATE {T} SET seq = 9, prev_hash = 'a', hash = 'b' WHERE seq = 1",
        # taking an event out of the chain
        f"UPDATE {T} SET seq = NULL, prev_hash = NULL, hash = NULL WHERE seq = 1",
        # filling only part of the chain columns
        f"UPDATE {T} SET seq = 9 WHERE seq IS NULL",
    ],
    ids=["content", "rechain", "unchain", "partial"],
)
def test_the_database_allows_only_the_chainers_single_fill(system: Actor, statement: str) -> None:
    services.record(system, "test.chained")
    chain_pending()
    services.record(system, "test.pending")
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(statement)
    assert chain_pending() == 1
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_no_event_is_left_unchained_after_concurrent_commits() -> None:
    """Chaining after each commit (try-lock; the lock holder looks again after releasing)
    leaves nothing behind, with no final pass."""
    actor = system_actor(via="job")
    start = threading.Barrier(WRITERS)

    def write(n: int) -> None:
        start.wait(timeout=60)
        for i in range(EACH):
            with transaction.atomic():
                services.record(actor, "test.left-behind", object_id=f"{n}-{i}")

    assert _run_threads(write, WRITERS) == []
    assert not has_pending()
    report = verify()
    assert report.ok, report.problems
    assert report.checked == WRITERS * EACH
