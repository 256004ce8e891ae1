"""A caseworker records a service their organisation delivered to a victim referred to it,
and nothing else: only with an accepted referral (not pending, not declined), never for a
victim referred elsewhere (404, like a missing one); the notes are sealed, the write is
audited in its transaction; the form is labelled, in English and French."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import services as accounts
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from beacon.operations.models import Referral, Service, Victim
from beacon.vault import sealing
from tests.web.test_caseworker import _post, _text

ClientAs = Callable[[str], Client]
OPERATION = "RECLAIM-AND-REBUILD-2021"
NOTE = "Counselling at the shelter; next visit with the school nurse"


@dataclass
class Case:
    accepted: Victim  # referred to ZOE International, accepted
    pending: Victim  # referred to ZOE International, not answered
    declined: Victim  # referred to ZOE International, declined
    elsewhere: Victim  # referred to Saving Innocents only
    zoe: Client
    lapd: Client


@pytest.fixture(autouse=True)
def _sealing_on() -> Iterator[None]:
    was = sealing.connected()
    sealing.connect()
    yield
    if not was:
        sealing.disconnect()


def _victim(client: Client, last_name: str, to: str) -> Victim:
    before = set(Victim.objects.filter(operation__code=OPERATION).values_list("pk", flat=True))
    _post(
        client,
        "victim",
        {
            "last_name": last_name,
            "age_min": 15,
            "age_group": "minor",
            "sex": "F",
            "self_identification": "victim",
            "consent": "given",
        },
    )
    victim = Victim.objects.filter(operation__code=OPERATION).exclude(pk__in=before).get()
    _post(client, "referral", {"victim": victim.ref, "to_agency": Agency.objects.get(name=to).pk})
    return victim


def _answer(zoe: Client, victim: Victim, answer: str) -> None:
    referral = Referral.objects.get(victim=victim, to_agency__name="ZOE International")
    response = zoe.post(f"/referrals/{referral.ref}/respond/", {"answer": answer})
    assert response.status_code == 302


@pytest.fixture
def case(client_as: ClientAs) -> Case:
    """Victims and referrals entered through the event forms by the lead agency; the
    caseworker answers through the inbox."""
    lapd = Agency.objects.get(name="Los Angeles Police Department")
    user = accounts.create_user(
        system_actor(),
        "investigator.lapd",
        "a long and unusual passphrase 42",
        lapd,
        "investigator",
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    investigator, zoe = client_as("investigator.lapd"), client_as("caseworker.zoe")
    made = Case(
        accepted=_victim(investigator, "Acceptedname", "ZOE International"),
        pending=_victim(investigator, "Pendingname", "ZOE International"),
        declined=_victim(investigator, "Declinedname", "ZOE International"),
        elsewhere=_victim(investigator, "Elsewherename", "Saving Innocents"),
        zoe=zoe,
        lapd=investigator,
    )
    _answer(zoe, made.accepted, "accepted")
    _answer(zoe, made.declined, "declined")
    return made


def _record(client: Client, victim: Victim | str, **data: str) -> object:
    ref = victim if isinstance(victim, str) else victim.ref
    values = {"kind": "shelter", "on": timezone.localdate().isoformat(), "notes": NOTE, **data}
    return client.post(f"/referrals/victims/{ref}/services/", values)


def _stored_notes(service: Service) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM operations_service WHERE id = %s", [service.pk])
        return str(cursor.fetchone()[0])


def test_a_caseworker_records_a_service_for_an_accepted_referral(case: Case) -> None:
    page = case.zoe.get(f"/referrals/victims/{case.accepted.ref}/").content.decode()
    for name in ("kind", "on", "notes"):
        assert f'<label for="f-{name}">' in page and f'id="f-{name}"' in page
    response = _record(case.zoe, case.accepted)
    assert response.status_code == 302  # type: ignore[attr-defined]
    service = Service.objects.select_related("agency").get(person=case.accepted.person)
    assert service.agency.name == "ZOE International"
    assert (service.kind, service.status, service.operation_id) == (
        "shelter",
        "provided",
        case.accepted.operation_id,
    )
    assert service.at.date() == timezone.localdate()
    assert service.notes == NOTE  # read back in clear
    raw = _stored_notes(service)
    assert raw.startswith("bv1:") and "shelter" not in raw  # sealed at rest
    event = AuditEvent.objects.get(action="operations.service", object_id=case.accepted.ref)
    assert event.actor == "caseworker.zoe" and event.detail["service"] == service.ref
    assert NOTE not in str(event.detail)
    shown = _text(case.zoe.get(f"/referrals/victims/{case.accepted.ref}/"))
    assert "Shelter · Provided · ZOE International" in shown
    assert NOTE not in shown


@pytest.mark.parametrize("which", ["pending", "declined"])
def test_a_pending_or_declined_referral_gives_no_form_and_refuses_the_write(
    case: Case, which: str
) -> None:
    victim = getattr(case, which)
    page = case.zoe.get(f"/referrals/victims/{victim.ref}/")
    assert page.status_code == 200 and 'id="service-form"' not in page.content.decode()
    assert _record(case.zoe, victim).status_code == 403  # type: ignore[attr-defined]
    assert not Service.objects.filter(person=victim.person).exists()
    denied = AuditEvent.objects.filter(action="access.denied", object_id=victim.ref).get()
    assert denied.detail["permission"] == "services:record"


def test_a_victim_referred_elsewhere_or_missing_is_not_found(case: Case) -> None:
    assert _record(case.zoe, case.elsewhere).status_code == 404  # type: ignore[attr-defined]
    assert _record(case.zoe, "no-such-victim").status_code == 404  # type: ignore[attr-defined]
    assert not Service.objects.filter(person=case.elsewhere.person).exists()
    assert "Elsewherename" not in _text(_record(case.zoe, case.elsewhere))


def test_another_organisations_caseworker_cannot_record_for_zoes_victim(
    case: Case, client_as: ClientAs
) -> None:
    saving = Agency.objects.get(name="Saving Innocents")
    user = accounts.create_user(
        system_actor(),
        "caseworker.saving",
        "a long and unusual passphrase 42",
        saving,
        "caseworker",
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    other = client_as("caseworker.saving")
    assert _record(other, case.accepted).status_code == 404  # type: ignore[attr-defined]
    assert not Service.objects.filter(person=case.accepted.person).exists()


@pytest.mark.parametrize("username", ["investigator.lapd", "coordinator", "admin", "pio"])
def test_roles_without_services_record_are_refused(
    case: Case, client_as: ClientAs, username: str
) -> None:
    response = _record(client_as(username), case.accepted)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert not Service.objects.filter(person=case.accepted.person).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "massage"}, "kind"),
        ({"on": "yesterday"}, "on"),
        ({"on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "on"),
        ({"on": "2020-01-01"}, "on"),  # before the victim was identified
        ({"notes": "x" * 5001}, "notes"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    case: Case, data: dict[str, str], field: str
) -> None:
    response = _record(case.zoe, case.accepted, **data)
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert f'aria-describedby="e-{field}"' in html and f'id="e-{field}"' in html
    assert not Service.objects.filter(person=case.accepted.person).exists()
    assert not AuditEvent.objects.filter(action="operations.service").exists()


def test_the_service_form_is_in_french(case: Case) -> None:
    case.zoe.cookies["django_language"] = "fr"
    page = _text(case.zoe.get(f"/referrals/victims/{case.accepted.ref}/"))
    assert "Enregistrer un service rendu" in page and "Date du service" in page
    refused = _text(_record(case.zoe, case.accepted, on="2020-01-01"))
    assert "La date ne peut pas précéder" in refused


def test_the_victim_page_makes_the_same_queries_for_more_services(case: Case) -> None:
    url = f"/referrals/victims/{case.accepted.ref}/"

    def count() -> int:
        case.zoe.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert case.zoe.get(url).status_code == 200
        return len(queries)

    _record(case.zoe, case.accepted)
    few = count()
    for kind in ("medical", "legal", "advocacy", "screening", "shelter"):
        assert _record(case.zoe, case.accepted, kind=kind).status_code == 302  # type: ignore[attr-defined]
    assert count() <= few


def test_the_inbox_links_accepted_referrals_to_the_service_form(case: Case) -> None:
    html = case.zoe.get("/referrals/").content.decode()
    assert f"/referrals/victims/{case.accepted.ref}/#record-service" in html
    for other in (case.pending, case.declined):
        assert f"/referrals/victims/{other.ref}/#record-service" not in html
