"""Queries over clean order lines and customer tables, run on DuckDB: the customers' purchase days,
the lines' span and totals, RFM cut points, scores and segments, and the per-customer inputs of
the clustering and basket analyses. The lines come as a frame, a Parquet file or a :class:`View`
already made on a connection."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from segkit.engine import rfm_sql, sql
from segkit.engine.database import as_arrow, as_pandas, session
from segkit.engine.sources import line_columns


@dataclass(frozen=True)
class View:
    """Lines as a view already made on a connection (e.g. :func:`segkit.engine.exclusions.clean_view`): pass it
    with that connection."""

    name: str


def _query_lines(con: duckdb.DuckDBPyConnection, lines: pd.DataFrame | str | os.PathLike | View, query,
                 fetch=duckdb.DuckDBPyRelation.df) -> pd.DataFrame:
    """Run ``query(relation)`` over clean lines given as a frame, a Parquet file or a :class:`View`; ``fetch``
    turns the result into pandas (:func:`segkit.engine.database.as_pandas` for many rows of text)."""
    if isinstance(lines, View):
        return fetch(con.sql(query(lines.name)))
    if isinstance(lines, pd.DataFrame):
        con.register("clean_lines", as_arrow(lines))
        try:
            return fetch(con.sql(query("clean_lines")))
        finally:
            con.unregister("clean_lines")
    return fetch(con.sql(query(f"read_parquet({sql.literal(str(lines))})")))


def _date(day: pd.Timestamp) -> str:
    return f"DATE {sql.literal(day.strftime('%Y-%m-%d'))}"


def customer_days(
    clean: pd.DataFrame | str | os.PathLike | View,
    snapshot: pd.Timestamp,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Per customer with a purchase before ``snapshot``: purchase days, first/last day, orders, net,
    gross and first-day value (see :func:`sql.customer_query`); ``clean`` is a frame, a Parquet file or a
    :class:`View` on ``connection``."""
    return _query_lines(connection or session(), clean, lambda lines: sql.customer_query(lines, _date(snapshot)),
                        fetch=as_pandas)


