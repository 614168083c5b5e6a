"""Read then clean, cached under ``data/interim/`` by content hash, options and code version.

A cache entry is a folder of Parquet files, the clean lines and the quality log (and the excluded
lines, when the engine cleaned the file itself): nothing is unpickled from disk.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from segkit.data.clean import Cleaned, clean_parquet, clean_transactions
from segkit.data.load import read_transactions
from segkit.engine import duck
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


def _cache_key(files: list[Path], options: dict) -> Path:
    digest = hashlib.sha256()
    for path in files:
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
    those of :func:`load_clean`. Order lines already in segkit's columns and types in Parquet (a
    file or a folder of files, see :func:`segkit.engine.duck.canonical_parquet`) are cleaned by
    the engine file to file, never read into pandas; such an entry also holds ``excluded.parquet``.
    """
    path = Path(source)
    reading, cleaning = _split_options(options)
    in_engine = not columns and duck.canonical_parquet(path)
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    key = _cache_key(files, {"columns": dict(columns or {}), **reading, **cleaning})
    if key.exists():
        return key
    if in_engine:
        _publish(key, lambda staging: clean_parquet(path, staging, **cleaning).to_parquet(staging / "log.parquet",
                                                                                         index=False))
    else:
        cleaned = clean_transactions(read_transactions(path, columns=columns, **reading).lines, **cleaning)
        _publish(key, lambda staging: _write_cleaned(cleaned, staging))
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


def _write_cleaned(cleaned: Cleaned, folder: Path) -> None:
    cleaned.clean.to_parquet(folder / "clean.parquet", index=False)
    cleaned.log.to_parquet(folder / "log.parquet", index=False)


def _publish(folder: Path, write: Callable[[Path], None]) -> None:
    """``write`` into a temporary folder, then rename it to ``folder``, so that notebooks running in
    parallel never read half an entry."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, suffix=".tmp"))
    try:
        write(staging)
        os.replace(staging, folder)
    except OSError:  # another process wrote the same entry first
        if not folder.exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
