"""The customer table and the quality log straight from a file: the order lines stay in the engine, never in pandas."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from segkit.data.cache import cache_entry, classified_entry, clean_of, cleaning_counts, read_entry
from segkit.data.customers import default_snapshot, resolve_snapshot
from segkit.data.load import Transactions
from segkit.engine import database, duck, views


def customer_table(
    source: str | os.PathLike,
    *,
    snapshot_date: str | pd.Timestamp | None = None,
    columns: Mapping[str, str] | None = None,
    **options,
) -> pd.DataFrame:
    """:func:`segkit.data.customer_table` of the file ``source``, read and cleaned as :func:`segkit.data.load_clean`
    does (same options, same cache), computed by DuckDB on the clean lines: the cached ``clean.parquet``
    if it was written, else the lines without the excluded ones, without writing a copy of them
    (:func:`segkit.data.cache.classified_entry`).

    Only the per-customer table comes back to Python, so the order lines are never held in one
    pandas frame once the file is in the cache (reading it the first time goes through the front
    door, :func:`segkit.data.read_transactions`). Equal to
    ``data.customer_table(data.load_clean(source, ...).clean, snapshot_date=...)``.
    """
    con = database.session()
    clean = clean_of(*classified_entry(source, columns=columns, **options), con)  # no copy of the lines is made
    at_end = duck.customer_days_at_end(clean, connection=con) if default_snapshot(snapshot_date) else None
    if at_end is not None:
        return duck.customer_table_from(*at_end)
    span = duck.span(clean, connection=con)
    snapshot = resolve_snapshot(span["first"], span["last"], snapshot_date)
    return duck.customer_table_from(duck.customer_days(clean, snapshot, connection=con), snapshot)


def clean_lines(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **options) -> Path:
    """The clean order lines of the file ``source`` as a Parquet file, read and cleaned as
    :func:`segkit.data.load_clean` does (same options, same cache), without loading them into pandas.

    Pass it where clean lines are asked for (:func:`segkit.data.calibration_holdout`,
    :func:`segkit.clv.holdout_validation`, :func:`segkit.clv.crm_export`, …): those functions
    compute on the file in the engine. Read it yourself with ``pd.read_parquet`` when it fits (lines
    cleaned by the engine come in no particular order, with their ``line_no`` in the source:
    :func:`segkit.data.load_clean` gives them sorted).
    """
    return cache_entry(source, columns=columns, **options) / "clean.parquet"


class CleaningLog(NamedTuple):
    """A cleaning's quality log and the totals of its clean lines; unpacks as ``log, totals = ...``.

    ``totals``: ``n_lines``, ``n_no_customer``, ``first`` and ``last`` order date and ``revenue`` (see
    :func:`segkit.engine.duck.clean_totals`).
    """

    log: pd.DataFrame
    totals: dict


def cleaning_log(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **options) -> CleaningLog:
    """:func:`segkit.data.load_clean`'s quality log of the file ``source``, and the totals of its clean lines
    instead of the lines, without loading the lines into pandas, so that cleaning options can be compared
    (``returns="drop"`` against ``"net"``, another ``outlier_z``) on a file of any size. Takes the options
    of :func:`segkit.data.load_clean`; read from its cache entry if one was made, else counted in the engine
    without writing the lines (:func:`segkit.data.cache.cleaning_counts`)."""
    return CleaningLog(*cleaning_counts(source, columns=columns, **options))


def read_lines(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **reading) -> Transactions:
    """The file ``source`` as the front door reads it (:func:`segkit.data.read_file`: same options, same
    cache), with its lines left in the engine: ``lines`` is the path of their Parquet file, to pass where
    lines are asked for (:func:`segkit.data.profile_transactions`, …), ``decisions`` how the file was read.
    Lines that Parquet cannot hold (a column of mixed Python types) come back as a frame."""
    return read_entry(source, columns=columns, **reading)


class ExportedLines(NamedTuple):
    """The files :func:`export_lines` wrote and how many lines each holds."""

    clean: Path
    excluded: Path
    n_clean: int
    n_excluded: int


def export_lines(
    source: str | os.PathLike,
    folder: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    **options,
) -> ExportedLines:
    """Write the clean and the excluded lines of the file ``source`` (read and cleaned as
    :func:`segkit.data.load_clean` does: same options, same cache) to ``folder`` as Parquet, without
    bringing them into pandas: ``clean_transactions.parquet`` in :func:`segkit.data.split_transactions`'
    order, and ``excluded_lines.parquet`` in source order, each line with its position in the lines as
    read (``source_line``) and the rule that excluded it (``excluded_by``)."""
    entry = cache_entry(source, columns=columns, **options)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clean, excluded = folder / "clean_transactions.parquet", folder / "excluded_lines.parquet"
    return ExportedLines(clean, excluded, views.write_clean(entry / "clean.parquet", clean),
                         views.write_excluded(entry / "excluded.parquet", excluded))
