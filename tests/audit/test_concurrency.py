from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from beacon.audit import services
from beacon.audit.models import AuditEvent, ChainHead
from beacon.audit.verify import verify
from beacon.core.actor import system_actor

WRITERS = 4
EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain() -> None:
    actor = system_actor(via="job")
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    services.record(actor, "test.concurrent", object_id=f"{n}-{i}")
        except BaseException as exc:  # reported below, the thread must not die silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    count = AuditEvent.objects.filter(action="test.concurrent").count()
    assert count == WRITERS * EACH
    report = verify()
    assert report.ok, report.problems
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(
        range(1, report.checked + 1)
    )
    assert ChainHead.objects.get(id=1).seq == report.last_seq
