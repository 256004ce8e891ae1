"""The model's hand-written SQL levels give what the library functions they replace give."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest

from beacon.intake import spec
from beacon.intake.spec import ONE_DIGIT_DIFFERENT


def test_one_digit_different_is_damerau_levenshtein_one_on_iso_dates() -> None:
    rng = random.Random(7)
    pairs: list[tuple[dt.date, dt.date]] = []
    for _ in range(4000):
        a = dt.date(rng.randint(1930, 2025), rng.randint(1, 12), rng.randint(1, 28))
        text = list(a.isoformat())
        # Near misses: one substituted digit, two swapped neighbours, or a random date.
        i = rng.choice([0, 1, 2, 3, 5, 6, 8, 9])
        kind = rng.random()
        if kind < 0.4:
            text[i] = str(rng.randint(0, 9))
        elif kind < 0.8 and i + 1 < len(text) and text[i + 1] != "-":
            text[i], text[i + 1] = text[i + 1], text[i]
        else:
            text = list(dt.date(rng.randint(1930, 2025), rng.randint(1, 12), 1).isoformat())
        try:
            b = dt.date.fromisoformat("".join(text))
        except ValueError:
            continue
        pairs.append((a, b))
    con = duckdb.connect()
    con.execute("CREATE TABLE p (l DATE, r DATE)")
    con.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    rows = con.execute(
        f"""SELECT strftime(l, '%Y-%m-%d') AS dob_l, strftime(r, '%Y-%m-%d') AS dob_r,
                   damerau_levenshtein(dob_l, dob_r) <= 1 AS expected,
                   coalesce({ONE_DIGIT_DIFFERENT}, false) AS found
            FROM (SELECT *, year(l) AS dob_y_l, month(l) AS dob_m_l, day(l) AS dob_d_l,
                            year(r) AS dob_y_r, month(r) AS dob_m_r, day(r) AS dob_d_r
                  FROM p) WHERE l <> r"""
    ).fetchall()
    assert sum(1 for row in rows if row[2]) > 1000  # plenty of near misses among them
    wrong = [row for row in rows if row[2] != row[3]]
    assert wrong == []


def test_a_level_whose_sql_does_not_parse_is_still_refused_after_the_first_linker() -> None:
    # Splink's parse check of each level runs once per condition and process (engine.py);
    # a condition never seen is still parsed, and refused when it does not parse
    from splink import DuckDBAPI, Linker

    from beacon.intake import engine

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 'a' AS unique_id, 'x' AS first_name")
    table = DuckDBAPI(connection=con).register("t", table_name="t_in")
    built = spec.settings_dict("duckdb", None, frozenset({"first_name"}))
    Linker(table, built, log_level=None, validate_settings=False)
    assert any("first_name_l" in sql for sql, _ in engine._PARSED)
    broken = spec.settings_dict("duckdb", None, frozenset({"first_name"}))
    broken["comparisons"][0]["comparison_levels"][2]["sql_condition"] = "first_name_l = = x"
    with pytest.raises(ValueError, match="Error parsing"):
        Linker(table, broken, log_level=None, validate_settings=False)
    # the settings dict is the caller's own copy: the cached one is untouched
    again = spec.settings_dict("duckdb", None, frozenset({"first_name"}))
    assert again["comparisons"][0]["comparison_levels"][2]["sql_condition"] != "first_name_l = = x"
