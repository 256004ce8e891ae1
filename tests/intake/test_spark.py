"""``--engine spark`` runs the same saved model on Spark (local mode) as DuckDB does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from beacon.core.actor import Actor
from beacon.intake import services
from beacon.intake.models import Intake, LinkRun, SourceList
from beacon.intake.spark import java_available, spark_session, stop

pytestmark = pytest.mark.skipif(
    not java_available(),
    reason="Java is not installed, so Spark cannot start; install Java 17 to run this test",
)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    yield spark_session()
    stop()


def clusters_of(run: LinkRun) -> list[tuple[list[str], dict[tuple[str, str], float]]]:
    return [
        (c.keys, {(p["l"], p["r"]): p["p"] for p in c.pairs})
        for c in run.cluster_set.order_by("number")
    ]


def test_spark_engine_gives_the_same_clusters_as_duckdb(
    system: Actor, three_lists: tuple[Intake, dict[str, SourceList]], spark: Any
) -> None:
    intake, _ = three_lists
    on_duckdb = services.link(system, intake)
    on_spark = services.link(system, intake, engine="spark")

    assert on_spark.engine == "spark" and on_spark.model_id == on_duckdb.model_id
    assert on_spark.pairs == on_duckdb.pairs
    duck, sparked = clusters_of(on_duckdb), clusters_of(on_spark)
    assert [keys for keys, _ in sparked] == [keys for keys, _ in duck]
    for (_, duck_pairs), (_, spark_pairs) in zip(duck, sparked, strict=True):
        assert spark_pairs.keys() == duck_pairs.keys()
        for pair, probability in duck_pairs.items():
            assert spark_pairs[pair] == pytest.approx(probability, abs=1e-6)
