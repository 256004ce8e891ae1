"""The live dashboard: an unchanged poll costs two statements, a change reaches it at once.

Every write behind an operation's figures moves its stamp (database triggers,
beacon.operations.stamps); an open dashboard's poll carries the tag of what it shows and
is answered 304 from the session and the family's stamps (beacon.web.dashboard_polls).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beacon.agencies.models import Agency
from beacon.operations import stamps
from beacon.operations.models import Arrest, Operation, OperationStamp, Outcome, Target
from beacon.records.models import MissingPersonRecord
from beacon.web import dashboard_polls as polls

ClientAs = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _fresh_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each poll reads the stamps (the shared half-second read has its own test)."""
    monkeypatch.setattr(polls, "MEMO_SECONDS", 0.0)
    polls._memo.clear()


HUB, SUB = "UNITED-FRONT", "UNITED-FRONT-MO"


def _tag(client: Client, code: str) -> str:
    page = client.get(f"/operations/{code}/").content.decode()
    found = re.search(r'data-version="([^"]+)"', page)
    assert found is not None
    return f'"{found.group(1)}"'


def _stamp(code: str) -> int:
    operation = Operation.objects.get(code=code)
    return stamps.version_of(stamps.family_ids(operation)).number


def _arrest_row(ref: str) -> dict[str, object]:
    return {
        "ref": ref,
        "agency": "MODEMO002",
        "jurisdiction": "state:MO",
        "at": "2021-06-01T20:00:00Z",
        "people": [f"{ref}-P"],
        "person": f"{ref}-P",
        "role": "buyer",
    }


def test_an_unchanged_poll_is_a_304_in_two_statements(client_as: ClientAs) -> None:
    coordinator = client_as("coordinator")
    tag = _tag(coordinator, HUB)
    url = f"/operations/{HUB}/figures/"
    with CaptureQueriesContext(connection) as by_header:
        answer = coordinator.get(url, headers={"If-None-Match": tag})
    assert answer.status_code == 304 and answer["ETag"] == tag
    assert len(by_header.captured_queries) <= 2, [q["sql"] for q in by_header]
    with CaptureQueriesContext(connection) as by_token:
        answer = coordinator.get(f"{url}?v={tag.strip(chr(34))}")
    assert answer.status_code == 304
    assert len(by_token.captured_queries) <= 2
    # An older tag gets the figures, with the current tag.
    stale = coordinator.get(url, headers={"If-None-Match": '"d0-0-0-en"'})
    assert stale.status_code == 200 and stale["ETag"] == tag


