"""Running the Splink model on DuckDB (default) or Spark (``--engine spark``).

The same trained parameters (``spec.extract_params``) drive both engines: the model is
compiled to the engine's SQL dialect from ``spec`` and the numbers are filled in.
The linkage input is always built in DuckDB (``normalise.link_table``); Spark reads it
from a Parquet file, which on a cluster would sit on shared storage.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
from splink import Linker
from splink.internals.block_from_labels import block_from_labels
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_level import ComparisonLevel
from splink.internals.comparison_vector_values import compute_comparison_vector_values_sql
from splink.internals.constants import LEVEL_NOT_OBSERVED_TEXT
from splink.internals.database_api import DatabaseAPI
from splink.internals.exceptions import SplinkException
from splink.internals.expectation_maximisation import compute_new_parameters_sql
from splink.internals.pipeline import CTEPipeline
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
from splink.internals.splink_dataframe import SplinkDataFrame
from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

from beacon.core.errors import ValidationFailed
from beacon.intake import spec, storage

ENGINES = ("duckdb", "spark")
DEFAULT_PRIOR = 1e-4
PRIOR_ITERATIONS = 100
M_FLOOR, U_FLOOR = 1e-3, 1e-7  # see floored()
UNSEEN_U = 1e-6  # a level's u when random sampling never met it (see floored())
NOT_SEEN = (None, LEVEL_NOT_OBSERVED_TEXT)  # how Splink leaves such a level's u
MIN_PRIOR, MAX_PRIOR = 1e-12, 0.5
LABEL_PRIOR_STRENGTH = 50.0  # EM's m estimates count as this many labelled pairs
# The random-sampling u estimates count as this many pairs a reviewer split apart: a few
# splits lower the weight of the agreement that misled the model by a few bits, no more.
NEGATIVE_LABEL_STRENGTH = 1000.0
logging.getLogger("splink").setLevel(logging.ERROR)

# Splink checks that each comparison level's SQL parses (sqlglot) every time a Linker is
# built: a few hundred parses of the same fixed conditions, most of an incremental
# run's fixed cost. A condition that parsed once parses again: checked once per process.
_PARSED: set[tuple[str, str]] = set()
_validate_sql = ComparisonLevel._validate_sql


def _validate_sql_once(level: ComparisonLevel) -> bool:
    key = (level.sql_condition, str(level.sqlglot_dialect))
    if key not in _PARSED:
        _validate_sql(level)  # type: ignore[no-untyped-call]
        _PARSED.add(key)
    return True


ComparisonLevel._validate_sql = _validate_sql_once  # type: ignore[method-assign]


@dataclass(frozen=True)
class Training:
    u_max_pairs: float = 2e6
    # Stop sampling once every level was seen this often: the rare levels (day and month
    # swapped, ~1 in 20,000 random pairs) would otherwise always use the whole budget.
    u_min_count: int = 20
    em_max_pairs: float | None = 2e6
    seed: int = 42


def floored(params: dict[str, Any]) -> dict[str, Any]:
    """No level's m or u below a floor: EM can drive one to zero (e.g. "another state"
    never seen among its matches), which would make that level an absolute veto or an
    absolute proof. Every level stays finite evidence, for or against."""
    for levels in params["comparisons"].values():
        unseen = [lv for lv in levels if lv["m"] is not None and lv["u"] is None]
        seen = [lv for lv in levels if lv["u"] is not None]
        total = sum(float(lv["u"]) for lv in seen)
        for level in unseen:
            # learnt among matches, never met among random pairs: rarer than the
            # sample could tell, not impossible (taken from the others: u stays a
            # distribution)
            level["u"] = UNSEEN_U
        if unseen and total:
            for level in seen:
                level["u"] = float(level["u"]) * (1 - UNSEEN_U * len(unseen)) / total
        for level in levels:
            for key, floor in (("m", M_FLOOR), ("u", U_FLOOR)):
                if level[key] is not None:
                    level[key] = max(float(level[key]), floor)
    return params


def unseen_u(linker: Linker) -> None:
    """A level that random sampling never met gets u = UNSEEN_U before EM: with no u,
    EM weighs the level as no evidence and drives its m to zero (a rare level such as
    both names swapped would then never count)."""
    for comparison in linker._settings_obj.comparisons:
        learnt = [
            level
            for level in comparison.comparison_levels
            if not level.is_null_level and not level._fix_u_probability
        ]
        unseen = [level for level in learnt if level._u_probability in NOT_SEEN]
        seen = [level for level in learnt if level._u_probability not in NOT_SEEN]
        total = sum(float(level.u_probability or 0.0) for level in seen)
        if not unseen or not total:
            continue
        scale = (1 - UNSEEN_U * len(unseen)) / total  # the u values stay a distribution
        for level in seen:
            level.u_probability = float(level.u_probability or 0.0) * scale
        for level in unseen:
            level.u_probability = UNSEEN_U


def _fingerprint(params: dict[str, Any]) -> str:
    """A model's m and u values (not its prior), as text to compare."""
    return json.dumps(params["comparisons"], sort_keys=True)


