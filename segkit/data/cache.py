"""Read then clean, cached under ``data/interim/`` by content hash, options and code version."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Mapping
import functools
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
    return INTERIM_DIR / f"clean-{digest.hexdigest()[:20]}.pkl"


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
    reading = {k: options.pop(k) for k in READING_OPTIONS if options.get(k) not in (None, "")}
    options = {k: v for k, v in options.items() if k not in READING_OPTIONS}
    key = _cache_key(path, {"columns": dict(columns or {}), **reading, **options}) if cache and path.is_file() else None
    if key is not None and key.exists():
        with open(key, "rb") as handle:
            return pickle.load(handle)
    read = read_transactions(path, columns=columns, **reading)
    clean, log = clean_transactions(read.lines, **options)
    log.attrs["reading"] = read.decisions.to_dict("records")
    if key is not None:
        _atomic_pickle((clean, log), key)
    return clean, log


def _atomic_pickle(obj: object, path: Path) -> None:
    """Write then rename, so notebooks running in parallel never read a half-written cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
        pickle.dump(obj, handle)
    os.replace(handle.name, path)
