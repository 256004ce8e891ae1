"""The records API: status codes, field messages, ETag / If-Match."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.records.models import MissingPersonRecord

DLC = (timezone.localdate() - timedelta(days=3)).isoformat()


def entry(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "EMJ",
        "last_name": "Martinez",
        "first_name": "Guadalupe",
        "sex": "F",
        "dob": "2010-03-05",
        "dlc": DLC,
        "oca": "LC-21-0001",
        "originating_ori": "NM0070100",
        "aliases": [{"last_name": "Martinez", "first_name": "Lupita", "kind": "nickname"}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def api(agency_a: Agency, api_client_as: Callable[..., Client]) -> Client:
    """A supervisor of the originating agency, calling with an API token."""
    return api_client_as("supervisor", agency_a)


def post(api: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return api.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def created(api: Client) -> dict[str, Any]:
    response = post(api, "/api/records", entry())
    assert response.status_code == 201, response.content
    return {"nic": response.json()["nic"], "etag": response["ETag"]}


def test_enter_answers_201_with_etag(api: Client, created: dict[str, Any]) -> None:
    assert created["etag"] == f'"{created["nic"]}-v1"'
    shown = api.get(f"/api/records/{created['nic']}")
    assert shown.status_code == 200
    assert shown["ETag"] == created["etag"]
    body = shown.json()
    assert (body["status"], body["version"], body["originating_ori"]) == ("active", 1, "NM0070100")
    assert [n["kind"] for n in body["names"]] == ["primary", "nickname"]


def test_bad_entry_answers_422_with_field_messages(api: Client) -> None:
    response = post(api, "/api/records", entry(sex="X", dob="2099-01-01"))
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "sex" in fields and "dob" in fields
    assert not MissingPersonRecord.objects.exists()


def test_malformed_body_answers_422_naming_the_field(api: Client) -> None:
    response = post(api, "/api/records", entry(dob="not a date", height_in="tall"))
    assert response.status_code == 422
    assert {"dob", "height_in"} <= set(response.json()["fields"])
    missing = post(api, "/api/records", {"last_name": "X"})
    assert missing.status_code == 422
    assert {"category", "sex", "dlc", "oca"} <= set(missing.json()["fields"])


def test_unknown_record_answers_404(api: Client) -> None:
    assert api.get("/api/records/M000000000").status_code == 404
    assert api.get("/api/records/M000000000/history").status_code == 404
    response = post(api, "/api/records/M000000000/clear", {"how": "other"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_duplicate_oca_answers_409(api: Client, created: dict[str, Any]) -> None:
    response = post(api, "/api/records", entry())
    assert response.status_code == 409
    assert "oca" in response.json()["fields"]


def test_modify_with_if_match_then_stale_answers_412(api: Client, created: dict[str, Any]) -> None:
    url = f"/api/records/{created['nic']}"
    first = api.patch(
        url,
        {"changes": {"hair": "BRO"}},
        content_type="application/json",
        headers={"If-Match": created["etag"]},
    )
    assert first.status_code == 200, first.content
    assert first["ETag"] == f'"{created["nic"]}-v2"'
    stale = api.patch(
        url,
        {"changes": {"hair": "RED"}},
        content_type="application/json",
        headers={"If-Match": created["etag"]},
    )
    assert stale.status_code == 412
    assert stale.json()["error"] == "stale_version"
    assert api.get(url).json()["hair"] == "BRO"


def test_modify_without_if_match_answers_428(api: Client, created: dict[str, Any]) -> None:
    response = api.patch(
        f"/api/records/{created['nic']}",
        {"changes": {"hair": "BRO"}},
        content_type="application/json",
    )
    assert response.status_code == 428


def test_modify_with_bad_value_answers_422(api: Client, created: dict[str, Any]) -> None:
    response = api.patch(
        f"/api/records/{created['nic']}",
        {"changes": {"eyes": "PUR"}},
        content_type="application/json",
        headers={"If-Match": created["etag"]},
    )
    assert response.status_code == 422
    assert "eyes" in response.json()["fields"]


def test_locate_clear_history_and_illegal_move_409(
    api: Client,
    created: dict[str, Any],
    agency_b: Agency,
    api_client_as: Callable[..., Client],
) -> None:
    nic = created["nic"]
    # Another agency locates: it sees the record through an operation that targets it.
    from datetime import date

    from beacon.operations.models import Operation, Participation, Target

    operation = Operation.objects.create(name="Op", code="OP-LOCATE", start=date(2021, 8, 1))
    Participation.objects.create(operation=operation, agency=agency_b, role="partner")
    record = MissingPersonRecord.objects.get(nic=nic)
    Target.objects.create(operation=operation, record=record, assigned_agency=agency_b)
    other = api_client_as("investigator", agency_b)
    located = post(
        other,
        f"/api/records/{nic}/locate",
        {"place": "El Paso, TX", "by_whom": "Ofc. Ruiz", "disposition": "with aunt"},
        **{"If-Match": created["etag"]},
    )
    assert located.status_code == 200, located.content
    assert located.json()["status"] == "located"
    again = post(
        other,
        f"/api/records/{nic}/locate",
        {"place": "El Paso", "by_whom": "x", "disposition": "y"},
    )
    assert again.status_code == 409
    assert "already located" in again.json()["message"]
    cleared = post(api, f"/api/records/{nic}/clear", {"how": "located_by_other_agency"})
    assert cleared.status_code == 200
    history = api.get(f"/api/records/{nic}/history").json()
    assert [t["kind"] for t in history] == ["enter", "locate", "clear"]
    assert history[1]["detail"]["place"] == "El Paso, TX"


def test_cancel_and_validate(api: Client, created: dict[str, Any]) -> None:
    nic = created["nic"]
    assert post(api, f"/api/records/{nic}/validate", {}).status_code == 200
    assert post(api, f"/api/records/{nic}/cancel", {}).status_code == 422
    cancelled = post(api, f"/api/records/{nic}/cancel", {"reason": "entered twice"})
    assert cancelled.json()["status"] == "cancelled"


def test_search_returns_scored_hits_with_reasons(api: Client, created: dict[str, Any]) -> None:
    response = post(
        api,
        "/api/records/search",
        {"last_name": "Martines", "first_name": "Lupe", "dob": "2010-05-03"},
    )
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert hits[0]["nic"] == created["nic"]
    assert hits[0]["score"] > 0.7 and hits[0]["reasons"]
    assert response.json()["suggestions"] == []
    bad = post(api, "/api/records/search", {"sex": "Q"})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"sex"}
    nothing = post(api, "/api/records/search", {})
    assert nothing.status_code == 422
    assert set(nothing.json()["fields"]) == {"last_name"}


@pytest.mark.parametrize("dob", ["2010-13", "2010-02-30", "10/03/2010", "20100"])
def test_search_refuses_a_dob_it_cannot_read(api: Client, dob: str) -> None:
    bad = post(api, "/api/records/search", {"last_name": "Martinez", "dob": dob})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"dob"}


def test_search_by_a_partial_dob_or_one_name(api: Client, created: dict[str, Any]) -> None:
    for body in (
        {"dob": "2010"},
        {"dob": "2010-03", "sex": "F"},
        {"last_name": "Martinez", "dob": None},
        {"first_name": "Guadalupe"},
    ):
        response = post(api, "/api/records/search", body)
        assert response.status_code == 200, body
        assert [h["nic"] for h in response.json()["hits"]] == [created["nic"]], body


def test_a_search_without_hits_says_what_it_searched_and_what_to_try(
    api: Client, created: dict[str, Any]
) -> None:
    body = {"last_name": "Okonkwo", "first_name": "Chidi", "dob": "2001-07-30", "sex": "M"}
    response = post(api, "/api/records/search", body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["hits"] == []
    searched = " ".join(answer["searched"])
    assert "OKONKWO" in searched and "CHIDI" in searched and "2001-07-30" in searched
    assert "sex M" in searched
    assert any("without the date of birth" in s for s in answer["suggestions"])
    assert any("Remove a filter" in s for s in answer["suggestions"])


def test_due_lists_overdue_validation(api: Client, created: dict[str, Any]) -> None:
    MissingPersonRecord.objects.filter(nic=created["nic"]).update(
        validation_due_at=timezone.now() - timedelta(days=3)
    )
    due = api.get("/api/records/due")
    assert due.status_code == 200
    assert [(d["nic"], d["rule"]) for d in due.json()] == [(created["nic"], "validation")]
    assert due.json()[0]["overdue_days"] >= 3


def test_every_records_route_declares_a_permission() -> None:
    from beacon.access.routes import declared_permission
    from beacon.records.api import router

    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            assert declared_permission(operation.view_func), path_view


def test_api_search_is_a_few_statements_and_one_audit_event_naming_every_hit(
    api: Client, created: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from beacon.audit.models import AuditEvent

    body = {"last_name": "Martinez", "first_name": "Guadalupe", "dob": "2010-03-05"}
    with CaptureQueriesContext(connection) as queries:
        response = post(api, "/api/records/search", body)
    assert response.status_code == 200
    hits = [h["nic"] for h in response.json()["hits"]]
    assert hits == [created["nic"]]
    event = AuditEvent.objects.filter(action="records.search").latest("id")
    assert event.detail["hits"] == hits
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("INSERT") and "apiratewindow" not in q["sql"]  # the rate count
    ]
    assert len(writes) == 1 and "audit" in writes[0]
    # token, key lookups, candidates, their names, the audit event (+ savepoints in tests)
    assert len(queries.captured_queries) <= 12, [q["sql"][:80] for q in queries.captured_queries]


def test_search_answers_exactly_what_its_schema_would_render(
    api: Client, created: dict[str, Any]
) -> None:
    """The search writes its JSON directly (beacon.records.api.search_json): the same
    fields, order and formats as SearchOut validated and rendered by ninja."""
    import dataclasses
    import json

    from ninja.responses import NinjaJSONEncoder

    from beacon.records import services
    from beacon.records.schemas import HitOut, SearchOut
    from beacon.records.search import Hit, SearchQuery

    assert [f.name for f in dataclasses.fields(Hit)] == list(HitOut.model_fields)
    body = {"last_name": "Martines", "first_name": "Lupe", "dob": "2010-05-03"}
    response = post(api, "/api/records/search", body)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    hits = services.search_records(
        api.actor,  # type: ignore[attr-defined]
        SearchQuery(last_name="Martines", first_name="Lupe", dob=date(2010, 5, 3)),
    )
    assert hits and hits[0].dob is not None
    schema = SearchOut(
        hits=[HitOut(**dataclasses.asdict(h)) for h in hits],
        searched=hits.searched,
        suggestions=hits.suggestions,
    )
    rendered = json.dumps(schema.model_dump(), cls=NinjaJSONEncoder).encode()
    assert response.content == rendered
