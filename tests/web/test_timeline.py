"""Timelines per operation, target and victim, in words; correcting an entry keeps its
history, needs a reason and is audited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from html import unescape

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beacon.access.services import actor_of_user
from beacon.audit.models import AuditEvent
from beacon.operations import codes, timeline
from beacon.operations.models import Arrest, Correction, Operation, Outcome, Target, Victim
from beacon.web import results

ClientAs = Callable[[str], Client]
OPERATION = "RESCUE-ME-2021"
CODES = re.compile(r"\b(state|county|country):[A-Z0-9]+\b|pimp_panderer|\d{4}-\d\d-\d\dT\d\d:")


def _agency(username: str) -> int:
    return int(User.objects.get(username=username).membership.agency_id)


def _form_choices(client: Client, kind: str) -> dict[str, str]:
    form = client.get(f"/operations/{OPERATION}/events/{kind}/").content.decode()
    agency = re.search(r'name="agency"[^>]*>.*?<option value="(\d+)" selected', form, re.S)
    place = re.search(r'name="jurisdiction"[^>]*>.*?<option value="(\d+)"', form, re.S)
    assert agency and place
    return {
        "agency": agency.group(1),
        "jurisdiction": place.group(1),
        "at": timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }


def _own_arrest(username: str, client: Client) -> Arrest:
    """An arrest the user's agency records through the event form."""
    data = _form_choices(client, "arrest") | {
        "role": codes.ArrestRole.values[0],
        "last_name": "Timeline",
        "first_name": "Test",
        "warrants_served": "0",
    }
    answer = client.post(f"/operations/{OPERATION}/events/arrest/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    found = (
        Arrest.objects.filter(operation__code=OPERATION, agency_id=_agency(username))
        .order_by("-pk")
        .first()
    )
    assert found is not None
    return found


def test_the_operation_timeline_is_in_words_and_links_people(client_as: ClientAs) -> None:
    client = client_as("coordinator")  # the hub's timeline shows its sub-operations'
    html = "".join(_pages(client, "/operations/UNITED-FRONT/timeline/"))
    assert "<strong>Arrest</strong>" in html
    assert "<strong>Victim identified or rescued</strong>" in html
    shown = re.sub(r'(datetime|href|id)="[^"]*"', "", html)
    assert CODES.search(shown) is None, CODES.search(shown)
    victim = Victim.objects.filter(operation__parent__code="UNITED-FRONT").first()
    assert victim is not None
    assert f'href="/victims/{victim.ref}/timeline/"' in html
    person = client.get(f"/victims/{victim.ref}/timeline/")
    assert person.status_code == 200
    assert str(victim.person) in person.content.decode()


def test_roles_without_case_files_get_no_timeline(client_as: ClientAs) -> None:
    assert client_as("pio").get(f"/operations/{OPERATION}/timeline/").status_code == 403
    assert client_as("caseworker.zoe").get(f"/operations/{OPERATION}/timeline/").status_code == 403


def test_the_saved_message_links_to_the_timeline(client_as: ClientAs) -> None:
    client = client_as("investigator.hsi")
    data = _form_choices(client, "investigation") | {
        "type": codes.InvestigationType.values[0],
        "summary": "timeline test",
    }
    answer = client.post(f"/operations/{OPERATION}/events/investigation/", data, follow=True)
    html = answer.content.decode()
    assert "Saved: Investigation opened." in html
    assert f'<a href="/operations/{OPERATION}/timeline/">See it on the timeline</a>' in html


