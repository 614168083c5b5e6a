"""Read then clean, cached under ``data/interim/`` by content hash, options and code version.

A cache entry is a folder of Parquet files (the clean lines and the quality log) and the log's
totals and reading decisions as JSON: nothing is unpickled from disk.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from segkit.data.clean import clean_transactions
from segkit.data.load import read_transactions
from segkit.paths import INTERIM_DIR

#: Options of :func:`segkit.data.read_transactions` that ``load_clean`` passes on.
READING_OPTIONS: tuple[str, ...] = ("encoding", "delimiter", "decimal", "thousands", "date_format", "sheet")


@functools.cache
def _code_version() -> str:
    """A hash of the data package's source: a change to reading or cleaning never serves a stale cache."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:12]


def _cache_key(path: Path, options: dict) -> Path:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            digest.update(block)
    digest.update(repr((_code_version(), sorted((k, repr(v)) for k, v in options.items()))).encode())
    return INTERIM_DIR / f"clean-{digest.hexdigest()[:20]}"


def load_clean(
    source: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    cache: bool = True,
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`read_transactions` then :func:`clean_transactions`, cached under ``data/interim/``.

    Reading options (``encoding``, ``delimiter``, ``decimal``, ``thousands``, ``date_format``,
    ``sheet``) go to :func:`read_transactions`, the rest to :func:`clean_transactions`. The
    cache key is the file's content hash, every option and the version of this package's
    code, so a changed file, option or rule is never served stale. The reading decisions are
    in ``log.attrs["reading"]`` (records of :func:`segkit.data.decisions_table`).
    """
    path = Path(source)
    reading = {k: v for k in READING_OPTIONS if (v := options.pop(k, None)) not in (None, "")}
    key = _cache_key(path, {"columns": dict(columns or {}), **reading, **options}) if cache and path.is_file() else None
    if key is not None and key.exists():
        return _read_entry(key)
    read = read_transactions(path, columns=columns, **reading)
    clean, log = clean_transactions(read.lines, **options)
    log.attrs["reading"] = read.decisions.to_dict("records")
    if key is not None:
        _write_entry(clean, log, key)
    return clean, log


def _read_entry(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    log = pd.read_parquet(folder / "log.parquet")
    log.attrs = json.loads((folder / "log_attrs.json").read_text(encoding="utf-8"))
    return pd.read_parquet(folder / "clean.parquet"), log


def _write_entry(clean: pd.DataFrame, log: pd.DataFrame, folder: Path) -> None:
    """Write into a temporary folder, then rename it, so notebooks running in parallel never read half an entry."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, suffix=".tmp"))
    clean.to_parquet(staging / "clean.parquet", index=False)
    log.to_parquet(staging / "log.parquet", index=False)
    (staging / "log_attrs.json").write_text(json.dumps(log.attrs), encoding="utf-8")
    try:
        os.replace(staging, folder)
    except OSError:  # another process wrote the same entry first
        shutil.rmtree(staging, ignore_errors=True)