def customer_days_at_end(
    clean: pd.DataFrame | str | os.PathLike | View,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> tuple[pd.DataFrame, pd.Timestamp] | None:
    """:func:`customer_days` at the default snapshot, the day after the last line
    (:func:`segkit.data.customers.resolve_snapshot`), and that snapshot: one pass over the lines
    where finding the snapshot first took one more (:func:`sql.customer_query` without a snapshot).
    None when no customer has a purchase, so that the lines' last day is not known from them."""
    from segkit.data.customers import resolve_snapshot  # segkit.data imports this module

    days = _query_lines(connection or session(), clean, lambda lines: sql.customer_query(lines, None), fetch=as_pandas)
    if days.empty:
        return None
    day_zero = pd.Timestamp(sql.DAY_ZERO)
    last = day_zero + pd.Timedelta(days=int(days.pop("last_line_day").iloc[0]))
    snapshot = resolve_snapshot(last, last, None)
    offset = (snapshot - day_zero).days
    return days.assign(first_day=days["first_day"] - offset, last_day=days["last_day"] - offset), snapshot


def holdout_days(
    clean: pd.DataFrame | str | os.PathLike,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Per customer, purchase days in [start, end) and their mean value (see :func:`sql.holdout_query`)."""
    return _query_lines(connection or session(), clean,
                        lambda lines: sql.holdout_query(lines, _date(start), _date(end)))


def span(clean: pd.DataFrame | str | os.PathLike | View, *,
         connection: duckdb.DuckDBPyConnection | None = None) -> dict:
    """``n_lines``, ``n_no_customer``, ``first`` and ``last`` order date of clean lines (a frame, a Parquet file
    or a :class:`View` on ``connection``)."""
    return _span_row(_query_lines(connection or session(), clean, sql.span_query).iloc[0])


def _span_row(row: pd.Series) -> dict:
    return {"n_lines": int(row["n_lines"]), "n_no_customer": int(row["n_no_customer"]),
            "first": pd.Timestamp(row["first"]), "last": pd.Timestamp(row["last"])}


def clean_totals(clean: pd.DataFrame | str | os.PathLike | View, *, connection: duckdb.DuckDBPyConnection | None = None
                 ) -> dict:
    """:func:`span` of clean lines (as for :func:`span`) and their ``revenue`` (as money), in one pass."""
    return _totals_row(_query_lines(connection or session(), clean, sql.clean_totals_query).iloc[0])


def _totals_row(row: pd.Series) -> dict:
    return {**_span_row(row), "revenue": float(row["revenue"])}


def customer_count(clean: pd.DataFrame | str | os.PathLike, *,
                   connection: duckdb.DuckDBPyConnection | None = None) -> int:
    """The number of customers in clean lines (a frame or a Parquet file)."""
    return int(_query_lines(connection or session(), clean, sql.customer_count_query).iloc[0, 0])


def purchase_day_counts(
    clean: pd.DataFrame | str | os.PathLike,
    last_calibration_day: pd.Timestamp,
    end: pd.Timestamp,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """``kind`` ('first' or 'repeat'), ``day`` and ``n``: see :func:`sql.purchase_day_counts_query`."""
    return _query_lines(connection or session(), clean,
                        lambda lines: sql.purchase_day_counts_query(lines, _date(last_calibration_day), _date(end)))


def buyers(clean: pd.DataFrame | str | os.PathLike, before: pd.Timestamp, *,
           connection: duckdb.DuckDBPyConnection | None = None) -> pd.Index:
    """The customers with a purchase dated before ``before`` (see :func:`sql.buyers_query`)."""
    found = _query_lines(connection or session(), clean, lambda lines: sql.buyers_query(lines, _date(before)))
    return pd.Index(found["customer_id"].to_numpy(object), name="customer_id")


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
    snapshot = pd.Timestamp(snapshot).as_unit("ns")
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


def _lattice(rules) -> pd.DataFrame:
    """The segment of every cell of the 5×5×5 rule lattice, as rows (r, f, m, segment)."""
    from segkit.rfm.rules import lattice_frame, load_rules

    return lattice_frame(load_rules(rules))


def rfm_cuts(customers: pd.DataFrame | str, *, bins: int = 5,
             connection: duckdb.DuckDBPyConnection | None = None) -> dict[str, tuple[float, ...]]:
    """Rank-score cut points per dimension in goodness (higher is better), ``inf`` for an empty level."""
    con = connection or session()
    if isinstance(customers, pd.DataFrame):  # the three columns only: scanning the ids as Python strings is slow
        customers = customers[[column for column, _ in rfm_sql.RFM_DIMENSIONS.values()]].reset_index(drop=True)
    relation = _relation(con, customers, "rfm_customers")
    rows = con.sql(rfm_sql.rfm_cuts_query(relation, bins)).df().set_index("dim")
    return rfm_sql.read_cuts(rows)


def rfm_segments(customers: pd.DataFrame | str, cuts: dict[str, tuple[float, ...]], *, bins: int = 5, rules=None,
                 connection: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """R, F, M scores on ``cuts`` (from :func:`rfm_cuts`) and the named segment of every customer."""
    con = connection or session()
    relation = _relation(con, customers, "rfm_customers")
    con.register("rfm_lattice", _lattice(rules))
    try:
        return con.sql(rfm_sql.rfm_segments_query(relation, cuts, bins, "rfm_lattice")).df()
    finally:
        con.unregister("rfm_lattice")


def _in_row_order(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, query) -> pd.DataFrame:
    """``query(relation)`` over ``frame`` with a ``row_no`` key, its rows back in the frame's order."""
    con.register("rfm_rows", frame.reset_index(drop=True).assign(row_no=np.arange(len(frame))))
    try:
        return con.sql(f"SELECT * FROM ({query('rfm_rows')}) AS q ORDER BY row_no").df()
    finally:
        con.unregister("rfm_rows")


def rfm_scores(customers: pd.DataFrame, cuts: dict[str, Sequence[float]], *,
               connection: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """R, F, M scores of each row of a customer table on cut points in goodness, in the table's row order."""
    columns = [column for column, _ in rfm_sql.RFM_DIMENSIONS.values()]
    scored = _in_row_order(connection or session(), customers[columns],
                           lambda rows: rfm_sql.rfm_scores_query(rows, cuts, key="row_no"))
    return scored[["R", "F", "M"]].astype(np.int64)


def assign_segments(scores: pd.DataFrame, lattice: pd.DataFrame, *, bins: int,
                    connection: duckdb.DuckDBPyConnection | None = None) -> np.ndarray:
    """The segment name of each row of ``scores`` (R, F, M on 1..``bins``) from ``lattice`` (r, f, m, segment
    on the 1..5 rule scale), in the rows' order."""
    con = connection or session()
    con.register("rfm_lattice", lattice)
    try:
        assigned = _in_row_order(con, scores[["R", "F", "M"]],
                                 lambda rows: rfm_sql.rfm_assign_query(rows, bins, "rfm_lattice", key="row_no"))
    finally:
        con.unregister("rfm_lattice")
    return assigned["segment"].to_numpy(object)


def _relation(con: duckdb.DuckDBPyConnection, table: pd.DataFrame | str, name: str) -> str:
    """A frame (registered as ``name``, its index a column) or a Parquet file, as a relation in SQL."""
    if isinstance(table, pd.DataFrame):
        con.register(name, table.reset_index())
        return name
    return f"read_parquet({sql.literal(str(table))})"


def non_null_counts(clean: pd.DataFrame | str | os.PathLike, columns: Sequence[str], *,
                    connection: duckdb.DuckDBPyConnection | None = None) -> dict[str, int]:
    """The number of non-null values of each of ``columns`` (present in the lines)."""
    if not columns:
        return {}
    row = _query_lines(connection or session(), clean, lambda lines: sql.non_null_query(lines, columns)).iloc[0]
    return {column: int(row[column]) for column in columns}


def average_discount(clean: pd.DataFrame | str | os.PathLike, *,
                     connection: duckdb.DuckDBPyConnection | None = None) -> pd.Series:
    """Per customer with a recorded discount, the revenue-weighted mean discount of the purchase lines."""
    purchases = sql.purchase_filter(line_columns(clean))
    found = _query_lines(connection or session(), clean, lambda lines: sql.average_discount_query(lines, purchases))
    return pd.Series(found["avg_discount"].to_numpy(float), index=pd.Index(found["customer_id"].to_numpy(object)),
                     name="avg_discount")


def level_weights(clean: pd.DataFrame | str | os.PathLike, column: str, *, by: str,
                  connection: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Per customer and level of ``column``: ``customer_id``, ``level``, ``weight``, the purchase orders
    (``by="orders"``) or the purchase revenue (``by="revenue"``) in that level."""
    purchases = sql.purchase_filter(line_columns(clean))
    query = sql.level_orders_query if by == "orders" else sql.level_revenue_query
    return _query_lines(connection or session(), clean, lambda lines: query(lines, purchases, column))
