"""Person search recall pinned per error kind, on a small fixed sample.

2,000 seeded synthetic people imported through the real importer; for each kind of error
in bench.synthetic_people.ERROR_KINDS, 24 queries with that error (and a second set with
two errors). The thresholds are below what the search reaches on this sample and above
what the search before issue 15 reached (noted per kind: an error in every name with
the DOB right, the birth year off by one, a changed surname; a search by one name alone).
The same per kind on 2,000 people of the independent generator (bench/peoplegen) with
one of its development seeds, never the held-out one.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from bench.peoplegen import DEV_SEEDS, QUERY_KINDS, Query, write_registry_csv
from bench.peoplegen import Person as IndependentPerson
from bench.peoplegen import generate_people as generate_independent
from bench.peoplegen import make_queries as make_independent_queries
from bench.synthetic_people import ERROR_KINDS, Variant, generate_people, make_error_queries

from beacon.agencies.models import Agency
from beacon.core.actor import Actor
from beacon.records import search as engine
from beacon.records.imports.importer import import_records
from beacon.records.models import MissingPersonRecord
from beacon.records.search import SearchQuery

PEOPLE = 2000
PER_KIND = 24
SEED = 1505


@pytest.fixture
def registry(tmp_path: Path, agency_a: Agency, system: Actor) -> dict[str, int]:
    """PEOPLE synthetic records imported through the real importer; NIC -> person id."""
    people = generate_people(PEOPLE, seed=SEED)
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
            circumstances = "family_abduction" if p.category == "EMI" else "runaway"
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
                    circumstances,
                    "synthetic",
                ]
            )
    import_records(system, path)
    return {nic: int(oca[1:]) for nic, oca in MissingPersonRecord.objects.values_list("nic", "oca")}


Recall = dict[str, tuple[float, float]]


def recall_by_kind(registry: dict[str, int], queries: list[Variant]) -> Recall:
    """kind -> (recall@1, recall@10); a query with two errors counts under both kinds."""
    visible = MissingPersonRecord.objects.all()
    found: dict[str, list[tuple[bool, bool]]] = {}
    for v in queries:
        q = SearchQuery(last_name=v.last_name, first_name=v.first_name, dob=v.dob, sex=v.sex)
        ranked = [registry[h.nic] for h in engine.find(visible, q)]
        for kind in (*v.kinds, "all"):
            found.setdefault(kind, []).append((ranked[:1] == [v.pid], v.pid in ranked))
    return {
        k: (sum(a for a, _ in f) / len(f), sum(b for _, b in f) / len(f)) for k, f in found.items()
    }


def below(recall: Recall, floors: dict[str, tuple[float, float]]) -> dict[str, object]:
    return {
        kind: {"recall@1, @10": recall[kind], "floor": floor}
        for kind, floor in floors.items()
        if recall[kind][0] < floor[0] or recall[kind][1] < floor[1]
    }


# (recall@1, recall@10) floors; before issue 15, on this sample: typo_both 0.63 / 0.63,
# all 0.97 / 0.97 (at 100,000 records also dob_year 0.52 / 0.91, surname_changed 0.72 /
# 0.98: see the common-name tests below for what a small sample cannot show).
# After the rerank's issue-15 change (names alike by chance count for nothing, a DOB far
# beyond a slip for little) every kind reaches 1.0 / 1.0 here; surname_changed was
# 0.75 / 0.95 and first_missing 0.9 / 1.0 before it.
ONE_ERROR_FLOORS = {kind: (0.95, 1.0) for kind in ERROR_KINDS} | {"all": (0.99, 1.0)}


def test_one_error_of_each_kind_is_found(registry: dict[str, int]) -> None:
    people = generate_people(PEOPLE, seed=SEED)
    queries = make_error_queries(people, PER_KIND * len(ERROR_KINDS), seed=SEED + 1)
    recall = recall_by_kind(registry, queries)
    assert set(recall) == {*ERROR_KINDS, "all"}
    assert below(recall, ONE_ERROR_FLOORS) == {}


# before issue 15: recall@1 / @10 0.73 / 0.73 on this sample (0.63 / 0.69 at 100,000)
# 0.975 / 0.98 after the rerank change (the floor was 0.9 / 0.95)
TWO_ERRORS_FLOOR = {"all": (0.95, 0.97)}


def test_two_errors_are_found_nine_times_in_ten(registry: dict[str, int]) -> None:
    people = generate_people(PEOPLE, seed=SEED)
    queries = make_error_queries(people, 200, seed=SEED + 2, errors=2)
    recall = recall_by_kind(registry, queries)
    assert below(recall, TWO_ERRORS_FLOOR) == {}


Shape = Callable[[date, str, str, str], SearchQuery]
SINGLE_FIELDS: dict[str, Shape] = {
    "surname": lambda dob, last, first, sex: SearchQuery(last_name=last, limit=100),
    "given name": lambda dob, last, first, sex: SearchQuery(first_name=first, limit=100),
    "DOB": lambda dob, last, first, sex: SearchQuery(dob=dob, limit=100),
    "year and month of birth": lambda dob, last, first, sex: SearchQuery(
        birth_year=dob.year, birth_month=dob.month, sex=sex, limit=100
    ),
    "surname and year of birth": lambda dob, last, first, sex: SearchQuery(
        last_name=last, birth_year=dob.year, limit=100
    ),
}


@pytest.mark.parametrize("field", list(SINGLE_FIELDS))
def test_one_field_alone_answers_with_records_that_have_it(
    registry: dict[str, int], field: str
) -> None:
    """Before issue 15 a surname or a given name alone answered "No record matches"."""
    people = generate_people(PEOPLE, seed=SEED)
    rare = [p for p in people if sum(q.last_name == p.last_name for q in people) <= 3][:15]
    visible = MissingPersonRecord.objects.all()
    for p in rare:
        hits = engine.find(visible, SINGLE_FIELDS[field](p.dob, p.last_name, p.first_name, p.sex))
        assert hits, (field, p)
        assert p.pid in [registry[h.nic] for h in hits], (field, p)


def _import_namesakes(tmp_path: Path, agency: Agency, system: Actor, rows: list[date]) -> None:
    """One "Maria Garcia" per DOB, imported: a common name beyond the per-key cap."""
    path = tmp_path / "namesakes.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["category", "last_name", "first_name", "sex", "dob", "dlc", "oca", "ori"])
        for i, dob in enumerate(rows):
            out.writerow(["EMJ", "Garcia", "Maria", "F", dob, "2026-01-02", f"N{i}", agency.ori])
    import_records(system, path)


def test_a_birth_year_off_by_one_finds_a_common_name_beyond_the_per_key_cap(
    tmp_path: Path, agency_a: Agency, system: Actor
) -> None:
    """Before issue 15, names without the DOB were read capped at 200 records per key: the
    301st Maria Garcia, sought with her birth year off by one, was not among them."""
    dobs = [date(2008 + i % 9, 1 + i % 12, 1 + i % 28) for i in range(300)] + [date(2012, 6, 30)]
    _import_namesakes(tmp_path, agency_a, system, dobs)
    sought = MissingPersonRecord.objects.get(oca="N300")
    visible = MissingPersonRecord.objects.all()
    hits = engine.find(
        visible, SearchQuery(last_name="Garcia", first_name="Maria", dob=date(2013, 6, 30))
    )
    assert hits[0].nic == sought.nic
    assert "DOB with the birth year off by one" in hits[0].reasons


def test_a_typo_in_every_name_with_the_dob_right_is_found_among_namesakes(
    tmp_path: Path, agency_a: Agency, system: Actor
) -> None:
    """Before issue 15 no key survived a slip in both names: "Gartia, Marja" found nothing."""
    dobs = [date(2008 + i % 9, 1 + i % 12, 1 + i % 28) for i in range(40)] + [date(2012, 6, 30)]
    _import_namesakes(tmp_path, agency_a, system, dobs)
    sought = MissingPersonRecord.objects.get(oca="N40")
    visible = MissingPersonRecord.objects.all()
    hits = engine.find(
        visible, SearchQuery(last_name="Gartia", first_name="Marja", dob=date(2012, 6, 30))
    )
    assert hits[0].nic == sought.nic
    assert "DOB exact" in hits[0].reasons


def test_a_surname_and_a_year_find_a_common_name_beyond_the_per_key_cap(
    tmp_path: Path, agency_a: Agency, system: Actor
) -> None:
    """A surname alone is read capped at 200 records per key: with a year (or a year and
    month) the search also looks the surname up with each day of it."""
    dobs = [date(2008 + i % 4, 1 + i % 12, 1 + i % 28) for i in range(300)] + [date(2014, 6, 30)]
    _import_namesakes(tmp_path, agency_a, system, dobs)
    sought = MissingPersonRecord.objects.get(oca="N300")
    visible = MissingPersonRecord.objects.all()
    for q in (
        SearchQuery(last_name="Garcia", birth_year=2014),
        SearchQuery(first_name="Maria", birth_year=2014, birth_month=6),
    ):
        assert [h.nic for h in engine.find(visible, q)] == [sought.nic], q


# ----------------------------------------------------------------- the independent generator

INDEPENDENT_PEOPLE = 2000
INDEPENDENT_SEED = DEV_SEEDS[1]  # a development seed: the held-out one is for reports only


@pytest.fixture
def independent(tmp_path: Path, system: Actor) -> tuple[list[IndependentPerson], dict[str, int]]:
    """INDEPENDENT_PEOPLE people of the independent generator, imported through the real
    importer in its registry CSV; their NIC -> person id."""
    for ori, name in (
        ("NM0070100", "Las Cruces Police Department"),
        ("NM0070200", "Sunland Park Police Department"),
        ("NM0070300", "Dona Ana County Sheriff's Office"),
        ("NMNSP0000", "New Mexico State Police"),
        ("TX0710000", "El Paso Police Department"),
    ):
        Agency.objects.get_or_create(ori=ori, defaults={"name": name, "kind": "local"})
    people = generate_independent(INDEPENDENT_PEOPLE, seed=INDEPENDENT_SEED)
    path = tmp_path / "independent.csv"
    write_registry_csv(people, path)
    path.write_text(path.read_text(encoding="utf-8").replace("\u2019", "'"), encoding="utf-8")
    import_records(system, path)
    return people, {
        nic: int(oca[2:])
        for nic, oca in MissingPersonRecord.objects.filter(oca__startswith="PG").values_list(
            "nic", "oca"
        )
    }


def independent_recall(ids: dict[str, int], queries: list[Query]) -> Recall:
    visible = MissingPersonRecord.objects.all()
    found: dict[str, list[tuple[bool, bool]]] = {}
    for v in queries:
        q = SearchQuery(
            last_name=v.last_name,
            first_name=v.first_name,
            dob=v.dob,
            sex=v.sex if v.sex in ("M", "F") else "",
        )
        if not (q.last_name.strip() or q.first_name.strip() or q.dob):
            continue
        ranked = [ids[h.nic] for h in engine.find(visible, q)]
        for kind in (*v.kinds, "all"):
            found.setdefault(kind, []).append((ranked[:1] == [v.pid], v.pid in ranked))
    return {
        k: (sum(a for a, _ in f) / len(f), sum(b for _, b in f) / len(f)) for k, f in found.items()
    }


# (recall@1, recall@10) floors on this sample (12 queries per kind, so 0.9 allows one
# miss at rank 1): every kind reaches 1.0 / 1.0 here; with two errors 0.98 / 0.985.
INDEPENDENT_ONE_ERROR_FLOORS = {kind: (0.9, 1.0) for kind in QUERY_KINDS} | {"all": (0.99, 1.0)}


def test_one_error_of_each_kind_is_found_on_the_independent_generator(
    independent: tuple[list[IndependentPerson], dict[str, int]],
) -> None:
    people, ids = independent
    queries = make_independent_queries(
        people, 12 * len(QUERY_KINDS), errors=1, seed=INDEPENDENT_SEED
    )
    recall = independent_recall(ids, queries)
    assert set(recall) == {*QUERY_KINDS, "all"}
    assert below(recall, INDEPENDENT_ONE_ERROR_FLOORS) == {}


def test_two_errors_are_found_nine_times_in_ten_on_the_independent_generator(
    independent: tuple[list[IndependentPerson], dict[str, int]],
) -> None:
    people, ids = independent
    queries = make_independent_queries(people, 200, errors=2, seed=INDEPENDENT_SEED)
    recall = independent_recall(ids, queries)
    assert below(recall, {"all": (0.95, 0.97)}) == {}
