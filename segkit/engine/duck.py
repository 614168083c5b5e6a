"""Run the data layer's SQL on DuckDB: in process, on all cores, spilling to disk past memory."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from segkit.engine import rfm_sql, sql
from segkit.errors import DataError
from segkit.memo import content_hash
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


def machine_share_of_memory(share: float = 1 / 6, floor: int = 2**30) -> str:
    """``share`` of the machine's memory, at least ``floor`` bytes, as DuckDB writes a memory size."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): the floor
        total = 0
    return f"{max(int(total * share), floor) // 2**20}MiB"


#: DuckDB's working memory before it spills to disk: a sixth of the machine's memory, at least 1 GiB,
#: so the engine's peak memory stays near it whatever the data size. DuckDB's own default, 80% of the
#: machine, leaves nothing for the notebooks' pandas and the kernels running beside it; 1 GiB made
#: 100M lines spill in every aggregate (88–96 s against 70 s with 4 GiB, on 24 GB), while at 10M
#: lines DuckDB takes under 1 GB whatever the limit.
MEMORY_LIMIT: str = os.environ.get("SEGKIT_ENGINE_MEMORY") or machine_share_of_memory()
#: DuckDB's threads; unset, one per core. Fewer leave cores to other work (mutation testing sets 1:
#: it limits each test's CPU time, and threads waiting for a shared core use CPU time too).
THREADS: int | None = int(os.environ["SEGKIT_ENGINE_THREADS"]) if os.environ.get("SEGKIT_ENGINE_THREADS") else None


