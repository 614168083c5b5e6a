"""Read then clean, cached under ``data/interim/`` by content hash, options and code version.

A cache entry is a folder of two Parquet files, the clean lines and the quality log: nothing is
unpickled from disk.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from segkit.data.clean import Cleaned, clean_transactions
from segkit.data.load import read_transactions
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


def _cache_key(path: Path, options: dict) -> Path:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            digest.update(block)
    digest.update(repr((_code_version(), sorted((k, repr(v)) for k, v in options.items()))).encode())
    return INTERIM_DIR / f"clean-{digest.hexdigest()[:20]}"


def _split_options(options: dict) -> tuple[dict, dict]:
    """The reading options (empty ones dropped) and the cleaning options."""
    reading = {k: v for k, v in options.items() if k in READING_OPTIONS and v not in (None, "")}
    return reading, {k: v for k, v in options.items() if k not in READING_OPTIONS}


def cache_entry(source: str | os.PathLike, *, columns: Mapping[str, str] | None = None, **options) -> Path:
    """The cache folder of the file ``source`` read and cleaned with ``options``, made first if missing.

    It holds ``clean.parquet`` (the clean lines) and ``log.parquet`` (the quality log); the
    engine reads the clean lines from there without bringing them into pandas. The options are
    those of :func:`load_clean`.
    """
    path = Path(source)
    reading, cleaning = _split_options(options)
    key = _cache_key(path, {"columns": dict(columns or {}), **reading, **cleaning})
    if not key.exists():
        _write_entry(clean_transactions(read_transactions(path, columns=columns, **reading).lines, **cleaning), key)
    return key


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


def _read_entry(folder: Path) -> Cleaned:
    return Cleaned(pd.read_parquet(folder / "clean.parquet"), pd.read_parquet(folder / "log.parquet"))


def _write_entry(cleaned: Cleaned, folder: Path) -> None:
    """Write into a temporary folder, then rename it, so notebooks running in parallel never read half an entry."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, suffix=".tmp"))
    cleaned.clean.to_parquet(staging / "clean.parquet", index=False)
    cleaned.log.to_parquet(staging / "log.parquet", index=False)
    try:
        os.replace(staging, folder)
    except OSError:  # another process wrote the same entry first
        shutil.rmtree(staging, ignore_errors=True)
