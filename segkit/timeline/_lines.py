"""The one boundary check of the timeline functions: clean order lines before a snapshot day.

Public functions of :mod:`segkit.timeline` call :func:`_lines` once; what they call inside trusts its output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.data.customers import resolve_snapshot
from segkit.errors import DataError

_NEEDED: tuple[str, ...] = ("customer_id", "order_id", "order_date", "amount")
_FIX = "pass the clean lines of segkit.data.load_clean (or segkit.data.clean_transactions), not the raw file"


def _lines(clean: object, snapshot_date: object) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Lines dated before the snapshot day with a boolean ``is_return``, and the snapshot day.

    ``is_return`` is the clean frame's own column, or, when it has none, segkit's rule: a negative
    quantity or amount. The snapshot is :func:`segkit.data.customers.resolve_snapshot`'s: the day
    after the last line unless given.

    Raises
    ------
    DataError
        Not a DataFrame, a missing column, dates that are not dates, missing ids, dates or amounts,
        or no purchase before the snapshot; the message says what to pass instead.
    """
    if not isinstance(clean, pd.DataFrame):
        raise DataError(f"expected the clean order lines as a pandas DataFrame, got {type(clean).__name__}; {_FIX}.")
    missing = [c for c in _NEEDED if c not in clean.columns]
    if missing:
        raise DataError(f"the order lines lack column(s) {missing} (they have {list(clean.columns)[:8]}); {_FIX}.")
    if not pd.api.types.is_datetime64_any_dtype(clean["order_date"]):
        raise DataError(
            f"column 'order_date' holds {clean['order_date'].dtype} values, not dates "
            f"(e.g. {clean['order_date'].head(2).tolist()}); {_FIX}: it reads dates once per column."
        )
    for col in ("customer_id", "order_date", "amount"):
        n_missing = int(clean[col].isna().sum())
        if n_missing:
            raise DataError(f"{n_missing} line(s) have no {col}; {_FIX}: cleaning removes and logs them.")
    if len(clean) == 0:
        raise DataError("there are no order lines; check the data path and the quality log of segkit.data.load_clean.")
    dates = clean["order_date"]
    snapshot = resolve_snapshot(dates.min(), dates.max(), snapshot_date)
    kept = clean.loc[dates.to_numpy() < snapshot.to_datetime64(), list(_NEEDED)].copy()
    kept["is_return"] = _is_return(clean.loc[kept.index])
    if not (~kept["is_return"]).any():
        raise DataError(
            f"no purchase is dated before the snapshot {snapshot.date()}: every line before it is a return. "
            "Choose a later snapshot_date or check the quality log."
        )
    return kept.reset_index(drop=True), snapshot


def _is_return(lines: pd.DataFrame) -> np.ndarray:
    if "is_return" in lines.columns:
        return lines["is_return"].to_numpy(dtype=bool)
    negative = lines["amount"].to_numpy(dtype=float) < 0
    if "quantity" in lines.columns:
        negative |= lines["quantity"].to_numpy(dtype=float) < 0
    return negative
