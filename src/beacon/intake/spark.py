"""The local Spark session for ``--engine spark`` (one per process).

On a cluster, point ``BEACON_SPARK_MASTER`` at it (e.g. ``spark://host:7077``); the
model, SQL and code are unchanged. Splink's similarity UDF jar is put on the classpath.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from beacon.core.errors import ValidationFailed

_session: Any = None


def java_available() -> bool:
    return bool(os.environ.get("JAVA_HOME")) or shutil.which("java") is not None


def spark_session() -> Any:
    global _session
    if _session is not None:
        return _session
    if not java_available():
        raise ValidationFailed.on("engine", "the Spark engine needs Java 17 (no java found)")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    partitions = os.environ.get("BEACON_SPARK_PARTITIONS", "2")
    builder = (
        SparkSession.builder.master(os.environ.get("BEACON_SPARK_MASTER", "local[2]"))
        .appName("beacon-intake")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", partitions)
        .config("spark.default.parallelism", partitions)
        .config("spark.sql.adaptive.enabled", "true")
        # Interpreted rather than compiled plans: the model's CASE expressions are large,
        # and compiling them costs more than running them on lists of this size.
        .config("spark.sql.codegen.wholeStage", os.environ.get("BEACON_SPARK_CODEGEN", "false"))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", os.environ.get("BEACON_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    _session = builder.getOrCreate()
    _session.sparkContext.setLogLevel("ERROR")
    return _session


def stop() -> None:
    global _session
    if _session is not None:
        _session.stop()
        _session = None
