"""Run the data layer's SQL on DuckDB: in process, on all cores, spilling to disk past memory."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from segkit.engine import sql
from segkit.paths import INTERIM_DIR

#: Names the engine adds to the order lines; a source column may not use them.
RESERVED_COLUMNS: frozenset[str] = frozenset({"line_no", "reason", "is_return", "excluded_by"})


@dataclass(frozen=True)
class Split:
    """One pass of the cleaning rules: kept lines, excluded lines, the per-rule counts and the totals."""

    clean: pd.DataFrame
    excluded: pd.DataFrame
    counts: pd.DataFrame
    totals: dict[str, float]


def connect(*, threads: int | None = None, spill_to: Path = INTERIM_DIR / "duckdb-spill") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that spills to ``spill_to`` when a query outgrows memory."""
    config = {"preserve_insertion_order": False}
    if threads is not None:
        config["threads"] = threads
    connection = duckdb.connect(config=config)
    spill_to.mkdir(parents=True, exist_ok=True)
    connection.execute(f"SET temp_directory = {sql.literal(str(spill_to))}")
    return connection


def _to_pandas(relation: duckdb.DuckDBPyRelation, like: pd.DataFrame) -> pd.DataFrame:
    """The relation as pandas, each column in the dtype it has in ``like`` (the engine's input)."""
    frame = relation.df()
    dtypes = {c: like[c].dtype for c in frame.columns if c in like.columns}
    return frame.astype(dtypes)


def split_lines(
    lines: pd.DataFrame,
    *,
    returns: str,
    test_account_pattern: str | None,
    test_accounts: Sequence[str],
    outlier_z: float | None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Split:
    """Apply the cleaning rules to canonical order lines held in pandas (see :func:`sql.reasons_query`)."""
    con = connection or connect()
    columns = list(lines.columns)
    source = lines.assign(line_no=np.arange(len(lines), dtype=np.int64))
    con.register("source_lines", source)
    try:
        query = sql.reasons_query("source_lines", columns, returns=returns,
                                  test_account_pattern=test_account_pattern, test_accounts=test_accounts,
                                  outlier_z=outlier_z)
        con.execute(f"CREATE OR REPLACE TEMP TABLE reasons AS {query}")
        clean = _to_pandas(con.sql(sql.clean_query("reasons", columns)), lines)
        excluded = _to_pandas(con.sql(sql.excluded_query("reasons", columns)), lines)
        counts = con.sql(sql.log_query("reasons")).df()
        totals = con.sql(sql.totals_query("reasons")).df().iloc[0].to_dict()
    finally:
        con.unregister("source_lines")
        con.execute("DROP TABLE IF EXISTS reasons")
    clean["is_return"] = clean["is_return"].astype(bool)
    clean = clean.reset_index(drop=True)
    excluded.index = pd.RangeIndex(len(excluded))
    return Split(clean, excluded, counts, {k: (float(v) if "revenue" in k else int(v)) for k, v in totals.items()})


def customer_days(
    clean: pd.DataFrame | str | os.PathLike,
    snapshot: pd.Timestamp,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Per customer with a purchase before ``snapshot``: purchase days, first/last day, orders, net,
    gross and first-day value (see :func:`sql.customer_query`); ``clean`` is a frame or a Parquet file."""
    con = connection or connect()
    literal = f"DATE {sql.literal(snapshot.strftime('%Y-%m-%d'))}"
    if isinstance(clean, pd.DataFrame):
        con.register("clean_lines", clean)
        try:
            return con.sql(sql.customer_query("clean_lines", literal)).df()
        finally:
            con.unregister("clean_lines")
    return con.sql(sql.customer_query(f"read_parquet({sql.literal(str(clean))})", literal)).df()


def customer_table_from(days: pd.DataFrame, snapshot: pd.Timestamp) -> pd.DataFrame:
    """The customer table (see :func:`segkit.data.customer_table`) from :func:`customer_days`' aggregates."""
    n_days = days["n_days"].to_numpy()
    first_day, last_day = days["first_day"].to_numpy(np.int64), days["last_day"].to_numpy(np.int64)
    n_orders = days["n_orders"].to_numpy(np.int64)
    net, gross, first_value = (days[c].to_numpy(float) for c in ("net", "gross", "first_value"))
    n = len(days)
    frequency = np.maximum(n_days - 1, 0)
    # returns are spread over a customer's purchase days in proportion, so monetary_value is net
    net_share = np.divide(net, gross, out=np.zeros(n), where=gross > 0).clip(0, None)
    repeat_value = (gross - first_value) * net_share
    revenue = net.clip(0, None)
    return pd.DataFrame(
        {
            "first_purchase": snapshot + pd.to_timedelta(first_day, unit="D"),
            "last_purchase": snapshot + pd.to_timedelta(last_day, unit="D"),
            "days_since_last_purchase": -last_day,
            "n_orders": n_orders,
            "revenue": revenue.round(6),
            "avg_order_value": np.divide(revenue, n_orders, out=np.zeros(n), where=n_orders > 0).round(6),
            "tenure_days": -first_day,
            "frequency": frequency,
            "recency": last_day - first_day,
            "T": -first_day,
            "monetary_value": np.divide(repeat_value, frequency, out=np.zeros(n), where=frequency > 0).round(6),
        },
        index=pd.Index(days["customer_id"].to_numpy(object), name="customer_id"),
    )
