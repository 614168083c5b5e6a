"""Input checks shared by the RFM modules: score scale and customer-table columns.

Public functions call these once, at the boundary; what they call internally trusts its input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from segkit.data import check_customer_table
from segkit.errors import DataError


def _check_bins(bins: int) -> int:
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise DataError(
            f"bins={bins!r} cannot make a score scale: it must be a whole number of at least 2. "
            "Use bins=5 (the usual quintiles) or bins=3 for small or heavily tied data."
        )
    return int(bins)


#: What to do when the score table lacks R, F or M.
_SCORES_FIX = "score the customers first with segkit.rfm.rfm_scores(customers)"


def _check_customers(customers: pd.DataFrame, columns: Sequence[str], *,
                     fix: str = "build it with segkit.data.customer_table(clean)") -> None:
    """Validate the customer-table columns this module reads; raise DataError naming problem and fix.

    The shared checks (a non-empty DataFrame with ``columns``) are
    :func:`segkit.data.check_customer_table`'s; RFM adds unique ids, numeric finite values and
    the minimum of each raw column.
    """
    check_customer_table(customers, columns, fix=fix)
    if customers.index.has_duplicates:
        dup = customers.index[customers.index.duplicated()][:3].tolist()
        raise DataError(
            f"customer ids must be unique, but {int(customers.index.duplicated().sum())} are repeated "
            f"(e.g. {dup}); aggregate to one row per customer with segkit.data.customer_table."
        )
    for col in columns:
        _check_numeric(customers, col)
    if "days_since_last_purchase" in columns:
        _check_min(customers, "days_since_last_purchase", 0, "the snapshot date is before the last purchase; "
                   "pass a later snapshot_date to segkit.data.customer_table")
    if "n_orders" in columns:
        _check_min(customers, "n_orders", 1, "every customer in the table needs at least one order; "
                   "drop customers without orders")
    if "revenue" in columns:
        _check_min(customers, "revenue", 0, "returns exceed purchases for these customers; drop them or "
                   "clean with segkit.data.clean_transactions so that net revenue is positive")
    if "tenure_days" in columns and "days_since_last_purchase" in columns:
        bad = customers["tenure_days"].to_numpy(float) < customers["days_since_last_purchase"].to_numpy(float)
        if bad.any():
            raise DataError(
                f"{int(bad.sum())} customers have tenure_days smaller than days_since_last_purchase "
                f"(e.g. {customers.index[bad][:3].tolist()}): the first purchase cannot be after the last; "
                "rebuild the table with segkit.data.customer_table."
            )


def _check_numeric(customers: pd.DataFrame, col: str) -> None:
    series = customers[col]
    if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
        raise DataError(
            f"column {col!r} must be numeric but has dtype {series.dtype}; convert it with "
            f"pd.to_numeric(customers[{col!r}]) or rebuild the table with segkit.data.customer_table."
        )
    values = series.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(
            f"column {col!r} has {int(bad.sum())} missing or infinite values "
            f"(e.g. customers {customers.index[bad][:3].tolist()}); fill or drop those customers first."
        )


def _check_min(customers: pd.DataFrame, col: str, minimum: float, fix: str) -> None:
    values = customers[col].to_numpy(dtype=float)
    bad = values < minimum
    if bad.any():
        raise DataError(
            f"column {col!r} must be >= {minimum}, but {int(bad.sum())} customers are below "
            f"(min {values.min():g}, e.g. {customers.index[bad][:3].tolist()}): {fix}."
        )


def _check_scores(scores: pd.DataFrame, bins: int, *, columns: Sequence[str] = ()) -> None:
    """Scores on 1..``bins``: a non-empty table with ``R``, ``F``, ``M`` (and ``columns``), each within 1..bins."""
    if not isinstance(scores, pd.DataFrame) or len(scores) == 0:
        raise DataError(f"the scores must be a non-empty DataFrame; {_SCORES_FIX}.")
    missing = [c for c in ["R", "F", "M", *columns] if c not in scores.columns]
    if missing:
        raise DataError(f"the scores lack column(s) {missing}; {_SCORES_FIX}.")
    for dim in "RFM":
        values = scores[dim].to_numpy()
        if values.min() < 1 or values.max() > bins:
            raise DataError(
                f"score column {dim!r} has values outside 1..{bins} (min {values.min()}, max {values.max()}); "
                "pass the bins the scores were made with."
            )
