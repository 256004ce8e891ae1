"""Linkage quality that must not regress: per error kind, with more fields mapped, no
chained clusters, and a list with bad cells still linked.

The lists are built by bench/synthetic_people (seeded): 2,000 children and about 15%
near-duplicates (typos, nicknames, day and month swapped, names transposed). For the
nine-field list each child also has a middle name (40%) and a town, state and ZIP; a
tenth of the duplicates have moved (another town and ZIP, sometimes another state).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest
from bench.synthetic_people import generate_people, with_duplicates

from beacon.core.actor import Actor
from beacon.intake import services
from beacon.intake.clustering import Clusterer
from beacon.intake.fields import ColumnMapping
from beacon.intake.models import LinkRun

from .conftest import write_csv

PLACES = [
    ("Albuquerque", "NM", "871"),
    ("Las Cruces", "NM", "880"),
    ("Santa Fe", "NM", "875"),
    ("El Paso", "TX", "799"),
    ("Houston", "TX", "770"),
    ("Phoenix", "AZ", "850"),
    ("Tucson", "AZ", "857"),
    ("Denver", "CO", "802"),
]
FIVE = {
    "source_id": ["id"],
    "first_name": ["first"],
    "last_name": ["last"],
    "dob": ["dob"],
    "sex": ["sex"],
}
NINE = {
    **FIVE,
    "middle_name": ["middle"],
    "place": ["city"],
    "state": ["state"],
    "postcode": ["zip"],
}


def synthetic_list(path: Path) -> tuple[Path, dict[str, int], dict[str, tuple[str, ...]]]:
    """The list CSV, each row's person and the kinds of change planted in it."""
    people = {p.pid: p for p in generate_people(2000, seed=4242)}
    rows = with_duplicates(list(people.values()), rate=0.15, seed=77)
    rng = random.Random(5)
    home = {pid: rng.randrange(len(PLACES)) for pid in people}
    out: list[list[str]] = []
    pid: dict[str, int] = {}
    kinds: dict[str, tuple[str, ...]] = {}
    seen: set[int] = set()
    for number, row in enumerate(rows, start=1):
        place = home[row.pid]
        if row.pid in seen and rng.random() < 0.1:  # a duplicate that moved
            place = (place + rng.randrange(1, len(PLACES))) % len(PLACES)
        seen.add(row.pid)
        city, state, prefix = PLACES[place]
        zipcode = f"{prefix}{(row.pid + place) % 40:02d}"
        middle = people[row.pid].middle_name
        out.append(
            [
                str(number),
                row.first_name,
                middle,
                row.last_name,
                row.dob.isoformat(),
                row.sex,
                city,
                state,
                zipcode,
            ]
        )
        pid[str(number)] = row.pid
        kinds[str(number)] = row.kinds
    header = ["id", "first", "middle", "last", "dob", "sex", "city", "state", "zip"]
    return write_csv(path, header, out), pid, kinds


def link_with(
    system: Actor, path: Path, name: str, columns: dict[str, list[str]]
) -> tuple[LinkRun, set[tuple[str, str]]]:
    intake = services.create_intake(system, name)
    services.import_list(
        system,
        intake,
        path,
        source="Test",
        mapping=ColumnMapping(columns=columns, dob_format="iso"),
    )
    run = services.link(system, intake)
    found: set[tuple[str, str]] = set()
    for cluster in run.cluster_set.all():
        ids = sorted(str(m["source_id"]) for m in cluster.members)
        found |= {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]}
    return run, found


def true_pairs(pid: dict[str, int]) -> set[tuple[str, str]]:
    by_person: dict[int, list[str]] = {}
    for record, person in pid.items():
        by_person.setdefault(person, []).append(record)
    return {
        (min(a, b), max(a, b))
        for group in by_person.values()
        for i, a in enumerate(group)
        for b in group[i + 1 :]
    }


def scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    hits = len(found & truth)
    return {"precision": hits / len(found), "recall": hits / len(truth)}


