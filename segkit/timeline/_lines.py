"""The one boundary check of the timeline functions, and the engine they compute on.

Public functions of :mod:`segkit.timeline` call :func:`_lines` once; what they call inside trusts its
output. The clean order lines are a frame (:func:`segkit.data.load_clean`) or their Parquet file
(:func:`segkit.engine.clean_lines`); either way they stay in DuckDB, which runs the queries of
:mod:`segkit.timeline._sql` on them, and only per-customer or per-period aggregates come into pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from segkit.data.customers import CleanLines, resolve_snapshot
from segkit.engine import database, duck, sql
from segkit.errors import DataError
from segkit.timeline import _sql

_NEEDED: tuple[str, ...] = ("customer_id", "order_id", "order_date", "amount")
_FIX = ("pass the clean lines of segkit.data.load_clean (or segkit.data.clean_transactions), or their Parquet "
        "file from segkit.engine.clean_lines, not the raw file")
_DATE_TYPES: tuple[str, ...] = ("TIMESTAMP", "DATE")


@dataclass(frozen=True)
class Lines:
    """Checked clean lines: the lines themselves (a frame or a Parquet file), how to tell a return,
    the snapshot day and the first order date."""

    clean: CleanLines
    is_return: str
    snapshot: pd.Timestamp
    first: pd.Timestamp
    connection: duckdb.DuckDBPyConnection

    def query(self, make, *, segments: pd.DataFrame | None = None) -> pd.DataFrame:
        """Run ``make(relation, lines)`` (the SQL text of a query over the relation of the clean lines,
        given this object) in DuckDB; ``segments`` (``customer_id``, ``grp``) is registered as ``segment_labels``."""
        con = self.connection
        if segments is None:
            return duck._query_lines(con, self.clean, lambda relation: make(relation, self))
        con.register("segment_labels", segments)
        try:
            return duck._query_lines(con, self.clean, lambda relation: make(relation, self))
        finally:
            con.unregister("segment_labels")

    def before(self, day: pd.Timestamp | None = None) -> str:
        """The SQL date literal of ``day`` (default the snapshot)."""
        return duck._date(self.snapshot if day is None else day)


def _columns(clean: object) -> dict[str, str]:
    """Column name -> DuckDB type of clean lines (a frame or a Parquet file)."""
    if isinstance(clean, pd.DataFrame):
        return {c: str(t) for c, t in zip(clean.columns, clean.dtypes)}
    try:
        described = database.session().sql(f"DESCRIBE SELECT * FROM read_parquet({sql.literal(str(clean))})").fetchall()
    except duckdb.Error as error:
        raise DataError(f"{clean} is not a Parquet file of order lines ({type(error).__name__}); {_FIX}.") from None
    return {row[0]: row[1] for row in described}


def _return_rule(columns: dict[str, str]) -> str:
    """``is_return`` when the lines have it, else segkit's rule: a negative quantity or amount."""
    if "is_return" in columns:
        return "CAST(is_return AS BOOLEAN)"
    return "(amount < 0" + (" OR coalesce(quantity < 0, FALSE))" if "quantity" in columns else ")")


def _lines(clean: object, snapshot_date: object) -> Lines:
    """Checked clean lines with the snapshot day, as :func:`segkit.data.customer_table` reads them.

    ``is_return`` is the lines' own column, or, when they have none, segkit's rule: a negative
    quantity or amount. The snapshot is :func:`segkit.data.customers.resolve_snapshot`'s: the day
    after the last line unless given.

    Raises
    ------
    DataError
        Neither a DataFrame nor a Parquet file, a missing column, dates that are not dates, missing ids,
        dates or amounts, or no purchase before the snapshot; the message says what to pass instead.
    """
    if not isinstance(clean, (pd.DataFrame, str)) and not hasattr(clean, "__fspath__"):
        raise DataError(f"expected the clean order lines as a pandas DataFrame or a Parquet file, got "
                        f"{type(clean).__name__}; {_FIX}.")
    if not isinstance(clean, pd.DataFrame) and not Path(clean).is_file():
        raise DataError(f"the clean lines file {clean} does not exist; {_FIX}.")
    columns = _columns(clean)
    missing = [c for c in _NEEDED if c not in columns]
    if missing:
        raise DataError(f"the order lines lack column(s) {missing} (they have {list(columns)[:8]}); {_FIX}.")
    if isinstance(clean, pd.DataFrame):
        if not pd.api.types.is_datetime64_any_dtype(clean["order_date"]):
            raise DataError(
                f"column 'order_date' holds {clean['order_date'].dtype} values, not dates "
                f"(e.g. {clean['order_date'].head(2).tolist()}); {_FIX}: it reads dates once per column."
            )
    elif not columns["order_date"].startswith(_DATE_TYPES):
        raise DataError(f"column 'order_date' holds {columns['order_date']} values, not dates; {_FIX}.")
    rule = _return_rule(columns)
    con = database.session()
    counts = duck._query_lines(con, clean, lambda relation: _sql.missing_query(relation, _NEEDED)).iloc[0]
    for col in ("customer_id", "order_date", "amount"):
        if int(counts[col]):
            raise DataError(f"{int(counts[col])} line(s) have no {col}; {_FIX}: cleaning removes and logs them.")
    if int(counts["n_lines"]) == 0:
        raise DataError("there are no order lines; check the data path and the quality log of segkit.data.load_clean.")
    first, last = pd.Timestamp(counts["first"]), pd.Timestamp(counts["last"])
    snapshot = resolve_snapshot(first, last, snapshot_date)
    buys = duck._query_lines(con, clean, lambda relation: _sql.purchases_before_query(relation, rule,
                                                                                       duck._date(snapshot)))
    if int(buys.iloc[0, 0]) == 0:
        raise DataError(
            f"no purchase is dated before the snapshot {snapshot.date()}: every line before it is a return. "
            "Choose a later snapshot_date or check the quality log."
        )
    return Lines(clean, rule, snapshot, first, con)
