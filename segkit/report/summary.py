"""The data summary of the index: which file the reports were built from, and what cleaning kept."""

from __future__ import annotations

from pathlib import Path

from segkit.paths import project_path
from segkit.report.folders import shown


def data_summary(params: dict) -> dict[str, str]:
    """File, size, content hash and date range of the data the reports were built from."""
    import pandas as pd

    from segkit.data import excluded_rules
    from segkit.data.cache import cache_entry
    from segkit.engine import duck

    path = project_path(params["data_path"])
    entry = cache_entry(path, columns=params.get("column_map") or None, returns=params.get("returns", "net"),
                        **(params.get("reading") or {}))  # read and cleaned once: the notebooks read this entry
    clean = entry / "clean.parquet"  # the lines stay in the engine: only counts come back
    span = duck.span(clean)
    log = pd.read_parquet(entry / "log.parquet")
    rows_in = span["n_lines"] + int(excluded_rules(log)["rows"].sum())  # every excluded line is under one rule
    return {
        "file": shown(path),
        "size": f"{path.stat().st_size / 1e6:.1f} MB",
        "sha256": (file_sha256(path) or "")[:12],
        "date range": f"{span['first']:%Y-%m-%d} to {span['last']:%Y-%m-%d}",
        "rows in / kept": f"{rows_in:,} / {span['n_lines']:,}",
        "customers kept": f"{duck.customer_count(clean):,}",
    }


def safe_data_summary(params: dict) -> dict[str, str]:
    """:func:`data_summary`, or the file and the error when the data cannot be read or summarised."""
    try:
        return data_summary(params)
    except Exception as error:  # the index is written all the same, with the error in place of the summary
        return {"file": str(params.get("data_path", "")), "error": f"{type(error).__name__}: {error}"}


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file (:func:`segkit.memo.content_hash`); None when it cannot be read."""
    from segkit.memo import content_hash

    try:
        return content_hash(path)
    except OSError:
        return None
