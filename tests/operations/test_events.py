"""Recording field events from typed values (the web forms) and answering referrals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit.models import AuditEvent
from beacon.core.errors import Forbidden, IllegalTransition, NotVisible, ValidationFailed
from beacon.operations import services
from beacon.operations.bundles import entries
from beacon.operations.bundles.importer import BundleRejected
from beacon.operations.models import (
    Arrest,
    Operation,
    Referral,
    ReportedFigure,
    Service,
    Victim,
)
from tests.operations.factories import CODE, LEAD, NGO, OTHER, load_tiny
from tests.personas import acting

pytestmark = pytest.mark.django_db
AT = datetime(2021, 5, 12, 21, 0, tzinfo=UTC)


def _operation() -> Operation:
    return Operation.objects.get(code=CODE)


@pytest.fixture
def place() -> Jurisdiction:
    load_tiny()
    return Jurisdiction.objects.get(kind="county", code="35013")


def test_an_arrest_from_the_form_creates_the_person_and_the_arrest(place: Jurisdiction) -> None:
    lead = Agency.objects.get(ori=LEAD)
    entries.record_event(
        acting(LEAD, "investigator"),
        _operation(),
        "arrest",
        {
            "agency": lead,
            "jurisdiction": place,
            "at": AT,
            "notes": "",
            "last_name": "Mockley",
            "first_name": "Jamie",
            "role": "pimp_panderer",
            "charges": "Pandering",
            "nibrs": "40B",
            "warrants_served": 0,
            "prior_registered_offender": False,
        },
    )
    arrest = Arrest.objects.select_related("person").get(role="pimp_panderer")
    assert (arrest.person.last_name, arrest.nibrs, arrest.agency) == ("Mockley", "40B", lead)
    assert list(arrest.people.all()) == [arrest.person]


def test_a_service_names_the_victim_and_is_counted(place: Jurisdiction) -> None:
    entries.record_event(
        acting(LEAD, "investigator"),
        _operation(),
        "service",
        {
            "agency": Agency.objects.get(ori=NGO),
            "jurisdiction": place,
            "at": AT,
            "victim": "V1",
            "kind": "medical",
            "status": "provided",
        },
    )
    service = Service.objects.get()
    assert service.person == Victim.objects.get(ref="V1").person
    with pytest.raises(ValidationFailed):
        entries.record_event(
            acting(LEAD, "investigator"),
            _operation(),
            "service",
            {
                "agency": Agency.objects.get(ori=NGO),
                "jurisdiction": place,
                "at": AT,
                "victim": "V404",
                "kind": "medical",
            },
        )


def test_a_bad_event_is_refused_with_its_field(place: Jurisdiction) -> None:
    with pytest.raises(BundleRejected) as caught:
        entries.record_event(
            acting(LEAD, "investigator"),
            _operation(),
            "victim",
            {
                "agency": Agency.objects.get(ori=LEAD),
                "jurisdiction": place,
                "at": AT,
                "age_min": 30,
                "age_max": 31,
                "age_group": "minor",
                "sex": "F",
            },
        )
    assert list(caught.value.fields) == ["victims[0].age_group"]
    assert Victim.objects.count() == 1


def test_a_reported_figure_needs_operations_manage(place: Jurisdiction) -> None:
    figure = {
        "metric": "arrests",
        "value": Decimal("2"),
        "qualifier": "exact",
        "source_name": "Daily",
    }
    with pytest.raises(Forbidden):
        entries.record_event(acting(LEAD, "investigator"), _operation(), "figure", figure)
    entries.record_event(acting(LEAD, "supervisor"), _operation(), "figure", figure)
    assert ReportedFigure.objects.filter(source_name="Daily", scope="operation").count() == 1


def test_the_ngo_accepts_a_referral_once() -> None:
    load_tiny()
    referral = Referral.objects.get(ref="R1")
    Referral.objects.filter(pk=referral.pk).update(status="offered")
    caseworker = acting(NGO, "caseworker")
    answered = services.respond_to_referral(caseworker, referral, "accepted")
    assert answered.status == "accepted"
    assert AuditEvent.objects.filter(action="operations.referral_response", object_id="R1").exists()
    with pytest.raises(IllegalTransition):
        services.respond_to_referral(caseworker, referral, "declined")
    with pytest.raises(ValidationFailed):
        services.respond_to_referral(caseworker, referral, "maybe")


def test_another_agency_cannot_answer_a_referral() -> None:
    load_tiny()
    referral = Referral.objects.get(ref="R1")
    with pytest.raises(NotVisible):
        services.respond_to_referral(acting(OTHER, "caseworker"), referral, "declined")
    with pytest.raises(Forbidden):
        services.respond_to_referral(acting(LEAD, "investigator"), referral, "declined")
