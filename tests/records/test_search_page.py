"""The web search page: any field answers, a partial DOB, and a zero result explained."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import services as accounts
from beacon.agencies.models import Agency
from beacon.core.actor import Actor, system_actor
from beacon.records.models import MissingPersonRecord
from beacon.records.services import enter_record

from .conftest import juvenile


@pytest.fixture
def page(agency_a: Agency) -> Client:
    """An investigator of agency A, signed in with password and authenticator."""
    user = accounts.create_user(
        system_actor(), "ivy", "a long passphrase 2026", agency_a, "investigator"
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def lupe(investigator_a: Actor) -> MissingPersonRecord:
    return enter_record(
        investigator_a,
        juvenile(last_name="Martinez", first_name="Guadalupe", dob=date(2010, 3, 5)),
    )


@pytest.mark.parametrize(
    "params",
    ["last_name=Martinez", "first_name=Guadalupe", "dob=2010", "dob=2010-03&sex=F"],
)
def test_one_field_or_a_partial_dob_finds_the_record(
    page: Client, lupe: MissingPersonRecord, params: str
) -> None:
    response = page.get(f"/records/?{params}")
    assert response.status_code == 200
    assert f"/records/{lupe.nic}/" in response.content.decode()


def test_no_match_says_what_was_searched_and_what_to_try(
    page: Client, lupe: MissingPersonRecord
) -> None:
    response = page.get("/records/?last_name=Okonkwo&dob=2001-07-30&age_min=3&age_max=9")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No record matches." in html
    assert "surname OKONKWO" in html and "date of birth 2001-07-30" in html
    assert "age 3 to 9" in html
    assert "Remove a filter" in html and "without the date of birth" in html


@pytest.mark.parametrize(
    ("params", "field"),
    [("dob=2010-13", "dob"), ("dob=31-02-2020", "dob"), ("last_name=X&age_min=ten", "age_min")],
)
def test_a_field_it_cannot_read_is_named(page: Client, params: str, field: str) -> None:
    response = page.get(f"/records/?{params}")
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.content.decode()
