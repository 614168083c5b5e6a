"""Read then clean, cached under ``data/interim/`` by content hash, options and code version.

Two kinds of entry, each a folder of Parquet files (nothing is unpickled from disk):

* ``lines-…``: a file as the front door read it (:func:`read_file`): ``lines.parquet`` and
  ``decisions.parquet``, keyed by the file's content and the reading options;
* ``clean-…``: the file read and cleaned (:func:`cache_entry`): ``clean.parquet``, ``excluded.parquet``
  (every excluded line with its ``line_no`` in the lines as read and ``excluded_by``), ``log.parquet``
  and ``dtypes.parquet`` (no rows: the pandas types the lines were read in), keyed by the file's
  content, the reading options and the cleaning options (defaults filled in, so that
  ``returns="net"`` given or left out finds the same entry). Cleaning writes ``dropped.parquet`` (the
  excluded lines' numbers and rules) and the log; the clean and the excluded lines are written from
  the lines and ``dropped.parquet`` the first time they are asked for (:func:`classified_entry`).

A profiling notebook, the engine's notebooks and the index's data summary thus read and clean a
file once between them, and never again until the file, an option or segkit's code changes.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
from pyarrow import ArrowException

from segkit.data.clean import (
    DEFAULT_OUTLIER_Z,
    DEFAULT_TEST_ACCOUNT_PATTERN,
    Cleaned,
    Split,
    clean_counts,
    clean_parquet,
    clean_transactions,
    split_transactions,
)
from segkit.data.load import Transactions, read_transactions
from segkit.engine import database, duck, exclusions, sources
from segkit.memo import content_hash, publish, publish_file
from segkit.paths import INTERIM_DIR

#: Options of :func:`segkit.data.read_transactions` that ``load_clean`` passes on.
READING_OPTIONS: tuple[str, ...] = ("encoding", "delimiter", "decimal", "thousands", "date_format", "sheet")


@functools.cache
def _code_version() -> str:
    """A hash of the source of the data package and of the engine that runs its rules: a change to
    reading or cleaning never serves a stale cache."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for module in sorted([*package.glob("*.py"), *(package.parent / "engine").glob("*.py")]):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:12]


#: The cleaning options' defaults (those of :func:`segkit.data.clean_transactions`), filled into cache keys.
CLEANING_DEFAULTS: dict = {"returns": "net", "test_account_pattern": DEFAULT_TEST_ACCOUNT_PATTERN,
                           "test_accounts": (), "outlier_z": DEFAULT_OUTLIER_Z}


def _cache_key(files: list[Path], options: dict, *, kind: str = "clean") -> Path:
    digest = hashlib.sha256()
    for path in files:
        digest.update(content_hash(path).encode())
    digest.update(repr((_code_version(), sorted((k, repr(v)) for k, v in options.items()))).encode())
    return INTERIM_DIR / f"{kind}-{digest.hexdigest()[:20]}"


def _split_options(options: dict) -> tuple[dict, dict]:
    """The reading options (empty ones dropped) and the cleaning options."""
    reading = {k: v for k, v in options.items() if k in READING_OPTIONS and v not in (None, "")}
    return reading, {k: v for k, v in options.items() if k not in READING_OPTIONS}


def cache_entry(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **options) -> Path:
    """The cache folder of the file ``source`` read and cleaned with ``options``, made first if missing.

    It holds ``clean.parquet`` (the clean lines), ``excluded.parquet`` (the excluded lines, with
    ``excluded_by`` and their ``line_no``), ``dropped.parquet`` (the excluded lines' ``line_no`` and
    ``reason``), ``log.parquet`` (the quality log) and ``dtypes.parquet``
    (see :func:`_clean_file`); the engine reads
    the clean lines from there without bringing them into pandas. The options are those of
    :func:`load_clean`. The engine cleans file to file, never bringing the lines into pandas: order
    lines already in segkit's columns and types in Parquet (a file or a folder of files, see
    :func:`segkit.engine.sources.canonical_parquet`) as they are, any other file as the front door read
    it (:func:`read_file`, whose cache entry is made first if missing). The clean lines are in no
    particular order and keep their ``line_no`` (:func:`load_clean` reads them sorted). Only lines that
    Parquet cannot hold (a column of mixed Python types) are cleaned in memory.
    """
    entry, lines = classified_entry(source, columns=columns, **options)
    for name, write in (("clean", exclusions.write_clean_lines), ("excluded", exclusions.write_excluded_lines)):
        if not (entry / f"{name}.parquet").exists():
            publish_file(entry / f"{name}.parquet", functools.partial(write, lines, entry / "dropped.parquet"))
    return entry


