"""The "My work" home page: each role sees its own work and nothing beyond its need to know
(another agency's targets or referrals never appear), in a flat number of queries."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beacon.access.services import actor_of_user
from beacon.agencies.models import Agency
from beacon.operations.models import Operation, Referral, Target

ClientAs = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _demo(demo_db: None) -> None:
    return


def html_of(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, section_id: str) -> str:
    """The HTML of one <section id=...> of the page ('' when the page has none)."""
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    return found.group(0) if found else ""


def nics_of(agency_name: str) -> set[str]:
    return set(
        Target.objects.filter(assigned_agency__name=agency_name).values_list(
            "record__nic", flat=True
        )
    )


def test_an_investigator_sees_the_targets_of_their_agency_and_no_other(
    client_as: ClientAs,
) -> None:
    html = html_of(client_as("investigator.lcpd"))
    targets = section(html, "my-targets")
    mine = nics_of("Las Cruces Police Department")
    assert mine and all(nic in targets for nic in mine)
    for other in ("Anthony Police Department", "Sunland Park Police Department"):
        theirs = nics_of(other)
        assert theirs and not any(nic in html for nic in theirs), other
    lcpd = Agency.objects.get(name="Las Cruces Police Department")
    assert f'href="/operations/RESCUE-ME-2021/targets/?agency={lcpd.pk}"' in targets


def test_outstanding_targets_come_first(client_as: ClientAs) -> None:
    lcpd = Agency.objects.get(name="Las Cruces Police Department")
    outstanding = set(
        Target.objects.filter(assigned_agency=lcpd, outcome__isnull=True).values_list(
            "record__nic", flat=True
        )
    )
    assert 0 < len(outstanding) < 20
    items = re.findall(
        r"<li( class=\"done\")?>.*?· (M\d+) ·",
        section(html_of(client_as("investigator.lcpd")), "my-targets"),
    )
    listed = [nic for _done, nic in items]
    assert set(listed[: len(outstanding)]) == outstanding
    assert all(done for done, _nic in items[len(outstanding) :])


def test_an_agency_without_assigned_targets_is_told_so(client_as: ClientAs) -> None:
    html = html_of(client_as("investigator.hsi"))
    assert "No target is assigned to your agency." in section(html, "my-targets")
    assert not any(nic in html for nic in nics_of("Las Cruces Police Department"))


def test_a_caseworker_sees_only_referrals_to_their_agency(client_as: ClientAs) -> None:
    html = html_of(client_as("caseworker.zoe"))
    referrals = section(html, "my-referrals")
    zoe = Referral.objects.filter(to_agency__name="ZOE International")
    for referral in zoe.filter(status="offered"):
        assert referral.victim.ref in referrals
    elsewhere = Referral.objects.exclude(to_agency__name="ZOE International")
    assert elsewhere.exists()
    shown = set(re.findall(r'href="/referrals/victims/([^"/]+)/"', html))
    assert shown and shown <= set(zoe.values_list("victim__ref", flat=True))
    # A caseworker has no targets, operations or field drafts.
    for absent in ("my-targets", "my-operations", "my-drafts"):
        assert section(html, absent) == ""


def test_an_accepted_referral_leaves_the_list_once_served(client_as: ClientAs) -> None:
    zoe = client_as("caseworker.zoe")
    accepted = Referral.objects.filter(
        to_agency__name="ZOE International", status="accepted"
    ).select_related("victim")
    ref = accepted.first().victim.ref  # type: ignore[union-attr]
    assert ref in section(html_of(zoe), "my-referrals")
    recorded = zoe.post(
        f"/referrals/victims/{ref}/services/",
        {"kind": "shelter", "on": timezone.localdate().isoformat()},
    )
    assert recorded.status_code == 302
    assert f"/referrals/victims/{ref}/" not in section(html_of(zoe), "my-referrals")


def test_the_coordinator_sees_their_operations_with_tallies(client_as: ClientAs) -> None:
    from django.contrib.auth.models import User

    html = html_of(client_as("coordinator"))
    operations = section(html, "my-operations")
    actor = actor_of_user(User.objects.get(username="coordinator"))
    visible = set(Operation.objects.visible_to(actor).values_list("code", flat=True))
    shown = set(re.findall(r'href="/operations/([^"/]+)/"', operations))
    assert shown and shown <= visible
    hidden = set(Operation.objects.values_list("code", flat=True)) - visible
    assert hidden and not any(f"/operations/{code}/" in html for code in hidden)
    for code in shown:
        assert f'href="/operations/{code}/targets/"' in operations
    assert "Live tallies" in operations


def test_a_pio_sees_reports_only(client_as: ClientAs) -> None:
    html = html_of(client_as("pio"))
    operations = section(html, "my-operations")
    assert re.search(r'href="/operations/[^"/]+/report/"', operations)
    for absent in ("my-targets", "my-referrals", "my-drafts"):
        assert section(html, absent) == ""
    assert not re.search(r"M\d{9}", html)


def test_an_administrator_sees_no_case_data(client_as: ClientAs) -> None:
    html = html_of(client_as("admin"))
    for absent in ("my-targets", "my-referrals", "my-drafts", "my-operations"):
        assert section(html, absent) == ""


def test_drafts_are_listed_from_the_device(client_as: ClientAs) -> None:
    drafts = section(html_of(client_as("investigator.lcpd")), "my-drafts")
    assert 'data-event-url="/operations/CODE/events/KIND/"' in drafts
    assert 'id="draft-kinds"' in drafts and '"arrest"' in drafts
    html = html_of(client_as("investigator.lcpd"))
    assert "web/js/home-drafts.js" in html


def test_the_home_page_is_translated(client_as: ClientAs) -> None:
    client = client_as("investigator.lcpd")
    client.cookies["django_language"] = "fr"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mon travail" in html


def _queries(client: Client) -> int:
    client.get("/")
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "username", ["investigator.lcpd", "coordinator", "caseworker.zoe", "pio", "admin"]
)
def test_the_home_page_answers_in_a_flat_number_of_queries(
    client_as: ClientAs, username: str
) -> None:
    client = client_as(username)
    before = _queries(client)
    assert before <= 20
    # Many more rows: every target of the operation assigned to the agency, more referrals.
    actor_agency = Agency.objects.get(members__user__username=username)
    Target.objects.all().update(assigned_agency=actor_agency)
    Referral.objects.all().update(to_agency=actor_agency)
    assert _queries(client) == before
