"""Spark in local mode runs the engine's SQL and gives DuckDB's numbers: the quality log, the totals,
the customer table and the RFM segments of the default data are identical.

Needs the spark extra (``make setup-spark``); without pyspark these tests are skipped, and say so.
"""

from __future__ import annotations

import pandas as pd
import pytest

from segkit import data
from segkit.data.clean import DEFAULT_OUTLIER_Z, DEFAULT_TEST_ACCOUNT_PATTERN
from segkit.engine import duck, exclusions
from segkit.paths import DEFAULT_TRANSACTIONS

pytest.importorskip("pyspark", reason="the spark extra is not installed (make setup-spark)")
from segkit.engine import spark as spark_engine  # noqa: E402

OPTIONS = dict(returns="net", test_account_pattern=DEFAULT_TEST_ACCOUNT_PATTERN, test_accounts=(),
               outlier_z=DEFAULT_OUTLIER_Z)


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    session = spark_engine.session(master="local[2]", warehouse=str(tmp_path_factory.mktemp("warehouse")))
    yield session
    session.stop()


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    lines = data.read_transactions(DEFAULT_TRANSACTIONS).lines
    path = tmp_path_factory.mktemp("spark") / "lines.parquet"
    lines.to_parquet(path, index=False, coerce_timestamps="us", allow_truncated_timestamps=True)
    return lines, path


@pytest.fixture(scope="module")
def both(spark, canonical):
    lines, path = canonical
    return spark_engine.split_lines(spark, str(path), **OPTIONS), exclusions.split_lines(lines, **OPTIONS)


def test_quality_log_and_totals_are_identical(both):
    in_spark, in_duckdb = both
    assert in_spark.totals == in_duckdb.totals
    by_rule = lambda counts: counts.sort_values("rule").reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(by_rule(in_spark.counts), by_rule(in_duckdb.counts), check_dtype=False)


def test_customer_table_and_segments_are_identical(spark, both):
    from segkit.rfm import rfm_segments

    in_spark, in_duckdb = both
    snapshot = in_duckdb.clean["order_date"].max().normalize() + pd.Timedelta(days=1)
    tables = [duck.customer_table_from(days, snapshot) for days in (
        spark_engine.customer_days(spark, in_spark.clean, snapshot), duck.customer_days(in_duckdb.clean, snapshot))]
    pd.testing.assert_frame_equal(*tables, check_exact=True)
    assert len(tables[0]) == in_duckdb.totals["customers_kept"]
    segments = [rfm_segments(table, warn=False)["segment"] for table in tables]
    pd.testing.assert_series_equal(*segments)
    # and the scores and segments computed in Spark itself, from its own customer table
    in_spark_segments = spark_engine.rfm_segments(spark, tables[0]).set_index("customer_id")
    assert in_spark_segments.index.tolist() == segments[1].index.tolist()
    assert in_spark_segments["segment"].tolist() == segments[1].astype(str).tolist()


def test_the_one_call_matches_the_workbench_and_writes_the_tables_back(spark, canonical):
    lines, path = canonical
    table = spark_engine.customer_table(spark, str(path), write_to="shop")
    clean = data.clean_transactions(lines)[0]
    expected = data.customer_table(clean)
    # data.customer_table sums floats: a sum that is a rounding tie at 6 decimals may round the other way
    pd.testing.assert_frame_equal(table, expected, check_exact=False, rtol=0, atol=1.01e-6, check_index_type=False)
    saved = spark.table("shop_customers").toPandas().set_index("customer_id").sort_index()
    assert len(saved) == len(table) and saved["n_orders"].sum() == table["n_orders"].sum()
    assert spark.table("shop_clean_lines").count() == len(clean)