def connect(*, threads: int | None = THREADS, memory_limit: str = MEMORY_LIMIT,
            spill_to: Path = INTERIM_DIR / "duckdb-spill") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that spills to ``spill_to`` past ``memory_limit``."""
    config = {"preserve_insertion_order": False, "memory_limit": memory_limit}
    if threads is not None:
        config["threads"] = threads
    connection = duckdb.connect(config=config)
    spill_to.mkdir(parents=True, exist_ok=True)
    connection.execute(f"SET temp_directory = {sql.literal(str(spill_to))}")
    try:
        connection.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:  # in Jupyter without ipywidgets DuckDB refuses the setting and draws no bar
        pass
    return connection



@functools.lru_cache(maxsize=1)
def _process_connection() -> duckdb.DuckDBPyConnection:
    return connect()


def session() -> duckdb.DuckDBPyConnection:
    """A cursor on one connection kept for the whole process, for the many small queries of an analysis.

    Opening a DuckDB connection costs 0.01–0.25 s, a cursor microseconds; each cursor has its own
    registered frames and temp tables, so callers do not see each other's, and all of them share
    one memory limit (:data:`MEMORY_LIMIT`), where each connection of :func:`connect` has its own.
    """
    return _process_connection().cursor()

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


def as_pandas(relation: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    """The relation as pandas, by way of Arrow: text stays in Arrow buffers on its way to pandas'
    Arrow-backed string columns, where ``relation.df()`` would make one Python object per value for
    pandas to parse back."""
    result = relation.arrow()
    return (result.read_all() if isinstance(result, pa.RecordBatchReader) else result).to_pandas()


def _to_pandas(relation: duckdb.DuckDBPyRelation, like: pd.DataFrame) -> pd.DataFrame:
    """:func:`as_pandas`, each column in the dtype it has in ``like`` (the engine's input)."""
    return typed(as_pandas(relation), like.dtypes)


def _as_arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """``frame`` (its columns, not its index) as an Arrow table when every column converts: DuckDB
    scans Arrow text without making a Python object per value; else the frame itself (e.g. a column
    of mixed types), which DuckDB scans as pandas."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, ValueError, TypeError):
        return frame


def register_lines(con: duckdb.DuckDBPyConnection, lines: pd.DataFrame | str | os.PathLike,
                   name: str = "source_lines") -> list[str]:
    """Make the view ``name`` the order lines with ``line_no``; return their columns.

    A frame is numbered in its row order, Parquet in file order: a folder of files in file name
    order, each file's rows after those of the files before it. Parquet of up to
    :data:`IN_MEMORY_LINES` lines is scanned from its copy in memory (:func:`lines_in_memory`).
    """
    if isinstance(lines, pd.DataFrame):
        con.register(f"{name}_frame", _as_arrow(lines.assign(line_no=np.arange(len(lines), dtype=np.int64))))
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


def _numbered_query(files: Sequence[Path]) -> str:
    """The lines of the Parquet ``files`` with their ``line_no`` (see :func:`register_lines`)."""
    if len(files) == 1:  # file i's lines are numbered from i << 40: for the first file, the row number itself
        return f"""SELECT * EXCLUDE (file_row_number), file_row_number AS line_no
            FROM read_parquet({sql.literal(str(files[0]))}, file_row_number = true)"""
    # (joining every line to its file's number costs a tenth of a second per pass at 10M lines)
    listed = "[" + ", ".join(sql.literal(str(f)) for f in files) + "]"
    numbers = ", ".join(f"({sql.literal(str(f))}, {i})" for i, f in enumerate(files))
    return f"""SELECT p.* EXCLUDE (filename, file_row_number), (CAST(f.i AS BIGINT) << 40) + p.file_row_number AS line_no
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
    the engine gives it in the file (e.g. a UUID, which Arrow holds as text)."""
    if sum(pq.ParquetFile(f).metadata.num_rows for f in files) > IN_MEMORY_LINES:
        return None
    return _read_numbered(tuple((str(f), content_hash(f)) for f in files))


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
    line_no = pa.array((i << 40) + np.arange(table.num_rows, dtype=np.int64))
    return pa.table([*columns, line_no], names=[*table.column_names, "line_no"])


def typed(frame: pd.DataFrame, types: pd.Series) -> pd.DataFrame:
    """``frame`` with each column that ``types`` names cast to that pandas dtype (DuckDB's results come
    back in DuckDB's types: ``str`` for ``string``, microseconds for nanoseconds, …)."""
    changed = {c: types[c] for c in frame.columns if c in types.index and frame[c].dtype != types[c]}
    return frame.astype(changed) if changed else frame


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
    con.unregister("source_lines_frame")  # a no-op when the lines came from Parquet


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
    """The per-rule counts of :func:`split_parquet` and the clean lines' :func:`clean_totals`,
    without writing the lines anywhere (a frame, or Parquet as for :func:`split_parquet`)."""
    con = session()
    try:
        columns = _classify(con, lines, returns=returns, test_account_pattern=test_account_pattern,
                            test_accounts=test_accounts, outlier_z=outlier_z)
        counts, _ = _counts(con)
        kept = f"({sql.clean_query('source_lines', 'dropped', columns, in_order=False)})"
        totals = _totals_row(con.sql(sql.clean_totals_query(kept)).df().iloc[0])
    finally:
        _release(con)
        con.close()
    return counts, totals


def parquet_columns(path: str | os.PathLike) -> list[str]:
    """The column names of a Parquet file, from its schema only."""
    try:
        described = session().sql(f"DESCRIBE SELECT * FROM read_parquet({sql.literal(str(path))})").fetchall()
    except duckdb.Error as error:
        raise DataError(f"{path} is not a Parquet file of order lines ({type(error).__name__}: {error}). "
                        "Pass the file segkit.engine.clean_lines(source) gives, or a DataFrame of clean lines.") from None
    return [row[0] for row in described]


@dataclass(frozen=True)
class View:
    """Lines as a view already made on a connection (e.g. :func:`clean_view`): pass it with that connection."""

    name: str


def _query_lines(con: duckdb.DuckDBPyConnection, lines: pd.DataFrame | str | os.PathLike | View, query,
                 fetch=duckdb.DuckDBPyRelation.df) -> pd.DataFrame:
    """Run ``query(relation)`` over clean lines given as a frame, a Parquet file or a :class:`View`; ``fetch``
    turns the result into pandas (:func:`as_pandas` for many rows of text)."""
    if isinstance(lines, View):
        return fetch(con.sql(query(lines.name)))
    if isinstance(lines, pd.DataFrame):
        con.register("clean_lines", _as_arrow(lines))
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


def line_columns(clean: pd.DataFrame | str | os.PathLike) -> list[str]:
    """The column names of clean lines, a frame or a Parquet file."""
    return list(clean.columns) if isinstance(clean, pd.DataFrame) else parquet_columns(clean)


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
