"""Run the data layer's SQL on Apache Spark, for order lines that outgrow one machine.

The queries are those of :mod:`segkit.engine.sql`, translated from DuckDB's dialect to Spark SQL by
sqlglot; nothing is written a second time. Spark keeps the order lines; what comes back to
Python is per customer (the customer table) or per rule (the quality log). Needs the ``spark``
extra (``pip install -e '.[spark]'``) and a Java runtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from segkit.engine import rfm_sql, sql
from segkit.errors import DataError


@dataclass(frozen=True)
class SparkSplit:
    """One pass of the cleaning rules in Spark: kept and excluded lines stay there as DataFrames."""

    clean: object  # pyspark.sql.DataFrame
    excluded: object
    counts: pd.DataFrame
    totals: dict[str, float]


def translate(query: str) -> str:
    """A query of :mod:`segkit.engine.sql` in Spark SQL."""
    import sqlglot

    return sqlglot.transpile(query, read="duckdb", write="spark")[0]


def session(*, master: str = "local[2]", app: str = "segkit", shuffle_partitions: int = 4,
            warehouse: str | None = None):
    """A Spark session for segkit: UTC session time zone (dates are calendar days), no web UI, tables
    saved under ``warehouse`` (default ``data/interim/spark-warehouse``)."""
    from segkit.paths import INTERIM_DIR

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise DataError("Spark is not installed: run pip install -e '.[spark]' (it needs a Java runtime).") from None
    spark = (SparkSession.builder.master(master).appName(app)
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
             .config("spark.sql.ansi.enabled", "false")
             .config("spark.sql.warehouse.dir", str(warehouse or INTERIM_DIR / "spark-warehouse"))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _lines(spark, lines):
    """Order lines as a Spark DataFrame with ``line_no`` increasing in source order."""
    from pyspark.sql import functions as F

    frame = spark.read.parquet(str(lines)) if not hasattr(lines, "columns") else lines
    # cached: the ids are computed once, so the rules and the lines joined back by them agree
    return frame.withColumn("line_no", F.monotonically_increasing_id()).cache()


def _rows(spark, query: str) -> pd.DataFrame:
    return spark.sql(translate(query)).toPandas()


def split_lines(
    spark,
    lines,
    *,
    returns: str,
    test_account_pattern: str | None,
    test_accounts: Sequence[str],
    outlier_z: float | None,
) -> SparkSplit:
    """Apply the cleaning rules to order lines (a Parquet path or a Spark DataFrame) in Spark."""
    frame = _lines(spark, lines)
    columns = [c for c in frame.columns if c != "line_no"]
    frame.createOrReplaceTempView("source_lines")
    spark.sql(translate(sql.duplicate_lines_query("source_lines", columns, by_sorting=False))
              ).cache().createOrReplaceTempView("duplicate_lines")
    spark.sql(translate(sql.source_customers_query("source_lines"))).cache().createOrReplaceTempView(
        "source_customers")
    spark.sql(translate(sql.test_customers_query("source_customers", test_account_pattern=test_account_pattern,
                                                 test_accounts=test_accounts))).cache().createOrReplaceTempView(
        "test_customers")
    first = sql.first_rules_query("source_lines", columns, duplicates="duplicate_lines",
                                  test_customers="test_customers")
    spark.sql(translate(first)).cache().createOrReplaceTempView("first_reasons")
    for name, query in sql.reasons_queries("first_reasons", columns, returns=returns, outlier_z=outlier_z).items():
        spark.sql(translate(query)).cache().createOrReplaceTempView(name)
    spark.sql(translate(sql.reason_customers_query("source_customers", "dropped"))).cache().createOrReplaceTempView(
        "reason_customers")
    counts = _rows(spark, sql.log_query("dropped", "reason_customers"))
    totals = _rows(spark, sql.totals_query("reason_customers")).iloc[0].to_dict()
    clean = spark.sql(translate(sql.clean_query("source_lines", "dropped", columns)))
    excluded = spark.sql(translate(sql.excluded_query("source_lines", "dropped", columns)))
    return SparkSplit(clean, excluded, counts, sql.read_totals(totals))


def customer_days(spark, clean, snapshot: pd.Timestamp) -> pd.DataFrame:
    """Per-customer aggregates of clean lines (a Spark DataFrame) before ``snapshot``, as pandas."""
    clean.createOrReplaceTempView("clean_lines")
    literal = f"DATE {sql.literal(snapshot.strftime('%Y-%m-%d'))}"
    return _rows(spark, sql.customer_query("clean_lines", literal))


def customer_table(spark, lines, *, snapshot_date=None, write_to: str | None = None, **cleaning) -> pd.DataFrame:
    """Clean order lines in Spark and return the customer table (pandas, one row per customer).

    ``lines`` is a Parquet dataset (path) or a Spark DataFrame of order lines in segkit's
    columns; ``cleaning`` takes the options of :func:`segkit.data.clean_transactions`. With
    ``write_to``, the clean lines and the customer table are also saved as Spark tables
    ``<write_to>_clean_lines`` and ``<write_to>_customers``.
    """
    from segkit.data.clean import DEFAULT_OUTLIER_Z, DEFAULT_TEST_ACCOUNT_PATTERN
    from segkit.data.customers import resolve_snapshot
    from segkit.engine.duck import customer_table_from

    options = {"returns": "net", "test_account_pattern": DEFAULT_TEST_ACCOUNT_PATTERN, "test_accounts": (),
               "outlier_z": DEFAULT_OUTLIER_Z, **cleaning}
    split = split_lines(spark, lines, **options)
    first, last = split.clean.selectExpr("min(order_date)", "max(order_date)").collect()[0]
    snapshot = resolve_snapshot(first, last, snapshot_date)
    table = customer_table_from(customer_days(spark, split.clean, snapshot), snapshot)
    if write_to:
        split.clean.write.mode("overwrite").saveAsTable(f"{write_to}_clean_lines")
        spark.createDataFrame(table.reset_index()).write.mode("overwrite").saveAsTable(f"{write_to}_customers")
    return table


def rfm_segments(spark, customers, *, bins: int = 5, rules=None) -> pd.DataFrame:
    """Rank-score cut points, R, F, M scores and named segments computed in Spark, as pandas.

    ``customers`` is a customer table (pandas, indexed by ``customer_id``, or a Spark DataFrame
    with a ``customer_id`` column).
    """
    from segkit.engine.duck import _lattice

    frame = spark.createDataFrame(customers.reset_index()) if isinstance(customers, pd.DataFrame) else customers
    frame.createOrReplaceTempView("rfm_customers")
    rows = _rows(spark, rfm_sql.rfm_cuts_query("rfm_customers", bins)).set_index("dim")
    cuts = rfm_sql.read_cuts(rows)
    spark.createDataFrame(_lattice(rules)).createOrReplaceTempView("rfm_lattice")
    return _rows(spark, rfm_sql.rfm_segments_query("rfm_customers", cuts, bins, "rfm_lattice"))
