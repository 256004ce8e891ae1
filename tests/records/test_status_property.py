"""Property: whatever sequence of moves is tried, the cached status equals the status
derived from the history, every refused move changes nothing, and the version counts
the transactions."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beacon.core.actor import Actor
from beacon.core.errors import DomainError
from beacon.records import services
from beacon.records.models import MissingPersonRecord, RecordTransaction

SERIAL = itertools.count(1)  # examples share one test transaction: a fresh OCA each
MOVES = ["modify", "validate", "locate", "clear_guardian", "clear_located", "cancel"]


def apply(move: str, nic: str, owner: Actor, system: Actor, step: int) -> None:
    if move == "modify":
        services.modify_record(owner, nic, {"weight_lb": 100 + step})
    elif move == "validate":
        services.validate_record(owner, nic)
    elif move == "locate":
        services.locate_record(
            system,
            nic,
            located_at=timezone.now() - timedelta(minutes=1),
            place="Anthony, NM",
            by_whom="Ofc. Baca",
            disposition="with grandmother",
        )
    elif move == "clear_guardian":
        services.clear_record(owner, nic, how="returned_to_guardian")
    elif move == "clear_located":
        services.clear_record(owner, nic, how="located_by_other_agency")
    else:
        services.cancel_record(owner, nic, reason="entered in error")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=st.lists(st.sampled_from(MOVES), min_size=1, max_size=6))
def test_cached_status_always_equals_the_derived_status(
    moves: list[str],
    enter: Callable[..., MissingPersonRecord],
    supervisor_a: Actor,
    system: Actor,
) -> None:
    record = enter(supervisor_a, oca=f"P-{next(SERIAL)}")
    for step, move in enumerate(moves):
        before = (record.version, record.status)
        try:
            apply(move, record.nic, supervisor_a, system, step)
        except DomainError:
            record.refresh_from_db()
            assert (record.version, record.status) == before
        record.refresh_from_db()
        assert record.status == services.derived_status(record)
        assert record.version == RecordTransaction.objects.filter(record=record).count()