def classified_entry(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **options
                     ) -> tuple[Path, Path]:
    """:func:`cache_entry` without writing the clean and the excluded lines if they are not there yet:
    the folder, with ``dropped.parquet`` (the excluded lines' ``line_no`` and rule), the log and the
    types, and the Parquet order lines it was cleaned from.

    The clean lines are then those lines without the dropped ones
    (:func:`segkit.engine.exclusions.clean_view`): a customer table needs one pass over them, and copying
    the lines is most of the cleaning's time. The lines are the file itself (canonical Parquet) or
    the front door's cache entry of it. Lines cleaned in memory (a column of mixed Python types) have
    ``clean.parquet`` and ``excluded.parquet`` written at once, and no Parquet lines: the path
    returned for them does not exist.
    """
    path = Path(source)
    key, reading, cleaning, in_engine = _clean_key(path, columns, options)
    lines = path if in_engine else _lines_key(path, columns, reading) / "lines.parquet"
    written = all((key / name).exists() for name in ("clean.parquet", "excluded.parquet"))
    if key.exists() and (written or lines.exists()):
        return key, lines
    if not in_engine and not lines.is_file():
        read = read_file(path, columns=columns, **reading)  # caches the lines as read, if Parquet can hold them
        if not lines.is_file():  # it cannot (a column of mixed Python types): clean them in memory
            split = split_transactions(read.lines, **cleaning)
            publish(key, lambda staging: _write_split(split, staging))
            return key, lines
    if not key.exists():
        like = sources.parquet_files(path)[0] if in_engine else lines
        publish(key, lambda staging: _clean_file(lines, staging, cleaning, like=like))
    return key, lines


def clean_of(entry: Path, lines: Path, con: duckdb.DuckDBPyConnection) -> Path | duck.View:
    """The clean lines of a :func:`classified_entry` (``entry`` and its ``lines``): its ``clean.parquet``
    if written, else a view on ``con`` of the lines without the dropped ones."""
    clean = entry / "clean.parquet"
    return clean if clean.exists() else duck.View(exclusions.clean_view(con, lines, entry / "dropped.parquet"))


def _clean_key(path: Path, columns: Mapping[str, str] | None, options: dict) -> tuple[Path, dict, dict, bool]:
    """The clean entry's folder, the reading and the cleaning options (defaults filled in), and whether
    the engine cleans the file as it is (canonical Parquet) rather than as the front door reads it."""
    reading, cleaning = _split_options(options)
    cleaning = {**CLEANING_DEFAULTS, **cleaning}
    cleaning["test_accounts"] = tuple(cleaning["test_accounts"])
    in_engine = not columns and sources.canonical_parquet(path)
    files = sources.parquet_files(path) if path.is_dir() else [path]
    key = _cache_key(files, {"columns": dict(columns or {}), **reading, **cleaning})
    return key, reading, cleaning, in_engine


def cleaning_counts(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **options
                    ) -> tuple[pd.DataFrame, dict]:
    """:func:`load_clean`'s quality log of the file ``source`` and its clean lines' totals (see
    :func:`segkit.data.clean.clean_counts`): from the cache entry if it was made, else counted in the
    engine on the lines as read, without making an entry, so that trying other options costs one pass
    over the lines and no disk."""
    path = Path(source)
    key, reading, cleaning, in_engine = _clean_key(path, columns, options)
    if key.exists():
        con = database.session()
        clean = clean_of(*classified_entry(path, columns=columns, **options), con)
        return pd.read_parquet(key / "log.parquet"), duck.clean_totals(clean, connection=con)
    lines = path if in_engine else read_entry(path, columns=columns, **reading).lines
    return clean_counts(lines, **cleaning)


def _clean_file(lines: Path, folder: Path, cleaning: dict, *, like: Path) -> None:
    """Clean Parquet order lines into ``folder`` (``dropped.parquet`` and the log: the clean and the
    excluded lines are written by :func:`cache_entry` when asked for), with ``dtypes.parquet``: no rows, the schema of ``like``,
    so that the lines come back in the pandas types they were read in (the front door's, or those
    pandas gives the Parquet file itself), not in the types DuckDB writes."""
    clean_parquet(lines, folder, **cleaning, write_lines=False).to_parquet(folder / "log.parquet", index=False)
    pq.write_table(pq.read_schema(like).empty_table(), folder / "dtypes.parquet")