def test_correcting_an_entry_keeps_the_earlier_value_and_is_audited(client_as: ClientAs) -> None:
    client = client_as("investigator.hsi")
    arrest = _own_arrest("investigator.hsi", client)
    url = f"/operations/{OPERATION}/entries/arrest/{arrest.ref}/correct/"
    assert client.get(url).status_code == 200
    earlier = arrest.at
    new = timezone.localtime(earlier - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    seen = results.fingerprint(arrest.operation)
    answer = client.post(url, {"at": new, "jurisdiction": arrest.jurisdiction_id, "reason": "typo"})
    assert answer.status_code == 302
    assert results.fingerprint(arrest.operation) != seen  # the live dashboard refreshes
    arrest.refresh_from_db()
    assert abs((earlier - arrest.at) - timedelta(hours=2)) < timedelta(minutes=1)
    kept = Correction.objects.get(entry_kind="arrest", entry_ref=arrest.ref)
    assert kept.field == "at" and kept.reason == "typo" and kept.actor == "investigator.hsi"
    assert kept.before == earlier.isoformat()
    event = AuditEvent.objects.get(action="operations.entry_corrected", object_id=arrest.ref)
    assert event.detail["reason"] == "typo"
    timeline = client.get(f"/operations/{OPERATION}/timeline/").content.decode()
    item = re.search(rf'<li id="arrest-{arrest.ref}".*?</li>\s*</ul>', timeline, re.S)
    assert item and "typo" in item.group(0) and "Time" in item.group(0)


def test_a_correction_needs_a_reason_and_changes_nothing_without_one(
    client_as: ClientAs,
) -> None:
    client = client_as("investigator.hsi")
    arrest = _own_arrest("investigator.hsi", client)
    earlier = arrest.at
    url = f"/operations/{OPERATION}/entries/arrest/{arrest.ref}/correct/"
    new = timezone.localtime(earlier - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(url, {"at": new, "jurisdiction": arrest.jurisdiction_id, "reason": " "})
    assert answer.status_code == 422
    assert "Say why the entry is corrected." in answer.content.decode()
    arrest.refresh_from_db()
    assert arrest.at == earlier
    assert not Correction.objects.filter(entry_ref=arrest.ref).exists()


def test_only_the_recording_agency_corrects_an_entry(client_as: ClientAs) -> None:
    arrest = _own_arrest("investigator.hsi", client_as("investigator.hsi"))
    url = f"/operations/{OPERATION}/entries/arrest/{arrest.ref}/correct/"
    new = timezone.localtime(arrest.at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client_as("investigator.lcpd").post(
        url, {"at": new, "jurisdiction": arrest.jurisdiction_id, "reason": "mine now"}
    )
    assert answer.status_code == 409
    assert "which recorded this entry, may correct it" in answer.content.decode()
    assert not Correction.objects.filter(entry_ref=arrest.ref).exists()


def test_an_outcome_is_corrected_on_the_target_timeline_with_a_reason(
    client_as: ClientAs,
) -> None:
    target = (
        Target.objects.filter(operation__code=OPERATION, outcome__isnull=True)
        .filter(record__status="active")
        .exclude(record__originating_agency__name="Las Cruces Police Department")
        .first()
    )
    assert target is not None
    client = client_as("investigator.hsi")
    client.post(
        f"/operations/{OPERATION}/targets/{target.ref}/outcome/",
        {"how": "welfare_check", "_idempotency_key": str(uuid.uuid4())},
    )
    url = f"/operations/{OPERATION}/targets/{target.ref}/timeline/"
    page = client.get(url).content.decode()
    assert "Outcome: Located" in page and "Registry: Locate" in page
    assert "Withdraw the outcome" in page
    withdraw = f"/operations/{OPERATION}/targets/{target.ref}/outcome/withdraw/"
    client.post(withdraw, {"reason": ""})
    assert Outcome.objects.filter(target=target).exists()  # no reason, no change
    client.post(withdraw, {"reason": "wrong child"})
    assert not Outcome.objects.filter(target=target).exists()
    page = client.get(url).content.decode()
    assert "wrong child" in page and "withdrawn" in page and "Registry: Reopen" in page


def test_reading_a_timeline_is_audited_with_the_records_and_victims_shown(
    client_as: ClientAs,
) -> None:
    _pages(client_as("coordinator"), "/operations/UNITED-FRONT/timeline/")
    reads = AuditEvent.objects.filter(action="victims.read", object_id="timeline")
    shown = {ref for read in reads for ref in read.detail["refs"]}
    assert shown and shown <= set(
        Victim.objects.filter(operation__parent__code="UNITED-FRONT").values_list("ref", flat=True)
    )
    target = Target.objects.filter(operation__code=OPERATION, outcome__isnull=False).first()
    assert target is not None
    client_as("investigator.hsi").get(f"/operations/{OPERATION}/targets/{target.ref}/timeline/")
    read = AuditEvent.objects.get(action="records.read", detail__list="timeline")
    assert read.detail["nics"] == [target.record.nic]


def _anchors(html: str) -> list[str]:
    return re.findall(r'<li id="([a-z]+-[^"]+)"', html)


def _pages(client: Client, url: str) -> list[str]:
    """Every page of a timeline, following "Older entries"."""
    pages = []
    path = url
    while url:
        page = client.get(url)
        assert page.status_code == 200, url
        pages.append(page.content.decode())
        older = re.search(r'<a href="([^"]+)" rel="next">Older entries</a>', pages[-1])
        url = path + unescape(older.group(1)) if older else ""
    return pages


def test_an_operation_timeline_comes_a_page_at_a_time_and_misses_nothing(
    client_as: ClientAs,
) -> None:
    """The hub's entries share a few instants (the demo's sub-operations report at the
    same hour): following "Older entries" shows each exactly once, newest first."""
    client = client_as("coordinator")
    hub = Operation.objects.get(code="UNITED-FRONT")
    actor = actor_of_user(User.objects.get(username="coordinator"), via="web")
    everything = [e.anchor for e in timeline.operation_entries(actor, hub, size=100_000).entries]
    assert len(everything) > 2 * timeline.PAGE
    pages = _pages(client, "/operations/UNITED-FRONT/timeline/")
    seen = []
    for number, html in enumerate(pages):
        shown = _anchors(html)
        assert 0 < len(shown) <= timeline.PAGE
        seen += shown
        newest = '<a href="/operations/UNITED-FRONT/timeline/">Newest entries</a>' in html
        assert newest == (number > 0)
    assert seen == everything
    assert len(pages) == -(-len(everything) // timeline.PAGE)


def test_a_timeline_page_costs_a_fixed_number_of_queries(client_as: ClientAs) -> None:
    """One narrow query per kind of entry, then the rows shown: no query per entry."""
    client = client_as("coordinator")
    client.get("/operations/UNITED-FRONT/timeline/")  # sessions, caches
    with CaptureQueriesContext(connection) as few:
        client.get("/operations/UNITED-FRONT-IL/timeline/")
    with CaptureQueriesContext(connection) as many:
        client.get("/operations/UNITED-FRONT/timeline/")
    small = len(_anchors(client.get("/operations/UNITED-FRONT-IL/timeline/").content.decode()))
    assert small < timeline.PAGE  # a short timeline, all on one page
    assert len(many) <= len(few) + len(timeline.ORDER)
    assert len(many) < 40


def test_a_forged_link_to_older_entries_is_refused_in_words(client_as: ClientAs) -> None:
    client = client_as("coordinator")
    for bad in ("yesterday", "2021-08-27T20:00:00~nothing~1", "2021-08-27T20:00:00~arrest~x"):
        page = client.get("/operations/UNITED-FRONT/timeline/", {"before": bad})
        assert page.status_code == 422  # a clear refusal, never a 500
        assert "This link to older entries is not valid." in page.content.decode()
