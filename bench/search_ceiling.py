"""The recall@1 no ranker can beat: one-error queries that their own data leave ambiguous.

    .venv/bin/python bench/search_ceiling.py                  # 1,000,000 people of each generator
    .venv/bin/python bench/search_ceiling.py --records 100000 --tune

The registry benchmark (bench/registry.py) imports N people of our generator and N of the
independent one into one registry and asks each generator's queries with one planted
error. Some of those queries cannot be answered at rank 1 by any search, however it
ranks: another person in the registry agrees with the query on every field the person
sought agrees on (a changed surname: another child with the same given name, DOB and
sex; no given name: another child with the same surname, DOB and sex), or agrees better
(a birth year off by one: a namesake of the same sex born on the very date the query
gives). Among k such equals a search can put the person sought first only by chance
(1 / (k + 1)), and never above one that agrees better.

Fields compared exactly after folding (accents, case, punctuation; the first given name),
as the search's keys see them: surname, given name, DOB, sex. So this is an upper
bound: near-equal names (a typo's neighbours) and near dates add ambiguity it does not
count. Writes bench/results/search-ceiling.json (not with --tune).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from beacon.records.normalize import fold, given_form  # noqa: E402
from bench import peoplegen  # noqa: E402
from bench import synthetic_people as ours  # noqa: E402

FIELDS = ("last", "first", "dob", "sex")
Values = tuple[str, str, date | None, str]
# Error kinds whose wrong value is unrelated to the right one (another surname, a field
# left out): a person with any other value there is no worse than the person sought
# (unless the new surname holds the old one, as a hyphenated surname does).
UNRELATED = {"surname_changed", "first_missing", "surname_change", "missing"}


def values(last: str, first: str, dob: date | None, sex: str) -> Values:
    return fold(last).replace(" ", ""), given_form(first), dob, sex if sex in ("M", "F") else ""


class Registry:
    """Counts of people by the values of any set of fields."""

    def __init__(self, people: Iterable[Values]) -> None:
        self.people = list(people)
        self.counts: dict[tuple[int, ...], Counter[tuple[Any, ...]]] = {}

    def count(self, fields: tuple[int, ...], key: tuple[Any, ...]) -> int:
        if fields not in self.counts:
            self.counts[fields] = Counter(tuple(p[i] for i in fields) for p in self.people)
        return self.counts[fields][key]


def ceiling(registry: Registry, truth: Values, query: Values, kinds: Sequence[str]) -> float:
    """The best expected recall@1 of one query: 0 when another person agrees better,
    else 1 / (1 + the people who agree as well)."""
    given = [i for i in range(4) if query[i] not in ("", None)]
    agree = tuple(i for i in given if query[i] == truth[i])
    differ = [i for i in given if query[i] != truth[i]]
    # a surname joined to the old one (Lopez-Garcia for Lopez) is related, not another
    related = truth[0] and query[0] and (truth[0] in query[0] or query[0] in truth[0])
    unrelated = any(k in UNRELATED for k in kinds) and not related
    # agreeing with the query on every field given (where the person sought does not):
    # better on a field they get wrong, as good on the others
    if differ and registry.count(tuple(given), tuple(query[i] for i in given)):
        return 0.0
    if unrelated:  # any value where the person sought is wrong is as good as theirs
        equals = registry.count(agree, tuple(query[i] for i in agree)) - 1
    else:  # the same wrong value as the person sought there
        fields = tuple(sorted({*agree, *differ}))
        key = tuple(query[i] if i in agree else truth[i] for i in fields)
        equals = registry.count(fields, key) - 1
    return 1 / (1 + max(0, equals))


def run(n: int, dev: bool, queries: int) -> dict[str, Any]:
    started = time.perf_counter()
    seed_ours = 20210501  # bench/registry.py's default seed
    seed_independent = peoplegen.DEV_SEEDS[0] if dev else peoplegen.HELD_OUT_SEED
    people_ours = ours.generate_people(n, seed=seed_ours)
    people_independent = peoplegen.generate_people(n, seed=seed_independent)
    registry = Registry(
        [values(p.last_name, p.first_name, p.dob, p.sex) for p in people_ours]
        + [values(p.last_name, p.first_name, p.dob, p.sex) for p in people_independent]
    )
    out: dict[str, Any] = {"records": len(registry.people)}
    sets: list[tuple[str, list[tuple[Values, Values, tuple[str, ...]]]]] = [
        (
            "ours",
            [
                (
                    values(p.last_name, p.first_name, p.dob, p.sex),
                    values(v.last_name, v.first_name, v.dob, v.sex),
                    v.kinds,
                )
                for v in ours.make_error_queries(people_ours, queries, seed=seed_ours + 2)
                for p in [people_ours[v.pid]]
            ],
        ),
        (
            "independent",
            [
                (
                    values(p.last_name, p.first_name, p.dob, p.sex),
                    values(q.last_name, q.first_name, q.dob, q.sex),
                    q.kinds,
                )
                for q in peoplegen.make_queries(
                    people_independent, queries, errors=1, seed=seed_independent
                )
                for p in [people_independent[q.pid]]
                if q.last_name.strip() or q.first_name.strip() or q.dob
            ],
        ),
    ]
    for name, made in sets:
        by_kind: dict[str, list[float]] = {}
        for truth, query, kinds in made:
            best = ceiling(registry, truth, query, kinds)
            for kind in kinds:
                by_kind.setdefault(kind, []).append(best)
        every = [
            c for truth, query, kinds in made for c in [ceiling(registry, truth, query, kinds)]
        ]
        out[name] = {
            "queries": len(every),
            "recall_at_1_ceiling_one_error": round(sum(every) / len(every), 4),
            "by_error_kind": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_kind.items())},
        }
    out["independent_seed"] = "development seed" if dev else "HELD_OUT_SEED"
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="people per generator")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--tune", action="store_true", help="the independent development seed")
    args = parser.parse_args()
    result = run(args.records, args.tune, args.queries)
    print(json.dumps(result, indent=2))
    if not args.tune:
        target = HERE / "results" / "search-ceiling.json"
        target.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
