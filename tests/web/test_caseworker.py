"""A caseworker (NGO or child welfare) reads only what their referrals need: the victims
referred to their own organisation, the allowed fields of each (policy
``victim_fields_visible_to``), their own referral, the services to that person. No notes,
no arrests, no other victims, on every page and API route their role reaches."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import services as accounts
from beacon.access.permissions import ROLE_PERMISSIONS
from beacon.access.routes import PUBLIC, SIGNED_IN
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from beacon.operations.models import Referral, Victim
from beacon.operations.models.events import CASEWORKER_VICTIM_FIELDS
from tests.access.routes_table import api_routes, web_routes

ClientAs = Callable[[str], Client]
OPERATION = "RECLAIM-AND-REBUILD-2021"  # ZOE International and Saving Innocents are its NGOs
NOTES = "Seen with the buyer at the Sunset Motel, room 12"
CHARGES = "Compelling prostitution of a minor, count 7"
ARRESTEE = "Arresteename"
OTHER_VICTIM = "Othervictimname"


@dataclass
class Case:
    mine: Victim  # referred to ZOE International (and to Saving Innocents)
    other: Victim  # referred to Saving Innocents only
    lapd: Client


def _text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _post(client: Client, kind: str, data: dict[str, object]) -> None:
    agency = Agency.objects.get(name="Los Angeles Police Department")
    jurisdiction = Victim.objects.filter(operation__code=OPERATION).first().jurisdiction  # type: ignore[union-attr]
    base = {"agency": agency.pk, "jurisdiction": jurisdiction.pk, "at": "2021-06-12T22:15"}
    response = client.post(f"/operations/{OPERATION}/events/{kind}/", {**base, **data})
    assert response.status_code == 302, _text(response)


def _victim(client: Client, last_name: str, notes: str) -> Victim:
    before = set(Victim.objects.filter(operation__code=OPERATION).values_list("pk", flat=True))
    _post(
        client,
        "victim",
        {
            "last_name": last_name,
            "first_name": "Ana",
            "age_min": 15,
            "age_group": "minor",
            "sex": "F",
            "self_identification": "victim",
            "consent": "given",
            "notes": notes,
        },
    )
    return Victim.objects.filter(operation__code=OPERATION).exclude(pk__in=before).get()


@pytest.fixture
def case(client_as: ClientAs) -> Case:
    """Entered through the event forms by an investigator of the operation's lead agency."""
    lapd = Agency.objects.get(name="Los Angeles Police Department")
    user = accounts.create_user(
        system_actor(),
        "investigator.lapd",
        "a long and unusual passphrase 42",
        lapd,
        "investigator",
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = client_as("investigator.lapd")
    zoe = Agency.objects.get(name="ZOE International")
    saving = Agency.objects.get(name="Saving Innocents")
    mine = _victim(client, "Referredname", NOTES)
    other = _victim(client, OTHER_VICTIM, "other notes")
    for victim, agency in ((mine, zoe), (mine, saving), (other, saving)):
        _post(client, "referral", {"victim": victim.ref, "to_agency": agency.pk})
    _post(client, "service", {"victim": mine.ref, "kind": "medical", "status": "provided"})
    _post(
        client,
        "arrest",
        {"last_name": ARRESTEE, "role": "trafficker", "charges": CHARGES, "warrants_served": 0},
    )
    return Case(mine, other, client)


def test_caseworker_victim_page_shows_only_the_allowed_fields_and_audits_them(
    client_as: ClientAs, case: Case
) -> None:
    zoe = client_as("caseworker.zoe")
    response = zoe.get(f"/referrals/victims/{case.mine.ref}/")
    assert response.status_code == 200
    shown = set(re.findall(r'data-field="(\w+)"', response.content.decode()))
    assert shown and shown <= CASEWORKER_VICTIM_FIELDS
    assert {"person", "age_group", "consent"} <= shown
    text = _text(response)
    assert "Referredname" in text  # the person they serve
    for hidden in (NOTES, CHARGES, ARRESTEE, OTHER_VICTIM, "Identified by"):
        assert hidden not in text
    # Their own referral only: not that the victim was also sent to Saving Innocents.
    assert "ZOE International" in text and "Saving Innocents: " not in text
    assert "Medical" in text  # the service delivered to this person
    read = AuditEvent.objects.filter(action="victims.read", object_id=case.mine.ref).get()
    assert set(read.detail["fields"]) == shown
    assert (read.actor, read.role) == ("caseworker.zoe", "caseworker")


def test_the_operations_agency_reads_every_field_and_every_referral(case: Case) -> None:
    text = _text(case.lapd.get(f"/victims/{case.mine.ref}/"))
    assert "Identified by" in text and "Los Angeles Police Department" in text
    assert "ZOE International" in text and "Saving Innocents" in text


def test_caseworker_cannot_open_a_victim_referred_elsewhere_or_the_operations_view(
    client_as: ClientAs, case: Case
) -> None:
    zoe = client_as("caseworker.zoe")
    assert zoe.get(f"/referrals/victims/{case.other.ref}/").status_code == 404
    assert zoe.get(f"/victims/{case.mine.ref}/").status_code == 403
    assert zoe.get("/referrals/victims/no-such-victim/").status_code == 404
    saving = Referral.objects.get(victim=case.mine, to_agency__name="Saving Innocents")
    assert zoe.post(f"/referrals/{saving.ref}/respond/", {"answer": "declined"}).status_code == 404
    saving.refresh_from_db()
    assert saving.status == "offered"


def _caseworker_routes() -> list[tuple[str, str]]:
    """Every GET route (pages and API) a caseworker's role may call, from the route tables."""
    allowed = {str(p) for p in ROLE_PERMISSIONS["caseworker"]} | {PUBLIC, SIGNED_IN}
    found = []
    for route in [*web_routes(), *api_routes()]:
        if "GET" in route.methods and route.permission in allowed:
            found.append((route.kind, route.path))
    return found


def test_the_route_table_gives_caseworkers_their_inbox_and_victim_pages() -> None:
    paths = {path for _kind, path in _caseworker_routes()}
    assert {"/", "/referrals/", "/referrals/victims/{ref}/"} <= paths


@pytest.mark.parametrize(("kind", "path"), _caseworker_routes())
def test_no_caseworker_route_shows_notes_arrests_or_other_victims(
    client_as: ClientAs, case: Case, kind: str, path: str
) -> None:
    zoe = client_as("caseworker.zoe")
    params = {"ref": case.mine.ref, "name": "world_110m.json", "path": "web/css/beacon.css"}
    url = re.sub(r"{(\w+)}", lambda m: params.get(m.group(1), "x"), path)
    response = zoe.get(url)
    assert response.status_code < 500
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    text = body.decode(errors="replace")
    for hidden in (NOTES, CHARGES, ARRESTEE, OTHER_VICTIM, case.other.ref):
        assert hidden not in text, (url, hidden)


def test_the_inbox_is_an_audited_read_of_the_victims_it_lists(
    client_as: ClientAs, case: Case
) -> None:
    client_as("caseworker.zoe").get("/referrals/")
    read = AuditEvent.objects.filter(action="victims.read", object_id="inbox").latest("id")
    assert read.actor == "caseworker.zoe"
    assert case.mine.ref in read.detail["refs"] and case.other.ref not in read.detail["refs"]
