"""Running the Splink model on DuckDB (default) or Spark (``--engine spark``).

The same trained parameters (``spec.extract_params``) drive both engines: the model is
compiled to the engine's SQL dialect from ``spec`` and the numbers are filled in.
The linkage input is always built in DuckDB (``normalise.link_table``); Spark reads it
from a Parquet file, which on a cluster would sit on shared storage.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from splink import Linker
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.database_api import DatabaseAPI
from splink.internals.exceptions import SplinkException
from splink.internals.splink_dataframe import SplinkDataFrame

from beacon.core.errors import ValidationFailed
from beacon.intake import spec, storage

ENGINES = ("duckdb", "spark")
DEFAULT_PRIOR = 1e-4
LABEL_PRIOR_STRENGTH = 50.0  # EM's m estimates count as this many labelled pairs
logging.getLogger("splink").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Training:
    u_max_pairs: float = 2e6
    # Stop sampling once every level was seen this often: the rare levels (day and month
    # swapped, ~1 in 20,000 random pairs) would otherwise always use the whole budget.
    u_min_count: int = 20
    em_max_pairs: float | None = 2e6
    seed: int = 42


@dataclass
class Levels:
    """Comparison name -> gamma value -> plain-words label (for explanations)."""

    labels: dict[str, dict[int, str]]
    descriptions: dict[str, str]


def present_columns(con: duckdb.DuckDBPyConnection, table: str) -> frozenset[str]:
    """The linkage columns with a value in at least one record."""
    columns = sorted(spec.ALL_COLUMNS)
    counts = con.execute(
        f"SELECT {', '.join(f'count({c})' for c in columns)} FROM {table}"
    ).fetchall()[0]
    return frozenset(c for c, n in zip(columns, counts, strict=True) if n)


class Session:
    """One engine, one linkage input table, one Linker."""

    def __init__(self, engine: str, con: duckdb.DuckDBPyConnection, table: str) -> None:
        if engine not in ENGINES:
            raise ValidationFailed.on("engine", f"must be one of {', '.join(ENGINES)}")
        self.engine = engine
        self.con = con
        self.table = table
        self._tmp: Path | None = None
        self.present = present_columns(con, table)
        self.comparisons = spec.comparison_names(self.present)
        self.api: DatabaseAPI[Any]
        if engine == "duckdb":
            from splink import DuckDBAPI

            self.api = DuckDBAPI(connection=con)
            self.input = self.api.register(table, table_name=f"{table}_in")
        else:
            from splink import SparkAPI

            from beacon.intake.spark import spark_session

            self._tmp = Path(tempfile.mkdtemp(prefix="beacon-spark-"))
            path = self._tmp / "people.parquet"
            con.execute(f"COPY {table} TO {storage.sql_literal(path)} (FORMAT parquet)")
            session = spark_session()
            self.api = SparkAPI(  # type: ignore[no-untyped-call]
                spark_session=session, break_lineage_method="persist"
            )
            frame = session.read.parquet(str(path))
            # A Spark session outlives a link run: each run registers its own table name.
            self.input = self.api.register(frame, table_name=f"{table}_{uuid.uuid4().hex[:12]}")

    def close(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def linker(self, params: dict[str, Any] | None) -> Linker:
        dialect = self.api.sql_dialect.sql_dialect_str
        return Linker(self.input, spec.settings_dict(dialect, params, self.present), log_level=None)

    def train(
        self, labels: list[tuple[str, str]], training: Training | None = None
    ) -> dict[str, Any]:
        """EM without labels; then, when reviewers have confirmed pairs, blend in m from them."""
        training = training or Training()
        linker = self.linker(None)
        try:
            rules: list[str | BlockingRuleCreator] = [*spec.deterministic_rules(self.present)]
            linker.training.estimate_probability_two_random_records_match(rules, recall=0.7)
        except (SplinkException, ValueError):
            linker._settings_obj._probability_two_random_records_match = DEFAULT_PRIOR
        if not linker._settings_obj._probability_two_random_records_match:
            linker._settings_obj._probability_two_random_records_match = DEFAULT_PRIOR
        linker.training.estimate_u_using_random_sampling(
            max_pairs=training.u_max_pairs,
            seed=training.seed,
            min_count_per_level=training.u_min_count,
        )
        for rule in spec.training_rules(self.present):
            before = linker.misc.save_model_to_json()
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True, max_pairs=training.em_max_pairs
                )
            except (SplinkException, ValueError, ZeroDivisionError):
                # No pairs under this rule (e.g. lists without addresses). A failed session
                # can leave the prior changed: carry on from the model as it was before.
                linker = Linker(self.input, before, log_level=None)
        params = spec.extract_params(linker.misc.save_model_to_json())
        if labels:
            params = self._blend_labels(params, labels)
        params["trained_on"] = {"labels": len(labels)}
        return params

    def _blend_labels(
        self, params: dict[str, Any], labels: list[tuple[str, str]]
    ) -> dict[str, Any]:
        linker = self.linker(params)
        left = [min(a, b) for a, b in labels]
        right = [max(a, b) for a, b in labels]
        table = pa.table({"unique_id_l": left, "unique_id_r": right})
        labelled = self.api.register(table, table_name=f"{self.table}_labels")
        linker.training.estimate_m_from_pairwise_labels(labelled)  # type: ignore[no-untyped-call]
        from_labels = spec.extract_params(linker.misc.save_model_to_json())
        n = float(len(labels))
        for name, levels in params["comparisons"].items():
            for level, learnt in zip(levels, from_labels["comparisons"][name], strict=True):
                if level["m"] is not None and learnt["m"] is not None:
                    level["m"] = (LABEL_PRIOR_STRENGTH * level["m"] + n * learnt["m"]) / (
                        LABEL_PRIOR_STRENGTH + n
                    )
        return params

    def levels(self, linker: Linker) -> Levels:
        labels: dict[str, dict[int, str]] = {}
        descriptions: dict[str, str] = {}
        for comparison in linker._settings_obj.comparisons:
            name = comparison.output_column_name
            descriptions[name] = spec.DESCRIPTIONS.get(name, name)
            labels[name] = {
                level.comparison_vector_value: level.label_for_charts
                for level in comparison.comparison_levels
            }
        return Levels(labels, descriptions)

    def predict(self, params: dict[str, Any], threshold: float) -> tuple[pa.Table, Levels]:
        """Scored pairs at or above ``threshold`` with per-comparison gamma and Bayes factor."""
        linker = self.linker(params)
        scored = linker.inference.predict(
            threshold_match_probability=threshold, warning_mode="never"
        )
        return self._to_arrow(scored), self.levels(linker)

    def _to_arrow(self, frame: SplinkDataFrame) -> pa.Table:
        if self.engine == "duckdb":
            return self.con.sql(f"SELECT * FROM {frame.physical_name}").to_arrow_table()
        spark_frame = frame.as_spark_dataframe()
        return spark_frame.toArrow()
