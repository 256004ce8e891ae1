"""Every figure of ../shared/seeds/FIGURES.md, from the JSON report after the demo loads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.operations.conftest import report_json

pytestmark = pytest.mark.django_db

RM, PC8, UF, RR = (
    "RESCUE-ME-2021",
    "PROTECTED-CHILDHOOD-8",
    "UNITED-FRONT",
    "RECLAIM-AND-REBUILD-2021",
)


def _row(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in report["by_jurisdiction"] if r["jurisdiction"] == name)


def _text(report: dict[str, Any]) -> str:
    return " ".join(report["summary"])


def test_the_demo_writes_four_bundles(demo: Path) -> None:
    assert sorted(p.name for p in demo.iterdir()) == [
        "protected-childhood-8.json",
        "reclaim-and-rebuild.json",
        "rescue-me.json",
        "united-front.json",
    ]


def test_rescue_me(demo: Path) -> None:
    r = report_json(RM)
    t = r["totals"]
    assert r["operation"] == "Operation Rescue Me"
    assert r["status"] == "active"
    assert r["period"] == {"start": "2021-05-01", "end": None}
    assert len(r["agencies"]) == 11
    assert r["lead_agencies"] == ["HSI Las Cruces", "U.S. Marshals Service, District of New Mexico"]
    for name in (
        "New Mexico State Police",
        "Las Cruces Police Department",
        "Dona Ana County Sheriff's Office",
        "Anthony Police Department",
        "Sunland Park Police Department",
        "New Mexico Children, Youth and Families Department",
        "National Center for Missing and Exploited Children",
        "New Mexico Attorney General's Office",
        "Deliver Fund",
    ):
        assert name in r["agencies"]
    roles = {p["agency"]: p["role"] for p in r["participants"]}
    assert roles["New Mexico Children, Youth and Families Department"] == "child_welfare"
    assert roles["Deliver Fund"] == "ngo"
    assert r["jurisdictions"] == ["Doña Ana County"]
    assert (t["targets"], t["recovered"], t["located"], t["outstanding"]) == (80, 3, 75, 2)
    assert t["recovered"] + t["located"] == 78
    assert (t["target_age_min"], t["target_age_max"]) == (5, 18)
    assert t["located_abroad"] == 1
    assert t["located_abroad_by_country"] == {"Mexico": 1}
    assert t["screenings"] == 78
    assert t["investigations_opened"] == 3
    assert t["investigations_by_type"] == {"child_sexual_abuse": 2, "human_trafficking": 1}
    assert t["investigations_by_agency"]["HSI Deming"] == 1
    deming = next(a for a in r["by_agency"] if a["agency"] == "HSI Deming")
    assert deming["investigations_by_type"] == {"human_trafficking": 1}
    assert sum(a["targets"] for a in r["by_agency"]) == 80
    row = _row(r, "Doña Ana County")
    assert (row["targets"], row["recovered"], row["located"], row["outstanding"]) == (80, 3, 75, 2)
    assert r["disagreements"] == []


def test_rescue_me_texts_use_the_fields_words(demo: Path) -> None:
    en = _text(report_json(RM, "en"))
    fr = _text(report_json(RM, "fr"))
    assert "80 missing minors" in en and "aged 5 to 18" in en
    assert "3 were recovered, 75 were located and 2 remain outstanding" in en
    assert "Mexico" in en and "human trafficking" in en
    assert "3 ont été mis en sécurité" in fr and "75 ont été localisés" in fr
    assert "2 sont toujours recherchés" in fr and "80 mineurs disparus" in fr
    assert "Mexique" in fr and "1er mai 2021" in fr
    assert "abus sexuel sur enfant (2)" in fr and "traite des êtres humains (1)" in fr


def test_protected_childhood_8(demo: Path) -> None:
    r = report_json(PC8)
    t = r["totals"]
    assert r["status"] == "closed"
    assert r["period"] == {"start": "2021-06-08", "end": "2021-06-11"}
    assert t["countries"] == 6
    assert {row["jurisdiction"] for row in r["by_jurisdiction"]} == {
        "United States",
        "Brazil",
        "Argentina",
        "Paraguay",
        "Panama",
        "Ecuador",
    }
    assert t["search_warrants"] > 170 and t["search_warrants"] == 172
    assert t["arrests"] == 86
    assert t["raids"] > 100
    assert set(t["arrests_by_role"]) == {"csam_producer", "csam_distributor"}
    argentina = _row(r, "Argentina")
    assert argentina["victims_rescued"] == 15 and argentina["victims_minor"] == 15
    assert t["victims_rescued"] == 15
    assert t["warrants_served"] == 2  # the Texas arrest: two outstanding warrants
    assert t["files_seized"] == 10000  # the New York arrest, about 10,000 files
    reported = {(f["metric"], f["edition"], f["value"]) for f in r["reported_figures"]}
    assert ("arrests", 7, 113) in reported and ("countries", 7, 5) in reported
    assert ("arrests", None, 861) in reported
    assert r["series"]["first_year"] == 2015
    assert r["edition"] == 8
    assert r["series_totals"]["editions"] == 8
    assert r["series_totals"]["arrests"] == 861
    assert r["series_sources"]["arrests"]["sum_of_editions"] == 86 + 113
    assert r["disagreements"] == []


def test_protected_childhood_8_texts(demo: Path) -> None:
    en = _text(report_json(PC8, "en"))
    fr = _text(report_json(PC8, "fr"))
    assert "86 arrests" in en and "172 search warrants" in en and "861 arrests" in en
    assert "86 arrestations" in fr and "172 mandats de perquisition" in fr
    assert "Argentine\u202f: 15 victimes secourues" in fr
    assert "113 arrestations et 5 pays" in fr and "861 arrestations" in fr


def test_united_front_hub_and_states(demo: Path) -> None:
    r = report_json(UF)
    t = r["totals"]
    assert r["operation"] == "Operation United Front"
    assert r["lead_agencies"] == [
        "Missouri Attorney General's Office",
        "Missouri State Highway Patrol",
    ]
    assert {"Homeland Security Investigations", "Federal Bureau of Investigation"} <= set(
        r["agencies"]
    )
    assert len(r["sub_operations"]) == 12
    assert (t["victims_rescued"], t["medical_services"], t["arrests"]) == (47, 41, 102)
    expected = {
        "Missouri": (4, 2),
        "Illinois": (1, 3),
        "Iowa": (0, 11),
        "Kentucky": (23, 46),
        "Minnesota": (8, 3),
        "Nebraska": (0, 7),
        "North Dakota": (6, 3),
        "Oklahoma": (1, 7),
        "Tennessee": (0, 4),
        "Texas": (4, 2),
        "Wisconsin": (0, 5),
        "South Dakota": (0, 9),
    }
    table = {
        row["jurisdiction"]: (row["victims_rescued"], row["arrests"])
        for row in r["by_jurisdiction"]
    }
    assert table == expected
    assert [row["jurisdiction"] for row in r["by_jurisdiction"]] == list(expected)
    kentucky = _row(r, "Kentucky")
    assert (kentucky["victims_adult"], kentucky["victims_minor"]) == (21, 2)
    assert _row(r, "Iowa")["cash_seized"] > 0
    assert sum(row["cash_seized"] for row in r["by_jurisdiction"]) == _row(r, "Iowa")["cash_seized"]
    assert sum(a["arrests"] for a in r["by_agency"]) == 102
    subs = {s["jurisdictions"][0]: s["totals"] for s in r["sub_operations"]}
    assert subs["Kentucky"]["arrests"] == 46
    assert sum(s["arrests"] for s in subs.values()) == 102
    context = {f["metric"]: f for f in r["reported_figures"] if f["context"]}
    assert context["human_trafficking_offenses_reported"]["value"] == 1883
    cleared = context["human_trafficking_offenses_cleared"]
    assert cleared["value"] == 875
    assert cleared["parent"] == context["human_trafficking_offenses_reported"]["ref"]
    under_18 = context["human_trafficking_offenses_cleared_victims_under_18"]
    assert (under_18["value"], under_18["parent"]) == (18, cleared["ref"])
    assert context["human_trafficking_offenses_reported"]["period"]["start"].startswith("2019")
    assert r["disagreements"] == []
    assert all(f["status"] == "agrees" for f in r["reported_figures"] if not f["context"])


def test_united_front_texts(demo: Path) -> None:
    fr = _text(report_json(UF, "fr"))
    en = _text(report_json(UF, "en"))
    assert "47 victimes secourues" in fr and "102 arrestations" in fr
    assert "41 d'entre elles ont reçu des services médicaux" in fr
    assert (
        "Kentucky\u202f: 21 victimes adultes secourues, 2 victimes mineures secourues, 46 arrestations"
        in fr
    )
    assert "Iowa\u202f: 11 arrestations, argent saisi" in fr
    assert "1\u202f883" in fr and "875" in fr
    assert "47 victims rescued" in en and "102 arrests" in en and "1,883" in en


def test_reclaim_and_rebuild(demo: Path) -> None:
    r = report_json(RR)
    t = r["totals"]
    assert r["period"] == {"start": "2021-01-22", "end": "2021-01-28"}
    assert r["announced"] == "2021-02-01"
    assert len(r["jurisdictions"]) == 9
    for county in ("Los Angeles County", "Orange County", "San Bernardino County"):
        assert county in r["jurisdictions"]
    for agency in (
        "Los Angeles Police Department",
        "Los Angeles County Sheriff's Department",
        "Los Angeles County District Attorney's Office",
    ):
        assert agency in r["agencies"]
    assert t["arrests"] == 368
    assert {"pimp_panderer", "buyer"} <= set(t["arrests_by_role"])
    assert sum(t["arrests_by_role"].values()) == 368
    assert t["victims_rescued"] == 131
    assert (t["victim_age_min"], t["victim_age_max"]) == (13, 52)
    assert t["victims_minor"] == 6 and t["victims_adult"] == 125
    assert 20 <= t["victim_age_mean"] < 30
    assert set(t["referrals_by_agency"]) == {"ZOE International", "Saving Innocents", "Journey Out"}
    assert set(t["raids_by_kind"]) == {"massage_parlour", "online_contact"}
    context = {f["metric"]: f for f in r["reported_figures"] if f["context"]}
    assert context["young_victims_taken_in"]["value"] == 489
    assert context["adult_victims_taken_in"]["value"] == 256
    mean = next(f for f in r["reported_figures"] if f["metric"] == "victim_age_mean")
    assert mean["status"] == "agrees"
    assert r["disagreements"] == []


def test_reclaim_and_rebuild_texts(demo: Path) -> None:
    fr = _text(report_json(RR, "fr"))
    en = _text(report_json(RR, "en"))
    assert "368 arrestations" in fr and "proxénètes et souteneurs" in fr and "clients" in fr
    assert "131 victimes secourues" in fr and "âgées de 13 à 52 ans" in fr and "6 mineurs" in fr
    assert "22 janvier 2021" in fr and "28 janvier 2021" in fr
    assert re.search(r"âge moyen 2\d", fr)
    for ngo in ("ZOE International", "Saving Innocents", "Journey Out"):
        assert ngo in fr and ngo in en
    assert "368 arrests" in en and "pimps and panderers" in en and "buyers" in en
    assert "489" in en and "256" in en


def test_beacon_demo_is_idempotent_and_prints_the_demo_logins(demo: Path) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo", "--bundles", str(demo), stdout=out)
    text = out.getvalue()
    assert "rescue-me.json: RESCUE-ME-2021: 0 rows created" in text
    assert "united-front.json: UNITED-FRONT (+12 sub-operations): 0 rows created" in text
    assert "Demo logins" in text and "pio" in text
    assert report_json(UF)["totals"]["arrests"] == 102


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("rescue-me", RM),
        ("Operation Rescue Me", RM),
        ("united-front", UF),
        ("Protected Childhood 8", PC8),
        ("reclaim-and-rebuild", RR),
    ],
)
def test_report_finds_an_operation_by_name_or_seed_name(demo: Path, given: str, code: str) -> None:
    assert report_json(given)["code"] == code
