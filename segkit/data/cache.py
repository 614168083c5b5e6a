"""load then clean, cached under data/interim/ by content hash and options."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from segkit.data.clean import clean_transactions
from segkit.data.load import load_transactions
from segkit.paths import INTERIM_DIR

def load_clean(
    source: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    cache: bool = True,
    **cleaning,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`load_transactions` then :func:`clean_transactions`, cached under ``data/interim/``.

    The cache key is the file's content hash and every option, so a changed file or option
    is never served stale. Options in ``cleaning`` go to :func:`clean_transactions`.
    """
    path = Path(source)
    key = None
    if cache and path.is_file():
        digest = hashlib.sha256(path.read_bytes())
        digest.update(repr((sorted((columns or {}).items()), encoding, sorted(cleaning.items()))).encode())
        key = INTERIM_DIR / f"clean-{digest.hexdigest()[:20]}.pkl"
        if key.exists():
            with open(key, "rb") as handle:
                return pickle.load(handle)
    result = clean_transactions(load_transactions(path, columns=columns, encoding=encoding), **cleaning)
    if key is not None:
        _atomic_pickle(result, key)
    return result


def _atomic_pickle(obj: object, path: Path) -> None:
    """Write then rename, so notebooks running in parallel never read a half-written cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
        pickle.dump(obj, handle)
    os.replace(handle.name, path)

