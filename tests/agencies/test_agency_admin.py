"""Creating and changing agencies: system administrators only (agencies:manage), the ORI
checked as the model checks it, every bad field reported next to its field, no loops of
parent agencies, audited with before and after; the admin pages in English and French."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beacon.agencies import services
from beacon.agencies.models import SYSTEM_ORI, Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, NotVisible, ValidationFailed
from tests.personas import acting

ClientAs = Callable[[str, Agency], Client]


def _new(**fields: str) -> dict[str, str]:
    return {"ori": "NM0070300", "name": "Mesilla Marshal", "kind": "local", **fields}


def _refused(call: Callable[[], object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return refused.value.fields


def test_an_administrator_creates_an_agency_and_the_audit_says_what(
    administrator: Actor, agency_a: Agency
) -> None:
    made = services.create_agency(
        administrator,
        _new(ori="nm0070300", parent=agency_a.ori, jurisdiction="county:35013", short_name="MM"),
    )
    assert (made.ori, made.kind, made.parent, made.short_name) == (
        "NM0070300",
        "local",
        agency_a,
        "MM",
    )
    assert made.jurisdiction is not None and made.jurisdiction.code == "35013"
    event = AuditEvent.objects.get(action="agency.created", object_id="NM0070300")
    assert event.actor == administrator.name and event.detail["parent"] == agency_a.ori
    assert event.detail["jurisdiction"] == "county:35013"


@pytest.mark.parametrize(
    "ori",
    ["NM00701", "NM00701000", "QQ0070100", "12A070100", "NM-070100", "", "ZZBEACON0"],
)
def test_an_ori_the_model_refuses_is_a_field_error(administrator: Actor, ori: str) -> None:
    assert set(_refused(lambda: services.create_agency(administrator, _new(ori=ori)))) == {"ori"}
    assert not Agency.objects.filter(name="Mesilla Marshal").exists()


def test_a_foreign_ori_by_country_code_is_accepted(administrator: Actor) -> None:
    made = services.create_agency(administrator, _new(ori="MX1234567", kind="foreign", name="FGR"))
    assert made.ori == "MX1234567"


def test_a_taken_ori_is_a_field_error(administrator: Actor, agency_a: Agency) -> None:
    fields = _refused(lambda: services.create_agency(administrator, _new(ori=agency_a.ori)))
    assert set(fields) == {"ori"} and agency_a.ori in fields["ori"][0]


def test_every_bad_field_is_reported_and_nothing_is_written(administrator: Actor) -> None:
    before = AuditEvent.objects.filter(action="agency.created").count()
    fields = _refused(
        lambda: services.create_agency(
            administrator,
            {
                "ori": "NM0070300",
                "name": "",
                "short_name": "x" * 41,
                "kind": "system",
                "parent": "NM9999999",
                "jurisdiction": "planet:MARS",
            },
        )
    )
    assert set(fields) == {"name", "short_name", "kind", "parent", "jurisdiction"}
    assert not Agency.objects.filter(ori="NM0070300").exists()
    assert AuditEvent.objects.filter(action="agency.created").count() == before


def test_an_edit_changes_the_fields_and_audits_before_and_after(
    administrator: Actor, agency_a: Agency, agency_b: Agency
) -> None:
    services.update_agency(
        administrator,
        agency_b.ori,
        {
            "name": "Sunland Park PD",
            "kind": "state",
            "parent": agency_a.ori,
            "jurisdiction": "state:NM",
        },
    )
    agency_b.refresh_from_db()
    assert (agency_b.name, agency_b.kind, agency_b.parent) == ("Sunland Park PD", "state", agency_a)
    assert agency_b.jurisdiction is not None and agency_b.jurisdiction.abbreviation == "NM"
    diff = AuditEvent.objects.get(action="agency.modified", object_id=agency_b.ori).detail
    assert diff["name"] == {"before": "Sunland Park Police Department", "after": "Sunland Park PD"}
    assert diff["parent"] == {"before": None, "after": agency_a.ori}
    assert diff["jurisdiction"] == {"before": None, "after": "state:NM"}


def test_an_agency_cannot_be_part_of_itself_or_of_its_own_offices(
    administrator: Actor, agency_a: Agency, agency_b: Agency
) -> None:
    keep = {"name": agency_a.name, "kind": "local"}
    services.update_agency(administrator, agency_b.ori, {**keep, "parent": agency_a.ori})
    assert "parent" in _refused(
        lambda: services.update_agency(
            administrator, agency_a.ori, {**keep, "parent": agency_a.ori}
        )
    )
    assert "parent" in _refused(
        lambda: services.update_agency(
            administrator, agency_a.ori, {**keep, "parent": agency_b.ori}
        )
    )
    agency_a.refresh_from_db()
    assert agency_a.parent is None


def test_the_ori_of_an_existing_agency_cannot_be_changed(
    administrator: Actor, agency_a: Agency
) -> None:
    fields = _refused(
        lambda: services.update_agency(
            administrator, agency_a.ori, {"ori": "NM0079999", "name": "X", "kind": "local"}
        )
    )
    assert set(fields) == {"ori"}


def test_beacons_own_agency_is_not_editable(administrator: Actor) -> None:
    Agency.system()
    with pytest.raises(NotVisible):
        services.update_agency(administrator, SYSTEM_ORI, {"name": "Mine now", "kind": "local"})


@pytest.mark.parametrize("role", ["investigator", "hub_coordinator", "caseworker", "supervisor"])
def test_other_roles_may_not_create_or_change_agencies_and_the_denial_is_audited(
    agency_a: Agency, role: str
) -> None:
    actor = acting(agency_a, role, via="web")
    with pytest.raises(Forbidden):
        services.create_agency(actor, _new())
    with pytest.raises(Forbidden):
        services.update_agency(actor, agency_a.ori, {"name": "Renamed", "kind": "local"})
    agency_a.refresh_from_db()
    assert agency_a.name == "Las Cruces Police Department"
    assert not Agency.objects.filter(ori="NM0070300").exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=actor.name).count() == 2


# --- the pages ---------------------------------------------------------------------------


def _text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_admin_creates_an_agency_from_the_page(
    web_client_as: ClientAs, agency_a: Agency
) -> None:
    client = web_client_as("system_admin", agency_a)
    form = client.get("/administration/agencies/new/").content.decode()
    for name in ("ori", "name", "short_name", "kind", "parent", "jurisdiction"):
        assert f'<label for="f-{name}">' in form and f'id="f-{name}"' in form
    response = client.post(
        "/administration/agencies/new/",
        _new(parent=agency_a.ori, jurisdiction="state:NM"),
    )
    assert response.status_code == 302 and response["Location"] == "/administration/agencies/"
    listed = _text(client.get("/administration/agencies/"))
    assert "NM0070300" in listed and "Mesilla Marshal" in listed


def test_a_bad_ori_is_shown_next_to_its_field_and_kept(
    web_client_as: ClientAs, agency_a: Agency
) -> None:
    client = web_client_as("system_admin", agency_a)
    response = client.post("/administration/agencies/new/", _new(ori="QQ0070300", kind=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-describedby="e-ori"' in html and '<ul class="errorlist" id="e-ori">' in html
    assert 'id="e-kind"' in html and 'value="QQ0070300"' in html
    assert "QQ" in _text(response) and not Agency.objects.filter(ori="QQ0070300").exists()


def test_the_admin_edits_an_agency_from_the_page(
    web_client_as: ClientAs, agency_a: Agency, agency_b: Agency
) -> None:
    client = web_client_as("system_admin", agency_a)
    page = client.get(f"/administration/agencies/{agency_b.ori}/edit/")
    assert (
        page.status_code == 200
        and 'value="Sunland Park Police Department"' in page.content.decode()
    )
    response = client.post(
        f"/administration/agencies/{agency_b.ori}/edit/",
        {"name": "Sunland Park PD", "kind": "local", "parent": agency_a.ori, "jurisdiction": ""},
    )
    assert response.status_code == 302
    agency_b.refresh_from_db()
    assert (agency_b.name, agency_b.parent) == ("Sunland Park PD", agency_a)
    loop = client.post(
        f"/administration/agencies/{agency_a.ori}/edit/",
        {"name": agency_a.name, "kind": "local", "parent": agency_b.ori},
    )
    assert loop.status_code == 422 and 'id="e-parent"' in loop.content.decode()
    assert client.get("/administration/agencies/NM0000000/edit/").status_code == 404
    assert client.get(f"/administration/agencies/{SYSTEM_ORI}/edit/").status_code == 404


def test_the_agency_pages_and_errors_are_in_french(
    web_client_as: ClientAs, agency_a: Agency
) -> None:
    client = web_client_as("system_admin", agency_a)
    client.cookies["django_language"] = "fr"
    form = _text(client.get("/administration/agencies/new/"))
    assert "Nouvelle agence" in form and "Créer l'agence" in form
    refused = _text(client.post("/administration/agencies/new/", _new(ori="NM12", name="")))
    assert "L'ORI doit" in refused and "Obligatoire" in refused
    assert "Modifier" in _text(client.get("/administration/agencies/"))


@pytest.mark.parametrize("role", ["investigator", "hub_coordinator", "caseworker"])
def test_the_agency_pages_are_refused_to_other_roles(
    web_client_as: ClientAs, agency_a: Agency, role: str
) -> None:
    client = web_client_as(role, agency_a)
    assert client.get("/administration/agencies/new/").status_code == 403
    assert client.post("/administration/agencies/new/", _new()).status_code == 403
    edit = client.post(
        f"/administration/agencies/{agency_a.ori}/edit/", {"name": "X", "kind": "local"}
    )
    assert edit.status_code == 403
    assert not Agency.objects.filter(ori="NM0070300").exists()


def test_the_agency_list_makes_the_same_queries_for_more_agencies(
    web_client_as: ClientAs, administrator: Actor, agency_a: Agency
) -> None:
    client = web_client_as("system_admin", agency_a)

    def count() -> int:
        client.get("/administration/agencies/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/administration/agencies/").status_code == 200
        return len(queries)

    for n in range(3):
        services.create_agency(
            administrator, _new(ori=f"NM00710{n}0", parent=agency_a.ori, jurisdiction="state:NM")
        )
    few = count()
    for n in range(3, 9):
        services.create_agency(
            administrator, _new(ori=f"NM00710{n}0", parent=agency_a.ori, jurisdiction="state:NM")
        )
    assert count() <= few  # no query per agency (the session touch may vary by one)
