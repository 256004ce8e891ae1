"""The operation edit page changes jurisdictions, hub and series/edition through the
editing service: errors next to their fields, loops and hidden hubs refused, a taken
edition a field error (not a 500), fields the form did not send left alone, French."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import services as accounts
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from beacon.operations.models import Operation

ClientAs = Callable[[str], Client]
CODE = "RESCUE-ME-2021"  # led by Las Cruces PD, in Doña Ana County


@pytest.fixture
def supervisor(demo_db: None, client_as: ClientAs) -> Client:
    agency = Agency.objects.get(name="Las Cruces Police Department")
    user = accounts.create_user(
        system_actor(), "supervisor.lcpd", "a long and unusual passphrase 42", agency, "supervisor"
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return client_as("supervisor.lcpd")


def _text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _form(operation: Operation, **changes: Any) -> dict[str, Any]:
    """What the edit page posts back unchanged, with ``changes``."""
    return {
        "name": operation.name,
        "description": operation.description,
        "status": operation.status,
        "start": operation.start.isoformat(),
        "end": operation.end.isoformat() if operation.end else "",
        "focus": list(operation.focus),
        "jurisdictions": "county:35013",
        "parent": operation.parent.code if operation.parent else "",
        "series": operation.series.code if operation.series else "",
        "edition": operation.edition or "",
        **changes,
    }


def _new_operation(client: Client, code: str) -> None:
    response = client.post(
        "/operations/new/",
        {"code": code, "name": f"Operation {code}", "start": "2021-07-01", "status": "planned"},
    )
    assert response.status_code == 302


def test_the_edit_page_shows_the_current_jurisdictions_hub_and_series_labelled(
    supervisor: Client,
) -> None:
    html = supervisor.get(f"/operations/{CODE}/edit/").content.decode()
    for name in ("jurisdictions", "parent", "series", "edition"):
        assert f'<label for="f-{name}">' in html and f'id="f-{name}"' in html
    assert 'value="county:35013"' in html  # Doña Ana County, as the bundle spells it
    assert "Operation Protected Childhood" in html  # the series to choose from


def test_the_supervisor_moves_the_operation_under_a_hub_and_into_a_series(
    supervisor: Client,
) -> None:
    _new_operation(supervisor, "NM-HUB")
    operation = Operation.objects.get(code=CODE)
    response = supervisor.post(
        f"/operations/{CODE}/edit/",
        _form(
            operation,
            jurisdictions="county:35013, state:TX",
            parent="NM-HUB",
            series="PROTECTED-CHILDHOOD",
            edition="42",
        ),
    )
    assert response.status_code == 302, _text(response)
    operation.refresh_from_db()
    assert operation.parent is not None and operation.parent.code == "NM-HUB"
    assert operation.series is not None and operation.edition == 42
    assert sorted(j.kind for j in operation.jurisdictions.all()) == ["county", "state"]
    diff = AuditEvent.objects.get(action="operations.modify", object_id=CODE).detail["changes"]
    assert diff["parent"] == {"before": None, "after": "NM-HUB"}
    assert diff["jurisdictions"]["after"] == ["county:35013", "state:TX"]
    hub = supervisor.get("/operations/NM-HUB/edit/").content.decode()
    assert f'value="{CODE}"' in hub  # offered, but choosing it would close a loop
    loop = supervisor.post("/operations/NM-HUB/edit/", _form(operation.parent, parent=CODE))
    assert loop.status_code == 422
    assert 'aria-describedby="e-parent"' in loop.content.decode()
    assert Operation.objects.get(code="NM-HUB").parent is None


def test_its_own_hub_and_a_hidden_hub_are_refused_next_to_the_field(supervisor: Client) -> None:
    operation = Operation.objects.get(code=CODE)
    for hub in (CODE, "UNITED-FRONT", "NO-SUCH-OP"):  # UNITED-FRONT: Missouri's, not visible
        response = supervisor.post(f"/operations/{CODE}/edit/", _form(operation, parent=hub))
        assert response.status_code == 422
        assert '<ul class="errorlist" id="e-parent">' in response.content.decode()
    hidden = supervisor.post(f"/operations/{CODE}/edit/", _form(operation, parent="UNITED-FRONT"))
    missing = supervisor.post(f"/operations/{CODE}/edit/", _form(operation, parent="NO-SUCH-OP"))
    assert 'value="UNITED-FRONT"' not in hidden.content.decode()  # never offered as a hub
    assert "no visible operation UNITED-FRONT" in _text(hidden)
    assert "no visible operation NO-SUCH-OP" in _text(missing)  # the same answer
    assert Operation.objects.get(code=CODE).parent is None


def test_a_taken_edition_is_a_field_error_and_nothing_changes(supervisor: Client) -> None:
    operation = Operation.objects.get(code=CODE)
    response = supervisor.post(
        f"/operations/{CODE}/edit/",
        _form(operation, name="Renamed", series="PROTECTED-CHILDHOOD", edition="8"),
    )
    assert response.status_code == 422
    assert '<ul class="errorlist" id="e-edition">' in response.content.decode()
    operation.refresh_from_db()
    assert operation.name != "Renamed" and operation.series is None
    assert not AuditEvent.objects.filter(action="operations.modify", object_id=CODE).exists()


def test_fields_the_form_did_not_send_are_left_alone(supervisor: Client) -> None:
    operation = Operation.objects.get(code=CODE)
    before = list(operation.jurisdictions.values_list("pk", flat=True))
    post = _form(operation, name="Renamed")
    for field in ("jurisdictions", "parent", "series", "edition"):
        del post[field]
    assert supervisor.post(f"/operations/{CODE}/edit/", post).status_code == 302
    operation.refresh_from_db()
    assert operation.name == "Renamed"
    assert list(operation.jurisdictions.values_list("pk", flat=True)) == before


def test_the_new_fields_and_their_errors_are_in_french(supervisor: Client) -> None:
    supervisor.cookies["django_language"] = "fr"
    page = _text(supervisor.get(f"/operations/{CODE}/edit/"))
    assert "Volet d'une opération centrale" in page and "Édition dans la série" in page
    operation = Operation.objects.get(code=CODE)
    refused = _text(supervisor.post(f"/operations/{CODE}/edit/", _form(operation, parent=CODE)))
    assert "ne peut pas être sa propre opération centrale" in refused


def test_a_partner_investigator_cannot_reach_the_edit_page(client_as: ClientAs) -> None:
    response = client_as("investigator.lcpd").post(
        f"/operations/{CODE}/edit/", {"parent": "", "series": ""}
    )
    assert response.status_code == 403


def _seen(html: str) -> str:
    found = re.search(r'name="seen" value="(\w+)"', html)
    assert found is not None
    return found.group(1)


def test_an_edit_on_a_page_someone_changed_since_is_refused_then_saved_when_resent(
    supervisor: Client,
) -> None:
    operation = Operation.objects.get(code=CODE)
    seen = _seen(supervisor.get(f"/operations/{CODE}/edit/").content.decode())
    other = supervisor.post(f"/operations/{CODE}/edit/", _form(operation, description="Other"))
    assert other.status_code == 302
    operation.refresh_from_db()
    stale = supervisor.post(f"/operations/{CODE}/edit/", _form(operation, name="Mine", seen=seen))
    assert stale.status_code == 412
    assert "Someone changed this operation" in _text(stale)
    assert Operation.objects.get(code=CODE).name != "Mine"
    again = _form(operation, name="Mine", seen=_seen(stale.content.decode()))
    assert supervisor.post(f"/operations/{CODE}/edit/", again).status_code == 302
    assert Operation.objects.get(code=CODE).name == "Mine"