def _log2_odds(p: float) -> float:
    return math.log2(p / (1 - p))


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

    def __init__(
        self,
        engine: str,
        con: duckdb.DuckDBPyConnection,
        table: str,
        *,
        present: frozenset[str] | None = None,
        validate: bool = True,
    ) -> None:
        """``present``: the columns the model compares (default: those with a value in
        ``table``); ``validate``: let Splink check the settings against the
        input (skipped by an incremental run: the same settings were checked by the full
        run, and the check parses every SQL condition, ~0.6 s)."""
        self.validate = validate
        if engine not in ENGINES:
            raise ValidationFailed.on("engine", f"must be one of {', '.join(ENGINES)}")
        self.engine = engine
        self.con = con
        self.table = table
        self._tmp: Path | None = None
        # The pairs the prior's estimate scored (see _prior), kept for predict: the same
        # model and pairs, only the prior differs, so the second pass over every blocked
        # pair is not needed. (the model's m and u as JSON, the prior they were scored
        # with, the table)
        self._scored: tuple[str, float, SplinkDataFrame] | None = None
        self.present = present if present is not None else present_columns(con, table)
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
        self._forget_scored()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def linker(self, params: dict[str, Any] | None) -> Linker:
        dialect = self.api.sql_dialect.sql_dialect_str
        built = spec.settings_dict(dialect, params, self.present)
        return Linker(self.input, built, log_level=None, validate_settings=self.validate)

    def use_term_frequencies(self, tables: dict[str, str]) -> None:
        """Score with these term-frequency tables (column -> table of ``column``,
        ``tf_column``) instead of frequencies counted on the input table: an incremental
        run's input is a sample, the frequencies are those of the whole intake."""
        for column, table in tables.items():
            name = f"__splink__df_tf_{column}"
            self.api._intermediate_table_cache[name] = self.api.table_to_splink_dataframe(
                name, table
            )

    def train(
        self,
        labels: list[tuple[str, str]],
        training: Training | None = None,
        different: list[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        """EM without labels; then blend in what reviewers decided: m from the pairs they
        confirmed (``labels``), u from the pairs they split apart (``different``)."""
        training = training or Training()
        different = different or []
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
        unseen_u(linker)
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
        params = floored(spec.extract_params(linker.misc.save_model_to_json()))
        params["probability_two_random_records_match"] = self._prior(params)
        if labels:
            params = self._blend(params, labels, "m", LABEL_PRIOR_STRENGTH)
        if different:
            params = self._blend(params, different, "u", NEGATIVE_LABEL_STRENGTH)
        params["trained_on"] = {"labels": len(labels), "negative_labels": len(different)}
        return params

    def _prior(self, params: dict[str, Any]) -> float:
        """The share of all pairs that match, re-estimated by EM on the prior alone over
        the blocked pairs, m and u held: each pair's posterior is computed from its Bayes
        factor with the current prior, and the prior becomes the posteriors' sum over all
        n(n-1)/2 pairs (pairs that are not blocked, or whose Bayes factor is below 1, count
        as non-matches). Deterministic rules see only pairs that agree exactly, which on
        lists where every duplicate differs somewhere under-counts matches a hundredfold.
        """
        start = float(params["probability_two_random_records_match"] or DEFAULT_PRIOR)
        records = int(self.con.execute(f"SELECT count(*) FROM {self.table}").fetchall()[0][0])
        total = records * (records - 1) / 2
        if total <= 0:
            return start
        linker = self.linker(params)
        settings = linker._settings_obj
        settings._retain_matching_columns = False
        settings._retain_intermediate_calculation_columns = False
        scored = linker.inference.predict(threshold_match_probability=start, warning_mode="never")
        weights = self._to_arrow(scored).column("match_weight").to_numpy(zero_copy_only=False)
        self._forget_scored()
        if self.engine == "duckdb":
            self._scored = (_fingerprint(params), start, scored)
        else:
            scored.drop_table_from_database_and_remove_from_cache()
        if not len(weights):
            return start
        factors = np.exp2(np.clip(weights, -1000, 1000)) * (1 - start) / start
        prior = start
        for _ in range(PRIOR_ITERATIONS):
            odds = prior * factors
            estimated = float(np.sum(odds / (odds + 1 - prior))) / total
            if abs(estimated - prior) <= 1e-3 * prior:
                prior = estimated
                break
            prior = estimated
        return min(max(prior, MIN_PRIOR), MAX_PRIOR)

    def _forget_scored(self) -> None:
        if self._scored is not None:
            self._scored[2].drop_table_from_database_and_remove_from_cache()
            self._scored = None

    def _rescored(self, params: dict[str, Any], threshold: float) -> SplinkDataFrame | None:
        """The pairs ``_prior`` scored, with ``params``' prior and at ``threshold``, when
        they were scored with the same m and u and hold every pair that reaches the
        threshold (they hold the pairs whose Bayes factor is at least 1: all those that
        can reach a threshold at or above the prior); else None."""
        kept, self._scored = self._scored, None
        if kept is None:
            return None
        fingerprint, start, table = kept
        prior = float(params["probability_two_random_records_match"])
        if fingerprint != _fingerprint(params) or not start < 1 or threshold < prior:
            table.drop_table_from_database_and_remove_from_cache()
            return None
        shift = _log2_odds(prior) - _log2_odds(start)
        name = f"__beacon_rescored_{uuid.uuid4().hex[:12]}"
        weight = f"(match_weight + {shift!r})"
        self.con.execute(
            f"CREATE TABLE {name} AS SELECT * REPLACE ({weight} AS match_weight, "
            f"pow(2, {weight}) / (1 + pow(2, {weight})) AS match_probability) "
            f"FROM {table.physical_name} WHERE {weight} >= {_log2_odds(threshold)!r}"
        )
        table.drop_table_from_database_and_remove_from_cache()
        rescored = self.api.table_to_splink_dataframe(name, name)
        rescored.created_by_splink = True  # dropped as Splink's own tables are
        return rescored

    def _level_counts(
        self, linker: Linker, pairs: list[tuple[str, str]], name: str
    ) -> dict[str, dict[int, float]]:
        """How many of the labelled ``pairs`` fall in each level of each comparison
        (pairs missing a comparison's value on one side are not counted for it)."""
        table = pa.table(
            {
                "unique_id_l": [min(a, b) for a, b in pairs],
                "unique_id_r": [max(a, b) for a, b in pairs],
            }
        )
        self.api.register(table, table_name=f"{self.table}_{name}")
        pipeline = CTEPipeline()
        enqueue_df_concat_with_tf(linker, pipeline)
        pipeline.enqueue_list_of_sqls(block_from_labels(linker, f"{self.table}_{name}"))
        pipeline.enqueue_sql(
            compute_comparison_vector_values_sql(
                linker._settings_obj._columns_to_select_for_comparison_vector_values
            ),
            "__splink__df_comparison_vectors",
        )
        pipeline.enqueue_sql(
            "select *, cast(1.0 as float8) as match_probability "
            "from __splink__df_comparison_vectors",
            "__splink__df_predict",
        )
        pipeline.enqueue_sql(
            compute_new_parameters_sql(
                estimate_without_term_frequencies=False,
                comparisons=linker._settings_obj.comparisons,
            ),
            "__splink__m_u_counts",
        )
        counted = self.api.sql_pipeline_to_splink_dataframe(pipeline)
        out: dict[str, dict[int, float]] = {}
        for row in counted.as_record_list():
            gamma = int(row["comparison_vector_value"])
            if row["output_column_name"].startswith("_") or gamma == -1:
                continue
            out.setdefault(row["output_column_name"], {})[gamma] = float(row["m_count"] or 0)
        counted.drop_table_from_database_and_remove_from_cache()
        return out

    def _blend(
        self, params: dict[str, Any], pairs: list[tuple[str, str]], key: str, strength: float
    ) -> dict[str, Any]:
        """Move each comparison's m (or u) towards the share of labelled pairs at each
        level: (strength x trained + counts) / (strength + n), n the pairs counted.
        Fixed levels (identifiers) and missing-value levels are left alone."""
        linker = self.linker(params)
        counts = self._level_counts(linker, pairs, f"labels_{key}")
        for comparison in linker._settings_obj.comparisons:
            name = comparison.output_column_name
            seen = counts.get(name, {})
            n = sum(seen.values())
            levels = comparison.comparison_levels
            fixed = [lv._fix_m_probability or lv._fix_u_probability for lv in levels]
            if all(fixed[1:] if levels[0].is_null_level else fixed):
                continue  # identifiers: fixed evidence
            # counts at fixed levels (a name swap, weighed by the first name) stay out
            n -= sum(
                seen.get(lv.comparison_vector_value, 0.0)
                for lv, is_fixed in zip(levels, fixed, strict=True)
                if is_fixed and not lv.is_null_level
            )
            if n <= 0:
                continue
            for level, trained, is_fixed in zip(
                levels, params["comparisons"][name], fixed, strict=True
            ):
                if level.is_null_level or is_fixed or trained[key] is None:
                    continue
                share = seen.get(level.comparison_vector_value, 0.0)
                trained[key] = (strength * trained[key] + share) / (strength + n)
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

    def predict(
        self,
        params: dict[str, Any],
        threshold: float,
        *,
        explain: bool = True,
    ) -> tuple[pa.Table, Levels]:
        """Scored pairs at or above ``threshold`` with per-comparison gamma and weight.

        Every blocked pair is scored lean (ids and probability only); the levels and
        weights that explain a pair are then computed for the kept pairs alone, by the
        same model on the same input (about a fifth faster at a million records).
        """
        linker = self.linker(params)
        settings = linker._settings_obj
        settings._retain_matching_columns = False
        settings._retain_intermediate_calculation_columns = False
        scored = self._rescored(params, threshold) or linker.inference.predict(
            threshold_match_probability=threshold, warning_mode="never"
        )
        if not explain:
            return self._to_arrow(scored), self.levels(linker)
        settings._retain_matching_columns = True
        settings._retain_intermediate_calculation_columns = True
        pipeline = CTEPipeline()
        enqueue_df_concat_with_tf(linker, pipeline)
        pipeline.enqueue_list_of_sqls(block_from_labels(linker, scored.physical_name))
        pipeline.enqueue_sql(
            compute_comparison_vector_values_sql(
                settings._columns_to_select_for_comparison_vector_values
            ),
            "__splink__df_comparison_vectors",
        )
        pipeline.enqueue_list_of_sqls(predict_from_comparison_vectors_sqls_using_settings(settings))
        explained = self.api.sql_pipeline_to_splink_dataframe(pipeline)
        scored.drop_table_from_database_and_remove_from_cache()
        return self._to_arrow(explained), self.levels(linker)

    def predict_pairs(
        self, params: dict[str, Any], threshold: float, pairs: str
    ) -> tuple[pa.Table, Levels]:
        """As ``predict``, for the pairs listed in table ``pairs`` (unique_id_l,
        unique_id_r) instead of those the blocking rules make (an incremental run finds
        its pairs itself: only those with a new row). Scored lean first, explained for
        the kept pairs alone, as ``predict`` does."""
        linker = self.linker(params)
        settings = linker._settings_obj
        kept = pairs
        lean: SplinkDataFrame | None = None
        for retain in (False, True):
            settings._retain_matching_columns = retain
            settings._retain_intermediate_calculation_columns = retain
            pipeline = CTEPipeline()
            enqueue_df_concat_with_tf(linker, pipeline)
            pipeline.enqueue_list_of_sqls(block_from_labels(linker, kept))
            pipeline.enqueue_sql(
                compute_comparison_vector_values_sql(
                    settings._columns_to_select_for_comparison_vector_values
                ),
                "__splink__df_comparison_vectors",
            )
            pipeline.enqueue_list_of_sqls(
                predict_from_comparison_vectors_sqls_using_settings(
                    settings, threshold_match_probability=None if retain else threshold
                )
            )
            scored = self.api.sql_pipeline_to_splink_dataframe(pipeline)
            if not retain:
                lean, kept = scored, scored.physical_name
        out = self._to_arrow(scored)
        scored.drop_table_from_database_and_remove_from_cache()
        if lean is not None:
            lean.drop_table_from_database_and_remove_from_cache()
        return out, self.levels(linker)

    def score(self, params: dict[str, Any], threshold: float) -> list[tuple[float, str, str]]:
        """(match probability, left key, right key) of every pair at or above ``threshold``."""
        scored, _ = self.predict(params, threshold, explain=False)
        columns = ("match_probability", "unique_id_l", "unique_id_r")
        return list(zip(*(scored.column(c).to_pylist() for c in columns), strict=True))

    def _to_arrow(self, frame: SplinkDataFrame) -> pa.Table:
        if self.engine == "duckdb":
            return self.con.sql(f"SELECT * FROM {frame.physical_name}").to_arrow_table()
        spark_frame = frame.as_spark_dataframe()
        return spark_frame.toArrow()
