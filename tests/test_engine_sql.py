"""The cleaning SQL's exact median over distinct values with their counts, against DuckDB's median()."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from segkit.engine import sql


def _medians(con: duckdb.DuckDBPyConnection) -> tuple[float | None, float | None]:
    """The centre and the MAD the outlier rule takes, through the weighted-median SQL."""
    query = f"""WITH log_amounts AS (SELECT ln(amount) AS value, count(*) AS weight FROM t GROUP BY ln(amount)),
    centre AS ({sql._weighted_median("log_amounts", "value", "weight")}),
    deviations AS (SELECT abs(value - centre.median) AS value, weight FROM log_amounts CROSS JOIN centre)
    SELECT centre.median, (SELECT median FROM ({sql._weighted_median("deviations", "value", "weight")}) AS m)
    FROM centre"""
    return con.execute(query).fetchone()


@pytest.mark.parametrize("seed", range(8))
def test_weighted_median_equals_duckdb_median_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    con = duckdb.connect()
    for _ in range(25):
        n = int(rng.integers(1, 80))  # odd and even counts, many repeated amounts
        amounts = np.round(np.exp(rng.normal(1, 1.5, n)), int(rng.integers(0, 3))) * rng.integers(1, 4, n)
        amounts = np.where(amounts == 0, 0.01, amounts)
        con.execute("CREATE OR REPLACE TABLE t AS SELECT unnest(?) AS amount", [amounts.tolist()])
        centre = con.execute("SELECT median(ln(amount)) FROM t").fetchone()[0]
        mad = con.execute(f"SELECT median(abs(ln(amount) - {centre!r})) FROM t").fetchone()[0]
        assert _medians(con) == (centre, mad)


def test_weighted_median_by_hand():
    con = duckdb.connect()
    # ln values of e^1, e^1, e^2, e^4: the middle two are 1 and 2, so the centre is 1.5; deviations
    # 0.5, 0.5, 0.5, 2.5 have median 0.5.
    con.execute("CREATE TABLE t AS SELECT exp(x) AS amount FROM (VALUES (1.0), (1.0), (2.0), (4.0)) AS v(x)")
    centre, mad = _medians(con)
    assert centre == pytest.approx(1.5) and mad == pytest.approx(0.5)


def test_weighted_median_of_nothing_is_null():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 1.0::DOUBLE AS amount WHERE false")
    assert _medians(con) == (None, None)


@pytest.mark.parametrize("by_sorting", [True, False])
def test_duplicate_rule_marks_every_later_copy_like_pandas_duplicated(by_sorting):
    """Exact duplicates (equal in every column, missing values included) after the first are
    'duplicate'; lines equal in all but one column are not. pandas' ``duplicated(keep='first')`` is
    the reference."""
    import pandas as pd

    rng = np.random.default_rng(3)
    n = 2_000
    lines = pd.DataFrame({
        "customer_id": rng.choice(["a", "b", "c"], n),
        "order_id": rng.integers(0, 40, n).astype(str),
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 3, n), unit="D"),
        "product_id": rng.choice(["p", "q", None], n),
        "quantity": rng.integers(1, 3, n).astype(float),
        "unit_price": rng.choice([1.5, 2.0, np.nan], n),
    })
    lines["amount"] = lines["quantity"] * lines["unit_price"].fillna(1.0)
    lines["line_no"] = np.arange(n, dtype=np.int64)
    columns = [c for c in lines.columns if c != "line_no"]
    con = duckdb.connect()
    con.register("source_lines", lines)
    con.execute("CREATE TABLE duplicate_lines AS "
                + sql.duplicate_lines_query("source_lines", columns, by_sorting=by_sorting))
    con.execute("CREATE TABLE source_customers AS " + sql.source_customers_query("source_lines"))
    con.execute("CREATE TABLE test_customers AS "
                + sql.test_customers_query("source_customers", test_account_pattern=None, test_accounts=[]))
    query = sql.first_rules_query("source_lines", columns, duplicates="duplicate_lines",
                                  test_customers="test_customers")
    reasons = con.execute(f"SELECT line_no, reason FROM ({query}) AS q ORDER BY line_no").df()
    expected = lines[columns].duplicated(keep="first").to_numpy()
    assert expected.sum() > 100  # the data has many duplicates, and many lines that are not
    assert ((reasons["reason"] == "duplicate").to_numpy() == expected).all()
