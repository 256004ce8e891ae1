"""Event forms never answer for the officer: sensitive answers start empty and must be
chosen, and a referral or service names its victim in words, with none pre-selected."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import services as accounts
from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.operations.models import Victim

ClientAs = Callable[[str], Client]
OPERATION = "RECLAIM-AND-REBUILD-2021"
SENSITIVE = ("age_group", "sex", "self_identification", "consent")


@pytest.fixture
def lapd(client_as: ClientAs) -> Client:
    agency = Agency.objects.get(name="Los Angeles Police Department")
    user = accounts.create_user(
        system_actor(),
        "investigator.lapd",
        "a long and unusual passphrase 42",
        agency,
        "investigator",
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return client_as("investigator.lapd")


def _shown_first(html: str, name: str) -> str:
    """The value a browser submits for an untouched select: the selected option, else the
    first one."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no select named {name}"
    chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return chosen[0] if chosen else re.findall(r'<option value="([^"]*)"', select.group(0))[0]


def _base() -> dict[str, object]:
    agency = Agency.objects.get(name="Los Angeles Police Department")
    place = Victim.objects.filter(operation__code=OPERATION).first().jurisdiction  # type: ignore[union-attr]
    return {"agency": agency.pk, "jurisdiction": place.pk, "at": "2021-06-12T22:15"}


def test_victim_form_preselects_no_sensitive_answer(lapd: Client) -> None:
    html = lapd.get(f"/operations/{OPERATION}/events/victim/").content.decode()
    for name in SENSITIVE:
        assert _shown_first(html, name) == "", name


def test_an_untouched_victim_form_is_refused_and_saves_nothing(lapd: Client) -> None:
    before = Victim.objects.count()
    response = lapd.post(
        f"/operations/{OPERATION}/events/victim/", {**_base(), "last_name": "Untouched"}
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(SENSITIVE) <= set(errors)
    assert "Unknown" in str(errors["sex"])  # says how to answer when one does not know
    assert Victim.objects.count() == before


def test_unknown_is_an_answer_the_officer_can_choose(lapd: Client) -> None:
    answers = {
        "age_group": "unknown",
        "sex": "U",
        "self_identification": "victim",
        "consent": "not_asked",
    }
    response = lapd.post(
        f"/operations/{OPERATION}/events/victim/", {**_base(), "last_name": "Chosen", **answers}
    )
    assert response.status_code == 302
    saved = Victim.objects.get(person__last_name="Chosen")
    assert (saved.sex, saved.consent, saved.age_group) == ("U", "not_asked", "unknown")


@pytest.mark.parametrize("kind", ["referral", "service"])
def test_victim_choice_is_readable_and_not_preselected(lapd: Client, kind: str) -> None:
    html = lapd.get(f"/operations/{OPERATION}/events/{kind}/").content.decode()
    assert _shown_first(html, "victim") == ""
    select = re.search(r'<select name="victim".*?</select>', html, re.S).group(0)  # type: ignore[union-attr]
    labels = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)
    assert labels, "the operation has victims the investigator may see"
    victim = Victim.objects.select_related("person").get(
        operation__code=OPERATION, ref=labels[0][0]
    )
    shown = labels[0][1]
    assert str(victim.person).replace("'", "&#x27;") in shown
    assert shown.strip() != victim.ref  # never the bare internal reference


def test_phone_form_prefills_own_agency_and_now(lapd: Client) -> None:
    html = lapd.get(f"/operations/{OPERATION}/events/arrest/").content.decode()
    agency = Agency.objects.get(name="Los Angeles Police Department")
    assert _shown_first(html, "agency") == str(agency.pk)
    at = re.search(r'<input type="datetime-local" name="at" value="([^"]+)"', html)
    assert at and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", at.group(1))


def test_errors_are_summarised_above_the_fields_and_input_is_kept(lapd: Client) -> None:
    response = lapd.post(
        f"/operations/{OPERATION}/events/victim/",
        {**_base(), "last_name": "Keptname", "age_min": "-3"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    summary = html.index('id="error-summary"')
    assert summary < html.index('name="last_name"')
    assert 'href="#id_sex"' in html and 'href="#id_age_min"' in html
    assert 'value="Keptname"' in html
