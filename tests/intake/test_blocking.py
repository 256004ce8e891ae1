"""Blocking reaches the pairs where a name and the date of birth are both wrong, and a
name swap is weighed once."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from beacon.intake import spec
from beacon.intake.fields import FIELDS
from beacon.intake.normalise import link_table

# (left, right): first name, last name, DOB, sex of two rows of the same child
SAME_CHILD = {
    "surname misspelt, day wrong": (
        ("Maria", "Garcia", "2010-03-04", "F"),
        ("Maria", "Garcya", "2010-03-14", "F"),
    ),
    "first name misread, month wrong": (
        ("Charles", "Davila", "2010-06-13", "M"),
        ("Charels", "Davila", "2010-05-13", "M"),
    ),
    "names swapped, year wrong": (
        ("Karen", "Haney", "2010-06-12", "F"),
        ("Haney", "Karen", "2011-06-12", "F"),
    ),
    "names swapped, no DOB": (
        ("Cui", "Xiahan", None, "F"),
        ("Xiahan", "Cui", "2004-05-25", "F"),
    ),
    "no first name, year wrong": (
        (None, "Wang", "2020-12-03", "M"),
        ("Jie", "Wang", "2019-12-03", "M"),
    ),
    "no DOB on the right, surname misread": (
        ("Cristal", "Garcia", "2008-04-19", "F"),
        ("Cristal", "Gancia", None, "F"),
    ),
    "no DOB on the left, first name misspelt": (
        ("Barbarah", "Lynch", None, "F"),
        ("Barbara", "Lynch", "2012-10-04", "F"),
    ),
    "no last name, year wrong": (
        ("Teresa", None, "2005-01-28", "F"),
        ("Teresa", "Loera", "2006-01-28", "F"),
    ),
    "new surname, typo in first name": (
        ("Rebecca", "Gordon", "2018-12-20", "F"),
        ("Regecca", "Lara", "2018-12-20", "F"),
    ),
}
# Two children who share a date of birth and nothing else.
STRANGERS = (("Ana", "Ruiz", "2012-12-12", "F"), ("Tomas", "Begay", "2012-12-12", "M"))


def _link_in(
    rows: list[tuple[str | None, str | None, str | None, str]],
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    columns: dict[str, list[object]] = {name: [] for name in FIELDS}
    for first, last, dob, sex in rows:
        for name in FIELDS:
            columns[name].append(None)
        columns["first_name"][-1] = first
        columns["last_name"][-1] = last
        columns["dob"][-1] = dt.date.fromisoformat(dob) if dob else None
        columns["sex"][-1] = sex
    table = pa.table(
        {
            "unique_id": [f"1:{i:02d}" for i in range(len(rows))],
            "source": ["1"] * len(rows),
            **{
                name: pa.array(values, pa.date32() if name == "dob" else pa.string())
                for name, values in columns.items()
            },
        }
    )
    con.register("people_arrow", table)
    con.execute("CREATE TABLE people AS SELECT * FROM people_arrow")
    link_table(con, "people", "link_in", [])
    return con


def _blocked(con: duckdb.DuckDBPyConnection, left: str, right: str) -> bool:
    present = frozenset(
        c
        for c in spec.ALL_COLUMNS
        if con.execute(f"SELECT count({c}) FROM link_in").fetchone()[0]  # type: ignore[index]
    )
    union = " OR ".join(f"({rule})" for rule in spec.blocking_rule_sql(present))
    found = con.execute(
        f"SELECT count(*) FROM link_in l, link_in r WHERE l.unique_id = ? AND r.unique_id = ?"
        f" AND coalesce({union}, false)",
        [left, right],
    ).fetchone()
    return bool(found and found[0])


def test_a_name_and_the_date_of_birth_both_wrong_are_still_compared() -> None:
    rows = [row for pair in SAME_CHILD.values() for row in pair] + list(STRANGERS)
    con = _link_in(rows)
    for i, kind in enumerate(SAME_CHILD):
        assert _blocked(con, f"1:{2 * i:02d}", f"1:{2 * i + 1:02d}"), kind
    last = len(rows) - 2
    assert not _blocked(con, f"1:{last:02d}", f"1:{last + 1:02d}")


def test_a_swap_is_both_names_crosswise_and_one_shared_name_is_a_half_swap() -> None:
    con = duckdb.connect()
    cases = {
        # (first_l, last_l, first_r, last_r): (one exact, both similar, half)
        ("NEZ", "DLLI", "DOLI", "NEZ"): (True, True, True),
        ("KAREN", "HANEY", "HANEY", "KAREN"): (True, True, True),
        ("KIM", "KELLEY", "REBECCA", "KIM"): (False, False, True),
        ("MARIA", "GARCIA", "JOSE", "LOPEZ"): (False, False, False),
    }
    for (fl, ll, fr, lr), expected in cases.items():
        found = con.execute(
            f"""SELECT coalesce({spec.SWAPPED_ONE_EXACT}, false),
                       coalesce({spec.SWAPPED_BOTH_SIMILAR}, false),
                       coalesce({spec.HALF_SWAPPED}, false)
                FROM (SELECT ? AS first_name_l, ? AS last_name_l, ? AS first_name_r,
                             ? AS last_name_r, ? AS first_canon_l, ? AS last_canon_l,
                             ? AS first_canon_r, ? AS last_canon_r)""",
            [fl, ll, fr, lr, fl, ll, fr, lr],
        ).fetchone()
        assert found == expected, (fl, ll, fr, lr)


def test_the_last_names_swap_levels_are_no_evidence() -> None:
    built = spec.settings_dict("duckdb", None)
    last = next(c for c in built["comparisons"] if c["output_column_name"] == "last_name")
    swaps = [lv for lv in last["comparison_levels"] if "weighed there" in lv["label_for_charts"]]
    assert len(swaps) == 3
    for level in swaps:
        assert level["m_probability"] == level["u_probability"]
        assert level["fix_m_probability"] and level["fix_u_probability"]


def test_a_first_name_written_as_the_middle_name_is_weighed_once_by_the_first_name() -> None:
    # "Amanda Pamela" and "Erin Amanda": the one fact "Amanda" crosswise was counted by the
    # first name's level and again by the middle name's (nine-field false matches)
    built = spec.settings_dict("duckdb", None)
    by_name = {c["output_column_name"]: c["comparison_levels"] for c in built["comparisons"]}
    crosswise = [lv for lv in by_name["middle_name"] if "first_name" in lv["sql_condition"]]
    assert len(crosswise) == 1
    assert crosswise[0]["m_probability"] == crosswise[0]["u_probability"]
    assert crosswise[0]["fix_m_probability"] and crosswise[0]["fix_u_probability"]
    first = [
        lv["sql_condition"] for lv in by_name["first_name"] if "middle_name" in lv["sql_condition"]
    ]
    # both ways round (known by the middle name), then one way only: two levels of their own
    assert len(first) == 2 and " AND " in first[0] and " OR " in first[1]


def test_a_rule_is_symmetric_when_it_reads_the_same_with_its_sides_swapped() -> None:
    # an incremental run joins a symmetric rule once (earlier rows against new rows, in
    # either order) and an asymmetric one both ways round
    rules = spec.blocking_rule_sql(skip_registry_pairs=False)
    similar = [rule for rule in rules if "jaro_winkler" in rule and rule not in ONE_SIDED]
    assert similar and all(spec.symmetric(rule) for rule in similar)
    assert spec.symmetric("l.first_name_key = r.last_key AND l.last_key = r.first_name_key")
    assert not spec.symmetric("l.first_name_key = r.last_key AND l.dob_key = r.dob_key")
    assert not spec.symmetric("l.first_key = r.first_key AND l.dob IS NULL")
    assert spec.symmetric("l.first_key = r.first_key AND (l.dob IS NULL OR r.dob IS NULL)")
    assert not spec.symmetric(
        "l.dob_key = r.dob_key AND (jaro_winkler_similarity(l.first_name, r.last_name) >= 0.8)"
    )
    assert spec.symmetric(
        "l.dob_key = r.dob_key AND (jaro_winkler_similarity(l.first_name, r.last_name) >= 0.8"
        " OR jaro_winkler_similarity(l.last_name, r.first_name) >= 0.8)"
    )
    with_registry = spec.blocking_rule_sql()
    assert all(
        spec.symmetric(rule)
        for rule in with_registry
        if "jaro_winkler" in rule and not any(side in rule for side in ONE_SIDED)
    )


ONE_SIDED = spec.ONE_SIDE_MISSING_RULES


def test_a_rule_on_one_side_s_missing_value_comes_with_its_mirror() -> None:
    # Splink pairs a dedupe list with the lower key as l: a rule that reads a missing value
    # on one side only finds its pairs in both orders only with its mirror beside it
    rules = spec.blocking_rule_sql(skip_registry_pairs=False)
    one_sided = [rule for rule in rules if not spec.symmetric(rule)]
    assert set(ONE_SIDED) <= set(one_sided)
    for rule in one_sided:
        assert any(spec.same_rule(spec.mirror(rule), other) for other in rules), rule
