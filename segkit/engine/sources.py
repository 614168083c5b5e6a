"""Order lines into the engine: which Parquet files hold them, whether they are in segkit's columns
and types, and the view that numbers them (``line_no``), scanned from a copy in memory when they
are few and from the files otherwise."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from segkit.engine import sql
from segkit.engine.database import as_arrow, session
from segkit.errors import DataError
from segkit.memo import content_hash


#: The columns and DuckDB types of order lines the engine cleans without the front door.
CANONICAL_TYPES: dict[str, tuple[str, ...]] = {
    "customer_id": ("VARCHAR",), "order_id": ("VARCHAR",),
    "order_date": ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"),
    **{c: ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT")
       for c in ("quantity", "unit_price", "amount")},
}


def parquet_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.parquet")) if path.is_dir() else [path]


def canonical_parquet(path: str | os.PathLike) -> bool:
    """Whether ``path`` is Parquet (a file or a folder of files) of order lines in segkit's columns and
    types (:data:`CANONICAL_TYPES`, e.g. written from :func:`segkit.data.load_transactions` or by a
    warehouse), which the engine can clean as they are; an export in any other shape takes the front door."""
    path = Path(path)
    files = parquet_files(path)
    if not files or any(f.suffix.lower() not in (".parquet", ".pq") or not f.is_file() for f in files):
        return False
    listed = "[" + ", ".join(sql.literal(str(f)) for f in files) + "]"
    try:
        described = session().sql(f"DESCRIBE SELECT * FROM read_parquet({listed})").fetchall()
    except duckdb.Error:  # not Parquet, or files whose schemas differ
        return False
    types = {name: kind.split("(")[0] for name, kind, *_ in described}
    return all(types.get(column) in allowed for column, allowed in CANONICAL_TYPES.items())


def register_lines(con: duckdb.DuckDBPyConnection, lines: pd.DataFrame | str | os.PathLike,
                   name: str = "source_lines") -> list[str]:
    """Make the view ``name`` the order lines with ``line_no``; return their columns.

    A frame is numbered in its row order, Parquet in file order: a folder of files in file name
    order, each file's rows after those of the files before it. Parquet of up to
    :data:`IN_MEMORY_LINES` lines is scanned from its copy in memory (:func:`lines_in_memory`).
    """
    if isinstance(lines, pd.DataFrame):
        con.register(f"{name}_frame", as_arrow(lines.assign(line_no=np.arange(len(lines), dtype=np.int64))))
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_frame")
        return list(lines.columns)
    path = Path(lines)
    files = parquet_files(path)
    if not files:
        raise DataError(f"{path} holds no .parquet files; point at a Parquet file or a folder of them.")
    in_memory = lines_in_memory(files)
    if in_memory is not None:
        con.register(f"{name}_frame", in_memory)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_frame")
    else:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {_numbered_query(files)}")
    return [c for c in con.sql(f"SELECT * FROM {name} LIMIT 0").columns if c != "line_no"]


#: File i's lines are numbered from i << FILE_NUMBER_SHIFT: for the first file, the row number itself.
FILE_NUMBER_SHIFT = 40


def _numbered_query(files: Sequence[Path]) -> str:
    """The lines of the Parquet ``files`` with their ``line_no`` (see :func:`register_lines`)."""
    if len(files) == 1:
        return f"""SELECT * EXCLUDE (file_row_number), file_row_number AS line_no
            FROM read_parquet({sql.literal(str(files[0]))}, file_row_number = true)"""
    # (joining every line to its file's number costs a tenth of a second per pass at 10M lines)
    listed = "[" + ", ".join(sql.literal(str(f)) for f in files) + "]"
    numbers = ", ".join(f"({sql.literal(str(f))}, {i})" for i, f in enumerate(files))
    return f"""SELECT p.* EXCLUDE (filename, file_row_number), (CAST(f.i AS BIGINT) << {FILE_NUMBER_SHIFT}) + p.file_row_number AS line_no
            FROM read_parquet({listed}, filename = true, file_row_number = true) AS p
            JOIN (VALUES {numbers}) AS f(filename, i) ON p.filename = f.filename"""


#: Parquet order lines up to this many are read into memory once per process (as Arrow, about 80 MB
#: a million lines in segkit's columns) and the engine's passes scan that copy. A pass over Parquet
#: decodes the file again, on one thread per row group, and a file of a million lines is often one
#: row group: the cleaning and the customer table make about eight passes, 0.52 s against 0.64 s at
#: 1M lines read from memory. Past this the lines stay on disk, so that memory does not grow with
#: the data (``SEGKIT_ENGINE_IN_MEMORY_LINES=0`` keeps every file there).
IN_MEMORY_LINES: int = int(os.environ.get("SEGKIT_ENGINE_IN_MEMORY_LINES") or 2_000_000)


def lines_in_memory(files: Sequence[Path]) -> pa.Table | None:
    """The lines of the Parquet ``files`` with their ``line_no``, as :func:`register_lines` numbers them,
    read once per process while the files are unchanged (the last set of files only); None past
    :data:`IN_MEMORY_LINES` lines, or when a column would not come back from memory in the type
    the engine gives it in the file (e.g. an interval, which pyarrow reads as bytes), or when pyarrow
    cannot read the files (DuckDB then scans them, and says what is wrong with them)."""
    try:
        n_lines = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    except (pa.ArrowException, OSError):
        return None
    return _read_numbered(tuple((str(f), content_hash(f)) for f in files)) if n_lines <= IN_MEMORY_LINES else None


@functools.lru_cache(maxsize=1)
def _read_numbered(files: tuple[tuple[str, str], ...]) -> pa.Table | None:
    """The files' lines as Arrow, or None if a column's type would change on the way; keyed by content,
    so that a changed file is read again. Read by pyarrow, which decodes a row group in 0.05 s
    where DuckDB's scan into Arrow takes 0.08 s (1M lines), and checked against the types DuckDB
    gives the files."""
    paths = [Path(f) for f, _ in files]
    try:
        table = pa.concat_tables([_numbered_arrow(path, i) for i, path in enumerate(paths)])
    except (pa.ArrowException, ValueError):  # e.g. files whose schemas differ: DuckDB reconciles them
        return None
    con = session()
    con.register("in_memory_lines", table)
    same = con.sql("SELECT * FROM in_memory_lines").types == con.sql(_numbered_query(paths)).types
    return table if same else None


def _numbered_arrow(path: Path, i: int) -> pa.Table:
    """File ``i``'s lines with their ``line_no`` (:func:`_numbered_query`), text stored as a dictionary
    decoded as DuckDB reads it."""
    table = pq.read_table(path)
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    line_no = pa.array((i << FILE_NUMBER_SHIFT) + np.arange(table.num_rows, dtype=np.int64))
    return pa.table([*columns, line_no], names=[*table.column_names, "line_no"])


def parquet_columns(path: str | os.PathLike) -> list[str]:
    """The column names of a Parquet file, from its schema only."""
    try:
        described = session().sql(f"DESCRIBE SELECT * FROM read_parquet({sql.literal(str(path))})").fetchall()
    except duckdb.Error as error:
        raise DataError(f"{path} is not a Parquet file of order lines ({type(error).__name__}: {error}). "
                        "Pass the file segkit.engine.clean_lines(source) gives, or a DataFrame of clean lines.") from None
    return [row[0] for row in described]


def line_columns(clean: pd.DataFrame | str | os.PathLike) -> list[str]:
    """The column names of clean lines, a frame or a Parquet file."""
    return list(clean.columns) if isinstance(clean, pd.DataFrame) else parquet_columns(clean)
