"""Order lines open in the engine, whatever holds them (a pandas frame, a Parquet file or a folder of
files), and clean lines written out in order, for the analyses that read lines rather than customers
(the data profile, the exports)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from segkit.engine import database, exclusions, sources, sql


class LinesView(NamedTuple):
    """Order lines open in the engine: the cursor, the view's name and the lines' columns (without ``line_no``)."""

    con: duckdb.DuckDBPyConnection
    name: str
    columns: list[str]


@contextlib.contextmanager
def lines_view(lines: pd.DataFrame | str | os.PathLike, name: str = "lines") -> Iterator[LinesView]:
    """The order lines (a frame, or a Parquet file or folder of files) as the view ``name`` with ``line_no``
    (see :func:`segkit.engine.sources.register_lines`), on a cursor of :func:`segkit.engine.database.session`
    kept open for the block."""
    con = database.session()
    try:
        yield LinesView(con, name, sources.register_lines(con, lines, name))
    finally:
        con.close()


def first_row(view: LinesView, query: str) -> dict:
    """The first row of ``query`` on the view's cursor, as column name -> value."""
    relation = view.con.sql(query)
    return dict(zip(relation.columns, relation.fetchall()[0], strict=True))


def pandas_types(lines: pd.DataFrame | str | os.PathLike) -> pd.Series:
    """The pandas dtype of each column of the order lines: a frame's own, or those pandas reads the
    (first) Parquet file in (from its schema only)."""
    if isinstance(lines, pd.DataFrame):
        return lines.dtypes
    return pq.read_schema(sources.parquet_files(Path(lines))[0]).empty_table().to_pandas().dtypes


def write_clean(clean: str | os.PathLike, target: str | os.PathLike) -> int:
    """Write the clean lines of a cache entry (``clean.parquet``) to ``target`` as Parquet, in
    :func:`segkit.data.split_transactions`' order and without ``line_no``; return how many."""
    return _copy(lambda con: exclusions.in_order_query(con, clean) or f"SELECT * FROM read_parquet({sql.literal(str(clean))})",
                 target)


def write_excluded(excluded: str | os.PathLike, target: str | os.PathLike) -> int:
    """Write the excluded lines of a cache entry (``excluded.parquet``) to ``target`` as Parquet, in source
    order, each with its position in the lines as read first, as ``source_line``; return how many."""
    return _copy(lambda con: f"SELECT line_no AS source_line, * EXCLUDE (line_no) "
                             f"FROM read_parquet({sql.literal(str(excluded))}) ORDER BY line_no", target)


def _copy(query: Callable[[duckdb.DuckDBPyConnection], str], target: str | os.PathLike) -> int:
    """Write ``query(connection)`` to ``target`` as Parquet on a connection of its own; return the rows."""
    con = database.connect()
    try:
        con.execute("SET preserve_insertion_order = true")  # the file keeps the order, so two runs write the same bytes
        return con.execute(f"COPY ({query(con)}) TO {sql.literal(str(target))} (FORMAT parquet, COMPRESSION zstd)"
                           ).fetchall()[0][0]
    finally:
        con.close()
