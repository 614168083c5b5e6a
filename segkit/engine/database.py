"""One DuckDB for the process: its settings (memory, threads, spill folder), its connections and
cursors, and query results to pandas."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from segkit.engine import sql
from segkit.paths import INTERIM_DIR


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


def as_pandas(relation: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    """The relation as pandas, by way of Arrow: text stays in Arrow buffers on its way to pandas'
    Arrow-backed string columns, where ``relation.df()`` would make one Python object per value for
    pandas to parse back."""
    result = relation.arrow()
    return (result.read_all() if isinstance(result, pa.RecordBatchReader) else result).to_pandas()


def as_arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """``frame`` (its columns, not its index) as an Arrow table when every column converts: DuckDB
    scans Arrow text without making a Python object per value; else the frame itself (e.g. a column
    of mixed types), which DuckDB scans as pandas."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, ValueError, TypeError):
        return frame


def typed(frame: pd.DataFrame, types: pd.Series) -> pd.DataFrame:
    """``frame`` with each column that ``types`` names cast to that pandas dtype (DuckDB's results come
    back in DuckDB's types: ``str`` for ``string``, microseconds for nanoseconds, …)."""
    changed = {c: types[c] for c in frame.columns if c in types.index and frame[c].dtype != types[c]}
    return frame.astype(changed) if changed else frame
