"""Every transaction of a record, and every refusal, through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import Conflict, Forbidden, IllegalTransition, NotVisible, ValidationFailed
from beacon.records import indexing, services
from beacon.records.codes import ClearHow, Status
from beacon.records.models import MissingPersonRecord, NameKey, RecordTransaction
from beacon.records.search import SearchQuery
from beacon.records.status import HistoryError, agency_refusal, derive_status
from beacon.records.validation import NIC_PATTERN

from .conftest import juvenile

Enter = Callable[..., MissingPersonRecord]


def locate(actor: Actor, nic: str, **kwargs: object) -> MissingPersonRecord:
    args: dict[str, object] = {
        "located_at": timezone.now() - timedelta(hours=1),
        "place": "Sunland Park, NM",
        "by_whom": "Officer Ruiz",
        "disposition": "returned to mother",
    }
    args.update(kwargs)
    return services.locate_record(actor, nic, **args)  # type: ignore[arg-type]


def assert_status_is_derived(record: MissingPersonRecord) -> None:
    record.refresh_from_db()
    assert record.status == services.derived_status(record)


def test_enter_assigns_nic_version_status_history_and_audit(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    assert NIC_PATTERN.match(record.nic)
    assert record.version == 1
    assert record.status == Status.ACTIVE
    assert record.originating_agency_id == investigator_a.agency_id
    (entry,) = services.history(investigator_a, record.nic)
    assert (entry.kind, entry.version, entry.actor) == ("enter", 1, "alice")
    assert entry.detail["entered"]["last_name"] == "Martinez"
    assert AuditEvent.objects.filter(action="records.enter", object_id=record.nic).count() == 1
    assert_status_is_derived(record)


def test_enter_keeps_a_given_nic(enter: Enter) -> None:
    assert enter(nic="m123456789").nic == "M123456789"


def test_enter_for_another_agency_is_forbidden(investigator_a: Actor, agency_b: object) -> None:
    with pytest.raises(Forbidden):
        services.enter_record(investigator_a, juvenile(originating_ori="NM0070200"))


def test_modify_bumps_version_and_records_before_after(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    changed = services.modify_record(
        investigator_a, record.nic, {"hair": "BRO", "weight_lb": "115"}, expected_version=1
    )
    assert (changed.version, changed.hair, changed.weight_lb) == (2, "BRO", 115)
    last = services.history(investigator_a, record.nic)[-1]
    assert last.kind == "modify"
    assert last.detail["changes"]["hair"] == {"before": "BLK", "after": "BRO"}
    assert last.detail["changes"]["weight_lb"] == {"before": 110, "after": 115}
    assert_status_is_derived(record)


def test_a_changed_note_is_not_kept_in_plain_text_in_history_or_audit(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    secret = "Seen with an older man near the Anthony bus stop"
    services.modify_record(investigator_a, record.nic, {"notes": secret}, expected_version=1)
    last = services.history(investigator_a, record.nic)[-1]
    assert last.detail["changes"]["notes"] == {"before": "[sealed]", "after": "[sealed]"}
    event = AuditEvent.objects.filter(action="records.modify", object_id=record.nic).get()
    assert secret not in str(event.detail)
    assert services.show_record(investigator_a, record.nic).notes == secret


def test_full_life_locate_then_clear(
    record: MissingPersonRecord, investigator_a: Actor, system: Actor
) -> None:
    located = locate(system, record.nic, jurisdiction="state:NM")
    assert (located.status, located.version) == (Status.LOCATED, 2)
    assert_status_is_derived(record)
    cleared = services.clear_record(
        investigator_a, record.nic, how=ClearHow.LOCATED_BY_OTHER_AGENCY, expected_version=2
    )
    assert (cleared.status, cleared.version) == (Status.CLEARED, 3)
    kinds = [t.kind for t in services.history(investigator_a, record.nic)]
    assert kinds == ["enter", "locate", "clear"]
    assert_status_is_derived(record)


def test_cancel_closes_the_record(record: MissingPersonRecord, system: Actor) -> None:
    locate(system, record.nic)
    cancelled = services.cancel_record(system, record.nic, reason="duplicate of another entry")
    assert cancelled.status == Status.CANCELLED
    assert_status_is_derived(record)


@pytest.mark.parametrize("kind", ["modify", "validate", "clear", "cancel"])
def test_another_agency_may_not_change_the_record(
    kind: str, record: MissingPersonRecord, investigator_b: Actor
) -> None:
    why = agency_refusal(kind, investigator_b, record.originating_agency)
    assert why == (
        f"Cannot {kind} this record: only the originating agency (NM0070100) may {kind} it."
    )


def test_another_agency_may_locate(record: MissingPersonRecord, investigator_b: Actor) -> None:
    assert agency_refusal("locate", investigator_b, record.originating_agency) is None


def test_clear_by_an_agency_that_cannot_see_the_record_is_not_found(
    record: MissingPersonRecord, investigator_b: Actor
) -> None:
    with pytest.raises(NotVisible):
        services.clear_record(investigator_b, record.nic, how=ClearHow.RETURNED_TO_GUARDIAN)
    record.refresh_from_db()
    assert (record.status, record.version) == (Status.ACTIVE, 1)


def test_locate_by_the_originating_agency_is_refused(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    with pytest.raises(IllegalTransition, match="originated it"):
        locate(investigator_a, record.nic)


def test_other_agency_cannot_locate_a_record_it_does_not_see(
    record: MissingPersonRecord, investigator_b: Actor
) -> None:
    with pytest.raises(NotVisible):
        locate(investigator_b, record.nic)


def test_other_agency_does_not_see_the_record_for_history(
    record: MissingPersonRecord, investigator_b: Actor
) -> None:
    with pytest.raises(NotVisible):
        services.history(investigator_b, record.nic)


def test_locate_a_cancelled_record_is_refused(record: MissingPersonRecord, system: Actor) -> None:
    services.cancel_record(system, record.nic, reason="entered in error")
    with pytest.raises(IllegalTransition, match="cancelled"):
        locate(system, record.nic)


def test_modify_a_cleared_record_is_refused(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    services.clear_record(investigator_a, record.nic, how=ClearHow.RETURNED_TO_GUARDIAN)
    with pytest.raises(IllegalTransition, match="cleared"):
        services.modify_record(investigator_a, record.nic, {"hair": "BRO"})
    assert RecordTransaction.objects.filter(record=record).count() == 2


def test_services_work_inside_an_outer_transaction(
    record: MissingPersonRecord, investigator_a: Actor, system: Actor
) -> None:
    with transaction.atomic():
        locate(system, record.nic)
        services.clear_record(investigator_a, record.nic, how=ClearHow.LOCATED_BY_OTHER_AGENCY)
    assert_status_is_derived(record)
    assert record.status == Status.CLEARED


def test_validation_error_names_the_field(investigator_a: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.enter_record(investigator_a, juvenile(sex="X"))
    assert "sex" in caught.value.fields


def test_derive_status_refuses_impossible_histories() -> None:
    assert derive_status(["enter", "modify", "locate", "clear"]) == Status.CLEARED
    with pytest.raises(HistoryError):
        derive_status(["enter", "cancel", "locate"])


def test_validate_moves_the_validation_deadline_a_year_on(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    validated = services.validate_record(investigator_a, record.nic, reason="called mother")
    assert validated.validation_due_at is not None
    assert validated.validation_due_at - timezone.now() > timedelta(days=364)
    assert services.history(investigator_a, record.nic)[-1].kind == "validate"
    assert_status_is_derived(record)


def test_validate_a_located_record_is_refused(record: MissingPersonRecord, system: Actor) -> None:
    locate(system, record.nic)
    with pytest.raises(IllegalTransition, match="already located"):
        services.validate_record(system, record.nic)


def test_locate_twice_is_refused(record: MissingPersonRecord, system: Actor) -> None:
    locate(system, record.nic)
    with pytest.raises(IllegalTransition, match="already located"):
        locate(system, record.nic)


def test_locate_a_cleared_record_is_refused(
    record: MissingPersonRecord, investigator_a: Actor, system: Actor
) -> None:
    services.clear_record(investigator_a, record.nic, how=ClearHow.RETURNED_TO_GUARDIAN)
    with pytest.raises(IllegalTransition, match="cleared"):
        locate(system, record.nic)


@pytest.mark.parametrize("closing", ["clear", "cancel"])
@pytest.mark.parametrize("then", ["clear", "cancel", "modify", "validate"])
def test_nothing_changes_a_closed_record(
    closing: str, then: str, record: MissingPersonRecord, supervisor_a: Actor
) -> None:
    def apply(kind: str) -> None:
        if kind == "clear":
            services.clear_record(supervisor_a, record.nic, how=ClearHow.OTHER)
        elif kind == "cancel":
            services.cancel_record(supervisor_a, record.nic, reason="entered twice")
        elif kind == "modify":
            services.modify_record(supervisor_a, record.nic, {"hair": "RED"})
        else:
            services.validate_record(supervisor_a, record.nic)

    apply(closing)
    with pytest.raises(IllegalTransition, match="it is closed"):
        apply(then)
    assert_status_is_derived(record)


def test_clear_as_located_by_other_agency_needs_a_locate(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    with pytest.raises(IllegalTransition, match="no agency has located"):
        services.clear_record(investigator_a, record.nic, how=ClearHow.LOCATED_BY_OTHER_AGENCY)


def test_clear_with_an_unknown_how_names_the_field(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.clear_record(investigator_a, record.nic, how="vanished")
    assert "how" in caught.value.fields


def test_clear_in_the_future_names_the_field(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.clear_record(
            investigator_a, record.nic, how="other", cleared_at=timezone.now() + timedelta(days=1)
        )
    assert "cleared_at" in caught.value.fields


def test_cancel_needs_a_reason(record: MissingPersonRecord, supervisor_a: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.cancel_record(supervisor_a, record.nic, reason="  ")
    assert "reason" in caught.value.fields


def test_locate_needs_where_by_whom_and_disposition(
    record: MissingPersonRecord, system: Actor
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        locate(system, record.nic, place="", by_whom="", disposition="", jurisdiction="moon:1")
    assert {"place", "by_whom", "disposition", "jurisdiction"} <= set(caught.value.fields)
    record.refresh_from_db()
    assert record.version == 1


def test_locate_before_last_contact_names_the_field(
    record: MissingPersonRecord, system: Actor
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        locate(system, record.nic, located_at=timezone.now() - timedelta(days=30))
    assert "located_at" in caught.value.fields


def test_modify_unknown_field_is_refused(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.modify_record(investigator_a, record.nic, {"nic": "M000000001", "status": "x"})
    assert {"nic", "status"} <= set(caught.value.fields)


def test_modify_with_invalid_value_names_the_field(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.modify_record(investigator_a, record.nic, {"dob": "yesterday"})
    assert "dob" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        services.modify_record(investigator_a, record.nic, {"sex": "Q"})
    assert "sex" in caught.value.fields


def test_modify_without_a_change_is_refused(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    with pytest.raises(ValidationFailed, match="current values"):
        services.modify_record(investigator_a, record.nic, {"hair": "BLK"})
    with pytest.raises(ValidationFailed, match="at least one"):
        services.modify_record(investigator_a, record.nic, {})


def test_modify_of_names_reindexes_the_record(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    services.modify_record(investigator_a, record.nic, {"last_name": "Tsosie", "aliases": []})
    hits = services.search_records(
        investigator_a, SearchQuery(last_name="Tsosie", first_name="Guadalupe", dob=record.dob)
    )
    assert [h.nic for h in hits] == [record.nic]
    record.refresh_from_db()
    stored = set(NameKey.objects.filter(record=record).values_list("key", flat=True))
    assert stored == indexing.keys_of(services.record_input_of(record))


def test_duplicate_oca_for_the_same_agency_is_a_conflict(
    enter: Enter, investigator_a: Actor
) -> None:
    enter()
    with pytest.raises(Conflict) as caught:
        enter()
    assert "oca" in caught.value.fields


def test_an_investigator_may_not_cancel(record: MissingPersonRecord, investigator_a: Actor) -> None:
    with pytest.raises(Forbidden):
        services.cancel_record(investigator_a, record.nic, reason="mine")
    assert AuditEvent.objects.filter(action="access.denied").count() == 1