def test_a_field_entry_through_the_api_reaches_the_hub_and_sub_dashboards(
    client_as: ClientAs, api_client_as: Callable[[str, Agency], Client]
) -> None:
    coordinator = client_as("coordinator")
    hub_tag, sub_tag = _tag(coordinator, HUB), _tag(coordinator, SUB)
    before_hub, before_sub = _stamp(HUB), _stamp(SUB)
    arrests = Arrest.objects.filter(operation__parent__code=HUB).count()
    field = api_client_as("investigator", Agency.objects.get(ori="MODEMO002"))
    body = {
        "people": [{"ref": "LIVE-1-P", "last_name": "Newone", "sex": "F"}],
        "rows": [_arrest_row("LIVE-1")],
    }
    answer = field.post(
        f"/api/operations/{SUB}/entries/arrests", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    assert _stamp(SUB) > before_sub and _stamp(HUB) > before_hub
    for code, tag in ((HUB, hub_tag), (SUB, sub_tag)):
        fresh = coordinator.get(f"/operations/{code}/figures/", headers={"If-None-Match": tag})
        assert fresh.status_code == 200 and fresh["ETag"] != tag
    fresh = coordinator.get(f"/operations/{HUB}/figures/", headers={"If-None-Match": hub_tag})
    assert Arrest.objects.filter(operation__parent__code=HUB).count() == arrests + 1
    figures = re.search(r'data-figures="([^"]+)"', fresh.text)
    assert figures is not None
    shown = json.loads(html.unescape(figures.group(1)))
    assert shown["sub_operations"][0]["totals"] is not None
    assert sum(s["totals"].get("arrests", 0) for s in shown["sub_operations"]) == arrests + 1


def test_an_outcome_and_a_record_edit_move_the_stamp(client_as: ClientAs) -> None:
    target = Target.objects.filter(outcome__isnull=True).select_related("operation").first()
    assert target is not None
    code = target.operation.code
    before = _stamp(code)
    field_client = client_as("investigator.hsi")
    answer = field_client.post(
        f"/operations/{code}/targets/{target.ref}/outcome/", {"how": "welfare_check"}
    )
    assert answer.status_code == 302 and Outcome.objects.filter(target=target).exists()
    after_outcome = _stamp(code)
    assert after_outcome > before
    MissingPersonRecord.objects.filter(pk=target.record_id).update(dob="2009-01-02")
    assert _stamp(code) > after_outcome
    unchanged = _stamp(code)
    MissingPersonRecord.objects.filter(pk=target.record_id).update(dob="2009-01-02")
    assert _stamp(code) == unchanged  # no change to what the report reads: no bump


def test_a_sub_operation_leaving_the_hub_changes_the_hub_tag(client_as: ClientAs) -> None:
    coordinator = client_as("coordinator")
    tag = _tag(coordinator, HUB)
    operation = Operation.objects.get(code=SUB)
    pk = operation.pk
    Arrest.objects.filter(operation=operation).delete()
    operation.delete()  # the family's sum of stamps falls: the tag names the family too
    assert OperationStamp.objects.filter(operation_id=pk).exists()  # harmless
    answer = coordinator.get(f"/operations/{HUB}/figures/", headers={"If-None-Match": tag})
    assert answer.status_code == 200 and answer["ETag"] != tag


def test_many_viewers_of_a_change_compute_the_report_once(client_as: ClientAs) -> None:
    cache.clear()
    viewers = [client_as("coordinator") for _ in range(3)]
    with CaptureQueriesContext(connection) as first:
        assert viewers[0].get(f"/operations/{HUB}/figures/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert viewers[1].get(f"/operations/{HUB}/figures/").status_code == 200
    # The second viewer is checked and audited, but no report query runs again.
    assert len(second.captured_queries) < len(first.captured_queries) - 5
    reports = [q["sql"] for q in second.captured_queries if "UNION ALL" in q["sql"]]
    assert reports == []


def test_a_grant_is_for_its_own_session_only(client_as: ClientAs) -> None:
    coordinator, other = client_as("coordinator"), client_as("analyst")
    tag = _tag(coordinator, HUB)
    # Another account with the same tag goes through the whole check (it may not see it).
    answer = other.get(f"/operations/{HUB}/figures/", headers={"If-None-Match": tag})
    assert answer.status_code == 404
    anonymous = Client().get(f"/operations/{HUB}/figures/", headers={"If-None-Match": tag})
    assert anonymous.status_code in (302, 401, 403)


def test_located_recovered_outstanding_come_first_with_a_totals_row(client_as: ClientAs) -> None:
    page = client_as("analyst").get("/operations/RESCUE-ME-2021/").content.decode()
    table = page.split('id="by-jurisdiction"', 1)[1].split("</table>", 1)[0]
    metrics = re.findall(r'<th scope="col" class="num" data-metric="([a-z_]+)"', table)
    first = [m for m in ("located", "recovered", "outstanding") if m in metrics]
    assert first and metrics[: len(first)] == first
    assert "<tfoot>" in table and "Total" in table.split("<tfoot>", 1)[1]
    cards = re.findall(r'<div class="card" data-metric="([a-z_]+)"', page)
    assert cards[: len(first)] == first
    assert re.search(r'Last updated <time datetime="\d{4}-\d\d-\d\dT', page)


def test_after_a_change_the_second_viewer_gets_the_new_figures_in_three_statements(
    client_as: ClientAs,
) -> None:
    first, second = client_as("coordinator"), client_as("coordinator")
    tag_first, tag_second = _tag(first, HUB), _tag(second, HUB)
    assert tag_first == tag_second
    operation = Operation.objects.get(code=HUB)
    Operation.objects.filter(pk=operation.pk).update(name="Operation United Front (renamed)")
    url = f"/operations/{HUB}/figures/"
    with CaptureQueriesContext(connection) as full:
        one = first.get(url, headers={"If-None-Match": tag_first})
    assert one.status_code == 200 and one["ETag"] != tag_first
    with CaptureQueriesContext(connection) as cheap:
        two = second.get(url, headers={"If-None-Match": tag_second})
    assert two.status_code == 200 and two.content == one.content
    # The session's save runs in atomic(): savepoints here, inside the test's transaction.
    statements = [q for q in cheap.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 3 < len(full.captured_queries)
    # Its grant now holds the new tag: the next poll is a 304 again.
    assert second.get(url, headers={"If-None-Match": two["ETag"]}).status_code == 304


def test_polls_of_one_family_share_one_read_of_its_stamps(
    client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = client_as("coordinator")
    tag, url = _tag(viewer, HUB), f"/operations/{HUB}/figures/"
    monkeypatch.setattr(polls, "MEMO_SECONDS", 3600.0)  # a long window: no timing in the test
    assert viewer.get(url, headers={"If-None-Match": tag}).status_code == 304
    with CaptureQueriesContext(connection) as shared:
        assert viewer.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert len(shared.captured_queries) == 1  # the session only
    Operation.objects.filter(code=HUB).update(name="Operation United Front (renamed)")
    # Within the window the change is not seen yet; once it has passed, it is.
    assert viewer.get(url, headers={"If-None-Match": tag}).status_code == 304
    monkeypatch.setattr(polls, "MEMO_SECONDS", 0.0)
    assert viewer.get(url, headers={"If-None-Match": tag}).status_code == 200
