"""The cleaning rules run on DuckDB: which lines each rule excludes, the quality log's counts, and the
clean and the excluded lines written as Parquet. The rules themselves are SQL
(:mod:`segkit.engine.sql`), which Spark runs too (:mod:`segkit.engine.spark`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from segkit.engine import sql
from segkit.engine.database import as_pandas, session, typed
from segkit.engine.duck import View, clean_totals
from segkit.engine.sources import register_lines
from segkit.errors import DataError


#: Names the engine adds to the order lines; a source column may not use them.
RESERVED_COLUMNS: frozenset[str] = frozenset({"line_no", "reason", "is_return", "excluded_by"})


@dataclass(frozen=True)
class Split:
    """One pass of the cleaning rules: kept lines, excluded lines, the per-rule counts and the totals."""

    clean: pd.DataFrame
    excluded: pd.DataFrame
    counts: pd.DataFrame
    totals: dict[str, float]


def _to_pandas(relation: duckdb.DuckDBPyRelation, like: pd.DataFrame) -> pd.DataFrame:
    """:func:`segkit.engine.database.as_pandas`, each column in the dtype it has in ``like`` (the engine's input)."""
    return typed(as_pandas(relation), like.dtypes)


def _classify(con: duckdb.DuckDBPyConnection, lines: pd.DataFrame | str | os.PathLike, *, returns: str,
              test_account_pattern: str | None, test_accounts: Sequence[str], outlier_z: float | None) -> list[str]:
    """Create the temp view ``first_reasons`` (every line with the first-stage rule that excludes it,
    :func:`sql.first_rules_query`, over the small tables ``duplicate_lines`` and ``test_customers``, the
    latter read from ``source_customers``, :func:`sql.source_customers_query`, which the log reads too) and
    the temp tables of stage two, ending with ``dropped`` (the excluded lines with their rule,
    :func:`sql.reasons_queries`); return the line columns. No table holds every line: writing one
    took a tenth of the cleaning's time, and past memory it spills."""
    columns = register_lines(con, lines)
    clash = RESERVED_COLUMNS.intersection(columns)
    if clash:
        raise DataError(f"the order lines have column(s) {sorted(clash)}, names the cleaning adds itself; "
                        "rename them in the file or leave them out of the column map.")
    con.execute(f"CREATE OR REPLACE TEMP TABLE duplicate_lines AS {sql.duplicate_lines_query('source_lines', columns)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE source_customers AS {sql.source_customers_query('source_lines')}")
    con.execute("CREATE OR REPLACE TEMP TABLE test_customers AS " + sql.test_customers_query(
        "source_customers", test_account_pattern=test_account_pattern, test_accounts=test_accounts))
    con.execute("CREATE OR REPLACE TEMP VIEW first_reasons AS " + sql.first_rules_query(
        "source_lines", columns, duplicates="duplicate_lines", test_customers="test_customers"))
    for name, query in sql.reasons_queries("first_reasons", columns, returns=returns, outlier_z=outlier_z).items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")
    return columns


def _release(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what :func:`_classify` made, so the connection no longer holds the lines or their reasons."""
    con.execute("DROP VIEW IF EXISTS first_reasons")
    for table in ("source_customers", "duplicate_lines", "test_customers", *sql.REASON_TABLES):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DROP VIEW IF EXISTS source_lines")
    con.unregister("source_lines_frame")  # a frame or lines held in memory; a no-op for lines scanned from disk


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, dict[str, float]]:
    con.execute("CREATE OR REPLACE TEMP TABLE reason_customers AS "
                f"{sql.reason_customers_query('source_customers', 'dropped')}")
    try:
        counts = con.sql(sql.log_query("dropped", "reason_customers")).df()
        totals = con.sql(sql.totals_query("reason_customers")).df().iloc[0].to_dict()
    finally:
        con.execute("DROP TABLE reason_customers")
    return counts, sql.read_totals(totals)


def split_lines(
    lines: pd.DataFrame,
    *,
    returns: str,
    test_account_pattern: str | None,
    test_accounts: Sequence[str],
    outlier_z: float | None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Split:
    """Apply the cleaning rules to canonical order lines held in pandas (see :func:`sql.first_rules_query` and :func:`sql.reasons_queries`)."""
    con = connection or session()
    try:
        columns = _classify(con, lines, returns=returns, test_account_pattern=test_account_pattern,
                            test_accounts=test_accounts, outlier_z=outlier_z)
        clean = _to_pandas(con.sql(sql.clean_query("source_lines", "dropped", columns)), lines)
        excluded = _to_pandas(con.sql(sql.excluded_query("source_lines", "dropped", columns)), lines)
        counts, totals = _counts(con)
    finally:
        _release(con)
    clean["is_return"] = clean["is_return"].astype(bool)
    clean = clean.reset_index(drop=True)
    excluded.index = lines.index[excluded.pop("line_no").to_numpy()]  # each line keeps its label in ``lines``
    return Split(clean, excluded, counts, totals)


@dataclass(frozen=True)
class SplitFiles:
    """:class:`Split` written as Parquet files (for data that need not, or cannot, fit in pandas): the clean
    and the excluded lines, or (:func:`split_parquet`'s ``write_lines=False``) only ``dropped``, the
    excluded lines' numbers and rules."""

    clean: Path | None
    excluded: Path | None
    counts: pd.DataFrame
    totals: dict[str, float]
    dropped: Path | None = None


def split_parquet(
    lines: str | os.PathLike,
    folder: str | os.PathLike,
    *,
    returns: str,
    test_account_pattern: str | None,
    test_accounts: Sequence[str],
    outlier_z: float | None,
    write_lines: bool = True,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> SplitFiles:
    """Apply the cleaning rules to order lines in Parquet; write ``clean.parquet`` and ``excluded.parquet``
    into ``folder`` without bringing the lines into Python. The clean lines are in no particular
    order and keep their ``line_no`` (:func:`segkit.data.load_clean` sorts them as
    :func:`split_lines` does); the excluded lines are in source order.

    ``write_lines=False`` writes only ``dropped.parquet``, each excluded line's ``line_no`` and
    ``reason``: the clean lines are then the source's lines without those (:func:`clean_view`), and
    both kinds of lines are written from the source when they are asked for
    (:func:`write_clean_lines`, :func:`write_excluded_lines`). Copying the lines is most of the
    cleaning's time, and a customer table needs only a pass over them."""
    con = connection or session()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {name: folder / f"{name}.parquet" for name in ("clean", "excluded", "dropped")}
    try:
        columns = _classify(con, lines, returns=returns, test_account_pattern=test_account_pattern,
                            test_accounts=test_accounts, outlier_z=outlier_z)
        if write_lines:
            queries = {"excluded": sql.excluded_query("source_lines", "dropped", columns),
                       "clean": sql.clean_query("source_lines", "dropped", columns, in_order=False)}
        else:
            queries = {"dropped": "SELECT line_no, reason FROM dropped ORDER BY line_no"}
        for name, query in queries.items():
            _write_parquet(con, query, outputs[name])
        counts, totals = _counts(con)
    finally:
        _release(con)
    written = {name: (path if name in queries else None) for name, path in outputs.items()}
    return SplitFiles(written["clean"], written["excluded"], counts, totals, written["dropped"])


def _write_parquet(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    con.execute(f"COPY ({query}) TO {sql.literal(str(target))} (FORMAT parquet, COMPRESSION zstd)")


def clean_view(con: duckdb.DuckDBPyConnection, lines: str | os.PathLike, dropped: str | os.PathLike,
               name: str = "clean_lines_view") -> str:
    """Make the temp view ``name`` the clean lines of the Parquet order lines ``lines``: those whose
    ``line_no`` is not in ``dropped`` (a Parquet file of the excluded lines' numbers, e.g. the
    ``dropped.parquet`` of :func:`split_parquet`), as ``clean.parquet`` would hold them; return ``name``."""
    columns = register_lines(con, lines, name=f"{name}_source")
    excluded = f"read_parquet({sql.literal(str(dropped))})"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS "
                f"{sql.clean_query(f'{name}_source', excluded, columns, in_order=False)}")
    return name


def write_clean_lines(lines: str | os.PathLike, dropped: str | os.PathLike, target: str | os.PathLike) -> None:
    """Write :func:`clean_view` of ``lines`` and ``dropped`` to ``target``: the ``clean.parquet`` that
    :func:`split_parquet` writes."""
    _write_alone(lambda con: f"SELECT * FROM {clean_view(con, lines, dropped)}", target)


def write_excluded_lines(lines: str | os.PathLike, dropped: str | os.PathLike, target: str | os.PathLike) -> None:
    """Write the lines of ``lines`` whose ``line_no`` is in ``dropped`` (the ``dropped.parquet`` of
    :func:`split_parquet`), with their rule, to ``target``: the ``excluded.parquet`` that
    :func:`split_parquet` writes."""
    excluded = f"read_parquet({sql.literal(str(dropped))})"
    _write_alone(lambda con: sql.excluded_query("source_lines", excluded, register_lines(con, lines)), target)


def _write_alone(query, target: str | os.PathLike) -> None:
    """Write ``query(connection)`` to ``target`` as Parquet, on a cursor of its own (closed after)."""
    con = session()
    try:
        _write_parquet(con, query(con), Path(target))
    finally:
        con.close()


def count_split(
    lines: pd.DataFrame | str | os.PathLike,
    *,
    returns: str,
    test_account_pattern: str | None,
    test_accounts: Sequence[str],
    outlier_z: float | None,
) -> tuple[pd.DataFrame, dict]:
    """The per-rule counts of :func:`split_parquet` and the clean lines' :func:`segkit.engine.duck.clean_totals`,
    without writing the lines anywhere (a frame, or Parquet as for :func:`split_parquet`)."""
    con = session()
    try:
        columns = _classify(con, lines, returns=returns, test_account_pattern=test_account_pattern,
                            test_accounts=test_accounts, outlier_z=outlier_z)
        counts, _ = _counts(con)
        kept = f"({sql.clean_query('source_lines', 'dropped', columns, in_order=False)})"
        totals = clean_totals(View(kept), connection=con)
    finally:
        _release(con)
        con.close()
    return counts, totals


def in_order_query(con: duckdb.DuckDBPyConnection, clean: str | os.PathLike) -> str | None:
    """The query of the clean lines in a Parquet file in :func:`segkit.data.split_transactions`' order
    (:func:`sql.line_order`), without ``line_no``; None for lines without ``line_no``, cleaned in memory
    and written in that order already. The engine writes clean lines in no particular order (writing
    them sorted took twice as long) and sorts them when they are read."""
    source = f"read_parquet({sql.literal(str(clean))})"
    if "line_no" not in con.sql(f"SELECT * FROM {source} LIMIT 0").columns:
        return None
    return f"SELECT * EXCLUDE (line_no) FROM {source} ORDER BY {sql.line_order()}"


def read_in_order(clean: str | os.PathLike) -> pd.DataFrame:
    """Clean lines from Parquet into pandas in order (:func:`in_order_query`): DuckDB sorts them on all
    cores (pandas took 10 s for 4.6M lines, on one)."""
    con = session()
    query = in_order_query(con, clean)
    return pd.read_parquet(clean) if query is None else as_pandas(con.sql(query))
