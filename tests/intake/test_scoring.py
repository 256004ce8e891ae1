"""Scoring reuses the pass that estimated the prior: the same pairs and probabilities as
a pass of its own."""

from __future__ import annotations

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from bench.synthetic_people import generate_people, with_duplicates

from beacon.intake import engine
from beacon.intake.fields import FIELDS
from beacon.intake.normalise import link_table


def _session() -> engine.Session:
    rows = with_duplicates(generate_people(1500, seed=31), rate=0.15, seed=32)
    values: dict[str, list[object]] = {name: [None] * len(rows) for name in FIELDS}
    values["first_name"] = [row.first_name for row in rows]
    values["last_name"] = [row.last_name for row in rows]
    values["dob"] = [row.dob for row in rows]
    values["sex"] = [row.sex for row in rows]
    table = pa.table(
        {
            "unique_id": [f"1:{i}" for i in range(len(rows))],
            "source": ["1"] * len(rows),
            **{
                name: pa.array(column, pa.date32() if name == "dob" else pa.string())
                for name, column in values.items()
            },
        }
    )
    con = duckdb.connect()
    con.register("people_arrow", table)
    con.execute("CREATE TABLE people AS SELECT * FROM people_arrow")
    link_table(con, "people", "link_in", [])
    return engine.Session("duckdb", con, "link_in")


def _pairs(scored: pa.Table) -> dict[tuple[str, str], float]:
    columns = [scored.column(c).to_pylist() for c in ("unique_id_l", "unique_id_r")]
    probabilities = scored.column("match_probability").to_pylist()
    return {
        pair: round(p, 9) for pair, p in zip(zip(*columns, strict=True), probabilities, strict=True)
    }


def test_scoring_after_training_equals_a_scoring_pass_of_its_own() -> None:
    session = _session()
    params = session.train([])
    reused, _ = session.predict(params, 0.5)
    assert session._scored is None  # used once, then dropped
    fresh, _ = session.predict(params, 0.5)
    assert reused.num_rows > 100
    assert _pairs(reused) == _pairs(fresh)
    assert sorted(reused.column_names) == sorted(fresh.column_names)


def test_a_threshold_below_the_prior_scores_every_pair_again() -> None:
    # the kept pairs are those with a Bayes factor of at least one: a threshold under the
    # prior reaches pairs below that, which only a pass of its own finds
    session = _session()
    params = session.train([])
    prior = params["probability_two_random_records_match"]
    low, _ = session.predict(params, prior / 2, explain=False)
    fresh, _ = session.predict(params, prior / 2, explain=False)
    assert _pairs(low) == _pairs(fresh)
    assert min(low.column("match_probability").to_pylist()) < prior