def recall_by_kind(
    found: set[tuple[str, str]], truth: set[tuple[str, str]], kinds: dict[str, Any]
) -> dict[str, float]:
    counts: dict[str, list[int]] = {}
    for a, b in truth:
        for kind in set(kinds[a]) | set(kinds[b]):
            tally = counts.setdefault(kind, [0, 0])
            tally[0] += (a, b) in found
            tally[1] += 1
    return {kind: hit / n for kind, (hit, n) in counts.items()}


def assert_no_chain(run: LinkRun) -> None:
    """Every two members of every cluster scored at or above the threshold together."""
    for cluster in run.cluster_set.all():
        keys = sorted(cluster.keys)
        scored = {(p["l"], p["r"]): p["p"] for p in cluster.pairs}
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                assert scored.get((a, b), 0.0) >= run.threshold, (cluster.pk, a, b)


@pytest.mark.slow
def test_each_error_kind_is_found_and_extra_fields_keep_precision(
    system: Actor, tmp_path: Path
) -> None:
    path, pid, kinds = synthetic_list(tmp_path / "children.csv")
    truth = true_pairs(pid)

    five, found_five = link_with(system, path, "five fields", FIVE)
    nine, found_nine = link_with(system, path, "nine fields", NINE)

    by_kind = recall_by_kind(found_five, truth, kinds)
    # Measured 1.0 for each kind (ids 4242 / 77 / 5); the floors leave room for a
    # change of model, not for a lost kind.
    assert by_kind["typo"] >= 0.97
    assert by_kind["transpose"] >= 0.97
    assert by_kind["swap_day_month"] >= 0.97
    assert by_kind["nickname"] >= 0.95
    five_scores, nine_scores = scores(found_five, truth), scores(found_nine, truth)
    assert five_scores["precision"] >= 0.97 and five_scores["recall"] >= 0.98  # 0.984 / 1.0
    # Middle name, town, state and ZIP mapped too: more evidence, not a collapse.
    assert nine_scores["precision"] >= 0.97 and nine_scores["recall"] >= 0.98  # 0.987 / 1.0
    assert nine_scores["precision"] >= five_scores["precision"] - 0.01
    assert nine.pairs < 2 * len(truth)
    assert_no_chain(five)
    assert_no_chain(nine)


def test_a_chain_is_cut_where_its_ends_score_as_non_matches() -> None:
    # A~B and B~C are strong; A and C were scored below the threshold (or never compared).
    for scores_ in (
        {("A", "B"): 0.99, ("B", "C"): 0.98},
        {("A", "B"): 0.99, ("B", "C"): 0.98, ("A", "C"): 0.2},
    ):
        clusterer = Clusterer(scores=scores_, guard=0.5)
        for (a, b), _ in sorted(scores_.items(), key=lambda item: -item[1]):
            if scores_[(a, b)] >= 0.5:
                clusterer.link(a, b)
        assert clusterer.groups() == [["A", "B"]]
        assert clusterer.refused == 1
    # With A~C scored as a match too, the three are one cluster.
    full = {("A", "B"): 0.99, ("B", "C"): 0.98, ("A", "C"): 0.7}
    clusterer = Clusterer(scores=full, guard=0.5)
    for a, b in full:
        clusterer.link(a, b)
    assert clusterer.groups() == [["A", "B", "C"]]
    # A reviewer's "same person" joins regardless of scores.
    clusterer = Clusterer(scores={}, guard=0.5)
    clusterer.union("A", "C")
    assert clusterer.groups() == [["A", "C"]]


