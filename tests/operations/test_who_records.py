"""Who records an operation's field events and outcomes (operations.visibility
.require_may_record): its own agencies, and a hub coordinator of a hub above it. Seeing
an operation is not enough, and nobody else records, whichever door they come by."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from beacon.access.permissions import Permission
from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, NotVisible
from beacon.operations.bundles import entries
from beacon.operations.models import Arrest, Operation, Participation
from beacon.operations.visibility import require_may_record
from tests.operations.factories import CODE, LEAD, NGO, OTHER, PARTNER, load_tiny
from tests.personas import acting

pytestmark = pytest.mark.django_db
AT = datetime(2021, 5, 12, 21, 0, tzinfo=UTC)
HUB = "NMTEST100"


@pytest.fixture
def state() -> Operation:
    """OP-TEST (LEAD and PARTNER) as one state's operation under a hub run by HUB."""
    load_tiny()
    hub_agency = Agency.objects.create(ori=HUB, name="Test Hub State", kind="state")
    hub = Operation.objects.create(code="OP-HUB", name="Hub", start=AT.date())
    Participation.objects.create(operation=hub, agency=hub_agency, role="lead")
    operation = Operation.objects.get(code=CODE)
    operation.parent = hub
    operation.save(update_fields=["parent"])
    return operation


def _arrest(actor: Actor, operation: Operation) -> None:
    entries.record_event(
        actor,
        operation,
        "arrest",
        {
            "agency": Agency.objects.get(ori=LEAD),
            "jurisdiction": Jurisdiction.objects.get(kind="county", code="35013"),
            "at": AT,
            "last_name": "Sampleperson",
            "role": "buyer",
            "warrants_served": 0,
        },
    )


@pytest.mark.parametrize(
    ("ori", "role"),
    [(LEAD, "investigator"), (PARTNER, "supervisor"), (HUB, "hub_coordinator")],
)
def test_its_own_agencies_and_the_hub_coordinator_above_record(
    state: Operation, ori: str, role: str
) -> None:
    before = Arrest.objects.filter(operation=state).count()
    _arrest(acting(ori, role), state)
    assert Arrest.objects.filter(operation=state).count() == before + 1


@pytest.mark.parametrize(
    ("ori", "role", "refusal"),
    [
        (HUB, "investigator", NotVisible),  # the hub's other roles do not see the states
        (OTHER, "hub_coordinator", NotVisible),  # a coordinator of no hub above it
        (NGO, "caseworker", Forbidden),  # records services to its referrals, not events
        (LEAD, "pio", Forbidden),  # reads the figures, records nothing
    ],
)
def test_nobody_else_records(
    state: Operation, ori: str, role: str, refusal: type[Exception]
) -> None:
    before = Arrest.objects.count()
    with pytest.raises(refusal):
        _arrest(acting(ori, role), state)
    assert Arrest.objects.count() == before


def test_seeing_an_operation_is_not_recording_on_it(state: Operation) -> None:
    # Whatever one day lets an agency see an operation it is not part of (a publishing
    # grant, a shared record), the rule itself refuses it, and the refusal is audited.
    for role in ("investigator", "hub_coordinator", "supervisor"):
        outsider = acting(OTHER, role)
        with pytest.raises(Forbidden):
            require_may_record(outsider, state, Permission.OPERATIONS_RECORD)
    denied = AuditEvent.objects.filter(object_type="operation", object_id=CODE)
    assert denied.filter(detail__reason="not an agency of the operation").count() == 3


def test_a_hub_coordinator_records_on_the_hub_s_grandchildren_but_not_its_parent(
    state: Operation,
) -> None:
    county = Operation.objects.create(code="OP-COUNTY", name="County", start=AT.date())
    county.parent = state
    county.save(update_fields=["parent"])
    require_may_record(acting(HUB, "hub_coordinator"), county, Permission.OPERATIONS_RECORD)
    with pytest.raises(Forbidden):
        require_may_record(
            acting(LEAD, "hub_coordinator"), state.parent, Permission.OPERATIONS_RECORD
        )