def _as_read(frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """``frame``'s columns in the pandas types of the lines as read, when the entry records them."""
    if not (folder / "dtypes.parquet").exists():
        return frame
    return database.typed(frame, pd.read_parquet(folder / "dtypes.parquet").dtypes)


def read_file(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, cache: bool = True,
              **reading) -> Transactions:
    """:func:`read_transactions` of a file, cached under ``data/interim/`` as Parquet.

    The key is the file's content hash, the column map, the reading options and the version of
    segkit's code, as for :func:`load_clean`; the lines and the decisions come back as
    :func:`read_transactions` returned them (same columns, dtypes and row order). Lines that
    Parquet cannot hold as they are (a column of mixed Python types) are returned uncached.

    Parameters
    ----------
    source : path
        The file, as for :func:`read_transactions`.
    columns : mapping, optional
        Raw column name -> canonical name.
    cache : bool, default True
        False reads the file without the cache.
    **reading
        ``encoding``, ``delimiter``, ``decimal``, ``thousands``, ``date_format``, ``sheet``.

    Returns
    -------
    Transactions
    """
    path = Path(source)
    reading = {k: v for k, v in reading.items() if v not in (None, "")}
    if not cache or not path.is_file():
        return read_transactions(path, columns=columns, **reading)
    key = _lines_key(path, columns, reading)
    if not key.exists():
        read = read_transactions(path, columns=columns, **reading)
        try:
            publish(key, lambda staging: _write_read(read, staging))
        except (ValueError, TypeError, ArrowException):  # a column Parquet cannot hold as it is: serve it uncached
            return read
        return read
    return Transactions(pd.read_parquet(key / "lines.parquet"), pd.read_parquet(key / "decisions.parquet"))


def read_entry(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **reading) -> Transactions:
    """:func:`read_file` of the file ``source`` with the lines left in the cache: ``lines`` is the path of
    their Parquet file (read and cached first if missing), ``decisions`` how the file was read. Lines
    that Parquet cannot hold (a column of mixed Python types) come back as the frame itself."""
    path = Path(source)
    reading = {k: v for k, v in reading.items() if v not in (None, "")}
    if not path.is_file():  # no file to key a cache entry by: read_file reads it, or says why it cannot
        return read_file(path, columns=columns, **reading)
    key = _lines_key(path, columns, reading)
    if not key.exists():
        read = read_file(path, columns=columns, **reading)
        if not key.exists():
            return read
    return Transactions(key / "lines.parquet", pd.read_parquet(key / "decisions.parquet"))


def _lines_key(path: Path, columns: Mapping[str, str] | None, reading: dict) -> Path:
    return _cache_key([path], {"columns": dict(columns or {}), **reading}, kind="lines")


def _write_read(read: Transactions, folder: Path) -> None:
    read.lines.to_parquet(folder / "lines.parquet")
    read.decisions.to_parquet(folder / "decisions.parquet")


def load_clean(
    source: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    cache: bool = True,
    **options,
) -> Cleaned:
    """:func:`read_transactions` then :func:`clean_transactions`, cached under ``data/interim/``.

    Reading options (``encoding``, ``delimiter``, ``decimal``, ``thousands``, ``date_format``,
    ``sheet``) go to :func:`read_transactions`, the rest to :func:`clean_transactions`. The
    cache key is the file's content hash, every option and the version of this package's
    code, so a changed file, option or rule is never served stale.

    Returns the named pair ``(clean, log)`` of :func:`clean_transactions`. How the file was
    read is :func:`read_transactions`' ``decisions``, the one place that records it.
    """
    if cache and Path(source).is_file():
        return _read_entry(cache_entry(source, columns=columns, **options))
    reading, cleaning = _split_options(options)
    return clean_transactions(read_transactions(source, columns=columns, **reading).lines, **cleaning)


def load_split(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **options) -> Split:
    """:func:`load_clean` plus the excluded lines: :func:`segkit.data.split_transactions` of the file,
    from the same cache entry (made first if missing).

    Returns the named triple ``(clean, excluded, log)``; ``excluded`` is indexed by each line's
    position in the lines as read (:func:`read_file`), as ``split_transactions`` indexes it.
    Order lines in Parquet that the engine cleans itself (see :func:`cache_entry`) are numbered
    by file and row instead.
    """
    folder = cache_entry(source, columns=columns, **options)
    excluded = _as_read(pd.read_parquet(folder / "excluded.parquet"), folder)
    excluded.index = pd.Index(excluded.pop("line_no").to_numpy())
    clean, log = _read_entry(folder)
    return Split(clean, excluded, log)


def _read_entry(folder: Path) -> Cleaned:
    clean = _as_read(exclusions.read_in_order(folder / "clean.parquet"), folder)
    return Cleaned(clean, pd.read_parquet(folder / "log.parquet"))


def _write_split(split: Split, folder: Path) -> None:
    split.clean.to_parquet(folder / "clean.parquet", index=False)
    split.excluded.assign(line_no=split.excluded.index.to_numpy()).to_parquet(folder / "excluded.parquet",
                                                                             index=False)
    split.log.to_parquet(folder / "log.parquet", index=False)