def test_bad_cells_are_quarantined_and_the_rest_of_the_list_linked(
    system: Actor, tmp_path: Path
) -> None:
    header = ["First Name", "Last Name", "DOB", "Sex", "City"]
    rows = [
        ["Maria", "Garcia", "2010-03-04", "F", "Hatch"],
        ["Maria", "Garsia", "2010-03-04", "F", "Hatch"],
        ["Tomas", "Begay", "2099-08-15", "M", "Gallup"],  # a DOB in the future
        ["Tomas", "Begay", "2011-06-01", "X7", "Gallup"],  # an unknown sex code
        ["Ana", "Ruiz", "2012-12-12", "F", "Hatch"],
    ]
    path = write_csv(tmp_path / "messy.csv", header, rows)
    intake = services.create_intake(system, "Messy")
    listed = services.import_list(system, intake, path, source="NGO")
    assert listed.rows == 5
    assert [(q["line"], q["column"], q["reason"]) for q in listed.quarantine] == [
        (4, "DOB", "is in the future"),
        (5, "Sex", "must be M, F or U"),
    ]
    run = services.link(system, intake)
    groups = [sorted(c.keys) for c in run.cluster_set.all()]
    assert [f"{listed.pk}:2", f"{listed.pk}:3"] in groups


PEOPLEGEN_NINE = {
    "source_id": ["record_id"],
    "first_name": ["first_name"],
    "middle_name": ["middle_name"],
    "last_name": ["last_name"],
    "dob": ["dob"],
    "sex": ["sex"],
    "place": ["city"],
    "state": ["state"],
    "postcode": ["zip"],
}


# Each kind's recall with nine fields on DEV_SEEDS[1], 4,000 people and 15% duplicates
# (7 true pairs with a compound surname, 25-83 for each other kind), as measured:
# compound surname 1.0, DOB default 0.95, DOB digit 1.0, day/month swap 1.0, DOB year
# 0.98, format 1.0, keyboard 0.99, known by the middle name 0.93, missing value 0.95,
# moved 0.96, names swapped 0.98, nickname 1.0, OCR 0.96, phonetic 0.99, new surname
# 0.94, transliteration 1.0. The floors leave room for a change of model (about two
# pairs per kind), not for a lost kind.
PEOPLEGEN_FLOORS = {
    "compound_surname": 0.85,  # 7 pairs: one may go
    "dob_default": 0.9,
    "dob_digit": 0.95,
    "dob_swap": 0.92,
    "dob_year": 0.93,
    "format": 0.95,
    "keyboard": 0.93,
    "middle_as_first": 0.87,
    "missing": 0.9,
    "moved": 0.91,
    "name_swap": 0.93,
    "nickname": 0.92,
    "ocr": 0.91,
    "phonetic": 0.93,
    "surname_change": 0.89,
    "transliteration": 0.92,
}


@pytest.mark.slow
def test_each_kind_of_the_independent_generators_errors_is_found_with_nine_fields(
    system: Actor, tmp_path: Path
) -> None:
    # bench/peoplegen on a development seed (never the held-out one): its own error kinds
    from bench.peoplegen import DEV_SEEDS, generate_people, write_linkage_csv
    from bench.peoplegen import with_duplicates as planted

    seed = DEV_SEEDS[1]
    people = generate_people(4000, seed=seed)
    path, truth_path = tmp_path / "list.csv", tmp_path / "truth.csv"
    write_linkage_csv(planted(people, 0.15, seed=seed), path, truth=truth_path)
    pid: dict[str, int] = {}
    kinds: dict[str, tuple[str, ...]] = {}
    with truth_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pid[row["record_id"]] = int(row["cluster_id"])
            kinds[row["record_id"]] = tuple(
                {error.split(":")[0] for error in row["errors"].split("|") if error}
            )
    truth = true_pairs(pid)
    run, found = link_with(system, path, "peoplegen nine fields", PEOPLEGEN_NINE)
    by_kind = recall_by_kind(found, truth, kinds)
    assert set(by_kind) == set(PEOPLEGEN_FLOORS)
    for kind, floor in PEOPLEGEN_FLOORS.items():
        assert by_kind[kind] >= floor, (kind, by_kind[kind])
    found_scores = scores(found, truth)  # measured 0.989 / 0.983 (545 true pairs)
    assert found_scores["precision"] >= 0.96 and found_scores["recall"] >= 0.96
    assert_no_chain(run)
