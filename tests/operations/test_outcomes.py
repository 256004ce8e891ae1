"""Outcomes on targets go through the registry's locate and clear, in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from beacon.core.errors import IllegalTransition, ValidationFailed
from beacon.operations import services
from beacon.operations.models import Outcome, Target
from beacon.records import services as registry
from beacon.records.models import RecordTransaction
from tests.operations.factories import LEAD, PARTNER, load_tiny
from tests.personas import acting

pytestmark = pytest.mark.django_db
WHEN = datetime(2021, 6, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def target() -> Target:
    load_tiny()
    return Target.objects.select_related("record").get(ref="T1")


def test_located_outcome_locates_the_registry_record(target: Target) -> None:
    outcome = services.record_outcome(
        acting(LEAD, "investigator"),
        target,
        kind="located",
        how="with_friends_or_relatives",
        at=WHEN,
        agency=Agency.objects.get(ori=LEAD),
        place="Las Cruces",
    )
    target.record.refresh_from_db()
    assert target.record.status == "located"
    step = RecordTransaction.objects.filter(record=target.record).latest("version")
    assert step.kind == "locate"
    assert step.detail["disposition"] == "Found with friends or relatives"
    assert outcome.registry_transaction == step
    assert AuditEvent.objects.filter(action="operations.outcome", object_id="T1").count() == 1


def test_recovered_outcome_clears_the_record(target: Target) -> None:
    services.record_outcome(
        acting(PARTNER, "investigator"),
        target,
        kind="recovered",
        how="placed_with_child_welfare",
        at=WHEN,
        agency=Agency.objects.get(ori=PARTNER),
    )
    target.record.refresh_from_db()
    assert target.record.status == "cleared"
    step = RecordTransaction.objects.filter(record=target.record).latest("version")
    assert (step.kind, step.detail["how"]) == ("clear", "placed_with_child_welfare")


def test_recovery_by_another_agency_is_refused_and_nothing_is_written(target: Target) -> None:
    events = AuditEvent.objects.filter(action="operations.outcome").count()
    with pytest.raises(IllegalTransition):
        services.record_outcome(
            acting(LEAD, "investigator"),
            target,
            kind="recovered",
            how="returned_to_guardian",
            at=WHEN,
            agency=Agency.objects.get(ori=LEAD),
        )
    target.record.refresh_from_db()
    assert target.record.status == "active"
    assert not Outcome.objects.filter(target=target).exists()
    assert RecordTransaction.objects.filter(record=target.record).count() == 1  # the enter
    assert AuditEvent.objects.filter(action="operations.outcome").count() == events


def test_an_outcome_on_a_record_the_registry_closed_is_refused(target: Target) -> None:
    registry.clear_record(system_actor(), target.record.nic, how="returned_to_guardian")
    with pytest.raises(IllegalTransition):
        services.record_outcome(
            system_actor(),
            target,
            kind="located",
            how="welfare_check",
            at=WHEN,
            agency=Agency.objects.get(ori=LEAD),
        )
    assert not Outcome.objects.filter(target=target).exists()


def test_a_second_outcome_is_refused(target: Target) -> None:
    args = {
        "kind": "located",
        "how": "welfare_check",
        "at": WHEN,
        "agency": Agency.objects.get(ori=LEAD),
    }
    services.record_outcome(system_actor(), target, **args)  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        services.record_outcome(system_actor(), target, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "how"),
    [("recovered", "welfare_check"), ("located", "returned_to_guardian"), ("found", "x")],
)
def test_how_must_fit_the_kind(target: Target, kind: str, how: str) -> None:
    with pytest.raises(ValidationFailed):
        services.record_outcome(
            system_actor(), target, kind=kind, how=how, at=WHEN, agency=Agency.objects.get(ori=LEAD)
        )


def test_a_pio_cannot_record_outcomes(target: Target) -> None:
    from beacon.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.record_outcome(
            acting(LEAD, "pio"),
            target,
            kind="located",
            how="welfare_check",
            at=WHEN,
            agency=Agency.objects.get(ori=LEAD),
        )


def test_hit_confirmations_are_due_in_10_minutes_or_1_hour(target: Target) -> None:
    actor = acting(LEAD, "investigator")
    now = datetime(2021, 6, 1, 12, 0, tzinfo=UTC)
    urgent = services.request_hit_confirmation(actor, target, priority="urgent", requested_at=now)
    routine = services.request_hit_confirmation(actor, target, priority="routine", requested_at=now)
    assert urgent.due_at - now == timedelta(minutes=10)
    assert routine.due_at - now == timedelta(hours=1)
    later = now + timedelta(minutes=11)
    assert urgent.is_overdue(later) and not routine.is_overdue(later)
    overdue = services.overdue_hits(actor, "OP-TEST", now=later)
    assert [h.pk for h in overdue] == [urgent.pk]
    confirmed = services.confirm_hit(actor, routine, at=now + timedelta(minutes=30))
    assert not confirmed.is_overdue(now + timedelta(hours=5))
    with pytest.raises(IllegalTransition):
        services.confirm_hit(actor, routine)


def test_a_late_confirmation_stays_marked_overdue(target: Target) -> None:
    now = datetime(2021, 6, 1, 12, 0, tzinfo=UTC)
    hit = services.request_hit_confirmation(
        acting(LEAD, "investigator"), target, priority="urgent", requested_at=now
    )
    hit = services.confirm_hit(acting(PARTNER, "investigator"), hit, at=now + timedelta(minutes=25))
    assert hit.is_overdue()
