"""Person search: recall on planted variants, reasons, filters, and index use."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from bench.synthetic_people import generate_people, make_variants
from django.db import connection, transaction

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.records import search as engine
from beacon.records.importer import import_records
from beacon.records.keys import name_keys
from beacon.records.models import MissingPersonRecord
from beacon.records.search import SearchQuery
from beacon.records.services import enter_record, search_records

from .conftest import juvenile

PEOPLE = 1500
QUERIES = 200


@pytest.fixture
def registry(tmp_path: Path, agency_a: Agency, system: Actor) -> dict[str, int]:
    """PEOPLE synthetic records imported through the real importer; NIC -> person id."""
    people = generate_people(PEOPLE, seed=11)
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "category",
                "last_name",
                "first_name",
                "sex",
                "dob",
                "dlc",
                "oca",
                "ori",
                "circumstances",
                "notes",
            ]
        )
        for p in people:
            out.writerow(
                [
                    p.category,
                    p.last_name,
                    p.first_name,
                    p.sex,
                    p.dob,
                    p.dlc,
                    f"P{p.pid}",
                    agency_a.ori,
                    "family_abduction" if p.category == "EMI" else "runaway",
                    "synthetic",
                ]
            )
    import_records(system, path)
    return {nic: int(oca[1:]) for nic, oca in MissingPersonRecord.objects.values_list("nic", "oca")}


def test_recall_on_planted_variants(registry: dict[str, int], system: Actor) -> None:
    people = generate_people(PEOPLE, seed=11)
    variants = make_variants(people, QUERIES, seed=12)
    kinds = {k for v in variants for k in v.kinds}
    assert kinds == {"typo", "nickname", "swap_day_month", "transpose"}
    at1 = at10 = 0
    visible = MissingPersonRecord.objects.all()
    for v in variants:
        hits = engine.find(
            visible,
            SearchQuery(last_name=v.last_name, first_name=v.first_name, dob=v.dob, sex=v.sex),
        )
        ranked = [registry[h.nic] for h in hits]
        at1 += bool(ranked) and ranked[0] == v.pid
        at10 += v.pid in ranked
    assert at10 / len(variants) >= 0.98
    assert at1 / len(variants) >= 0.9


@pytest.fixture
def lupe(investigator_a: Actor) -> MissingPersonRecord:
    return enter_record(
        investigator_a,
        juvenile(last_name="Martinez", first_name="Guadalupe", dob=date(2010, 3, 5), aliases=()),
    )


def query(**kwargs: object) -> SearchQuery:
    base: dict[str, object] = {
        "last_name": "Martinez",
        "first_name": "Guadalupe",
        "dob": date(2010, 3, 5),
    }
    base.update(kwargs)
    return SearchQuery(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"first_name": "Lupita"}, "Lupita is a form of Guadalupe"),
        ({"dob": date(2010, 5, 3)}, "DOB with day and month swapped"),
        ({"last_name": "Guadalupe", "first_name": "Martinez"}, "names transposed"),
        ({"last_name": "Martinex"}, "given name sounds alike, DOB"),
    ],
)
def test_variant_is_found_with_its_reason(
    lupe: MissingPersonRecord, investigator_a: Actor, change: dict[str, object], reason: str
) -> None:
    hits = search_records(investigator_a, query(**change))
    assert hits[0].nic == lupe.nic
    assert any(reason in r for r in hits[0].reasons), hits[0].reasons
    assert 0 < hits[0].score <= 1


def test_exact_match_scores_highest(lupe: MissingPersonRecord, investigator_a: Actor) -> None:
    exact = search_records(investigator_a, query(sex="F"))[0]
    typo = search_records(investigator_a, query(last_name="Martinex", sex="F"))[0]
    assert exact.score > typo.score
    assert "DOB exact" in exact.reasons


def test_filters_exclude_records(lupe: MissingPersonRecord, investigator_a: Actor) -> None:
    assert search_records(investigator_a, query(sex="M")) == []
    assert search_records(investigator_a, query(category="EME")) == []
    assert search_records(investigator_a, query(status="cleared")) == []
    assert search_records(investigator_a, query(age_min=30)) == []
    assert search_records(investigator_a, query(dob=date(2001, 1, 1), dob_years=2)) == []
    assert [
        h.nic for h in search_records(investigator_a, query(dob=date(2011, 7, 1), dob_years=1))
    ] == [lupe.nic]


def test_name_only_and_dob_only_queries(lupe: MissingPersonRecord, investigator_a: Actor) -> None:
    assert search_records(investigator_a, query(dob=None))[0].nic == lupe.nic
    assert search_records(investigator_a, SearchQuery(dob=date(2010, 3, 5)))[0].nic == lupe.nic


def test_other_agencies_records_are_not_found(
    lupe: MissingPersonRecord, investigator_b: Actor
) -> None:
    assert search_records(investigator_b, query()) == []


def test_search_is_audited(lupe: MissingPersonRecord, investigator_a: Actor) -> None:
    search_records(investigator_a, query())
    event = AuditEvent.objects.get(action="records.search")
    assert event.detail["hits"] == [lupe.nic]
    assert event.actor == "alice"


def test_bad_search_names_the_field(investigator_a: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        search_records(investigator_a, SearchQuery(sex="X", limit=0, dob_years=3))
    assert {"last_name", "sex", "limit", "dob"} <= set(caught.value.fields)


# (what the plan must show, what it must not: a full scan of the key table)
PLAN_WORDS = {
    "postgresql": ("Index Cond: (key = ANY", "Seq Scan"),
    "sqlite": ("USING PRIMARY KEY (key=?)", "SCAN records_namekey"),
}


def test_candidate_lookup_uses_the_key_index_not_a_scan(lupe: MissingPersonRecord) -> None:
    keys = [k.value for k in name_keys("Martinez", "Guadalupe", [date(2010, 3, 5)])]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a tiny table: make the planner show its options
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = " ".join(engine.explain_key_lookup(keys))
    uses, never = PLAN_WORDS[connection.vendor]
    assert uses in plan, plan
    assert never not in plan, plan


def test_name_only_search_survives_a_typo_in_each_name(
    lupe: MissingPersonRecord, investigator_a: Actor
) -> None:
    hits = search_records(investigator_a, SearchQuery(last_name="Martinex", first_name="Guadalupa"))
    assert hits[0].nic == lupe.nic
    assert any("Soundex" in r for r in hits[0].reasons), hits[0].reasons
    too_old = SearchQuery(last_name="Martinex", first_name="Guadalupa", age_min=40)
    assert search_records(investigator_a, too_old) == []
