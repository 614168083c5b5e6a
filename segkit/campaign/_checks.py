"""Boundary checks shared by the campaign modules (private: inner code trusts its input)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from segkit.data import check_customer_table
from segkit.errors import DataError

_MAX_EXAMPLES = 5


def _examples(values) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:_MAX_EXAMPLES])
    return shown + (f" (and {len(values) - _MAX_EXAMPLES} more)" if len(values) > _MAX_EXAMPLES else "")


def _check_costs(**costs: float | Mapping[str, float] | pd.Series) -> None:
    """Raise DataError for a negative or missing cost; costs are amounts of money, >= 0."""
    for name, value in costs.items():
        raw = value.values() if isinstance(value, Mapping) else np.ravel(value)
        values = np.asarray(list(raw), dtype=float)
        bad = values[~(values >= 0)]
        if bad.size:
            raise DataError(
                f"{name} must be a non-negative amount of money, got {_examples(bad)}; "
                "pass 0 or a positive cost (a saving is not a negative cost: leave it out)"
            )


def _check_margin(margin: float) -> None:
    if not 0.0 < margin <= 1.0:
        raise DataError(f"margin is the share of revenue kept after cost of goods, in (0, 1]; got {margin}")


def _check_columns(frame: pd.DataFrame, needed, what: str, fix: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"{what} lacks column(s) {missing} (found {list(frame.columns)}); {fix}")


_SEGMENT_FIX = "add a per-customer segment column (e.g. segkit.rfm.rfm_segments) or pass segment_col="


def _segments(customers: pd.DataFrame, segment_col: str, *, needed=(), fix: str = _SEGMENT_FIX) -> pd.Series:
    """The segment column as an ordered categorical indexed by customer id (as strings).

    The one check of the customer table: it must have the ``needed`` columns and ``segment_col``
    (``fix`` says how to get them), and every customer a segment.
    """
    check_customer_table(customers, [*needed, segment_col], fix=fix)
    labels = customers[segment_col]
    n_missing = int(labels.isna().sum())
    if n_missing:
        raise DataError(
            f"{n_missing} customer(s) have no value in segment column {segment_col!r}; "
            "give them a segment (e.g. 'Unassigned') or drop them before the analysis"
        )
    if isinstance(labels.dtype, pd.CategoricalDtype):
        order = [str(c) for c in labels.cat.categories if (labels == c).any()]
    else:
        order = sorted(labels.astype(str).unique())
    out = pd.Categorical(labels.astype(str), categories=order)
    return pd.Series(out, index=customers.index.astype(str), name="segment")
