"""RFM scores: recency, frequency and monetary value, each from 1 to ``bins`` (higher is always better).

RFM ranks customers on three questions: how **R**ecently did they buy
(``days_since_last_purchase``, fewer days is better), how **F**requently
(``n_orders``) and for how much **M**oney (``revenue``). Each dimension becomes a score
from 1 to ``bins`` where higher is always better.

Choices made here (and why)
---------------------------
* **Tie-aware rank scores.** ``score = 1 + floor(bins × share of customers strictly
  worse)``. Customers with the same value always share a score, the lowest value
  always scores 1, and without ties the bins hold equal numbers of customers. When
  ties are heavy (most customers have 1 or 2 orders) some score levels cannot be
  filled; they stay empty instead of being filled by arbitrary tie-breaking, and
  :func:`score_report` / a :class:`RFMWarning` say so in plain words.
* **Fixed thresholds** are an alternative per dimension: ``thresholds={"R": [30, 90,
  180, 365]}`` means "≤ 30 days scores 5, ≤ 90 scores 4, …, more than 365 scores 1";
  for F and M the cut points are lower bounds (``{"F": [2, 3, 5, 10]}``: 10 or more
  orders score 5). The cut points that reproduce rank scores are returned in
  ``attrs["rfm"]["thresholds"]``, so another snapshot can be scored on the same scale.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from segkit.errors import DataError
from segkit.rfm._validation import _bins_of, _check_bins, _check_customers
from segkit.rfm.text import _example_cuts, _level_note

#: Score name -> the customer-table column it is computed from.
RAW_COLUMNS: dict[str, str] = {"R": "days_since_last_purchase", "F": "n_orders", "M": "revenue"}

_LOWER_IS_BETTER = {"R": True, "F": False, "M": False}


class RFMWarning(UserWarning):
    """A score dimension cannot support the requested number of levels, or a fallback was used."""


def _goodness(values: np.ndarray, dim: str) -> np.ndarray:
    """Values oriented so that higher is better."""
    return -values if _LOWER_IS_BETTER[dim] else values


def _rank_scores(good: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Tie-aware rank scores of ``good`` (higher better) and the cut points that reproduce them.

    Returns ``(scores, cuts)`` where ``cuts[k-1]`` is the smallest goodness scoring at least
    ``k+1`` (``inf`` when no customer does).
    """
    ordered = np.sort(good)
    n_worse = np.searchsorted(ordered, good, side="left")
    scores = (n_worse * bins) // len(good) + 1
    sorted_scores = (np.searchsorted(ordered, ordered, side="left") * bins) // len(good) + 1
    first = np.searchsorted(sorted_scores, np.arange(2, bins + 1), side="left")
    cuts = np.where(first < len(ordered), ordered[np.minimum(first, len(ordered) - 1)], np.inf)
    return scores, cuts


def _threshold_scores(good: np.ndarray, cuts_good: np.ndarray) -> np.ndarray:
    """Score = 1 + number of cut points (in goodness units) at or below the value."""
    return np.searchsorted(np.sort(cuts_good), good, side="right") + 1


def _check_thresholds(
    thresholds: Mapping[str, Sequence[float]] | None, bins: int, *, n_customers: int
) -> dict[str, np.ndarray]:
    if n_customers < 2 and (thresholds is None or set(thresholds) != set(RAW_COLUMNS)):
        raise DataError(
            "rank scores compare customers with each other, but the table has only 1 customer; "
            "pass fixed thresholds for R, F and M (e.g. thresholds={'R': [30, 90, 180, 365], ...}) "
            "or score a larger table."
        )
    if thresholds is None:
        return {}
    if not isinstance(thresholds, Mapping):
        raise DataError(
            f"thresholds must be a mapping like {{'R': [30, 90, 180, 365]}}, got {type(thresholds).__name__}."
        )
    unknown = [k for k in thresholds if k not in RAW_COLUMNS]
    if unknown:
        raise DataError(f"thresholds has unknown key(s) {unknown}; use 'R', 'F' and/or 'M'.")
    checked = {}
    for dim, cuts in thresholds.items():
        arr = np.asarray(list(cuts), dtype=float)
        if arr.ndim != 1 or len(arr) != bins - 1:
            raise DataError(
                f"thresholds[{dim!r}] has {arr.size} cut points but bins={bins} needs {bins - 1} "
                f"(one fewer than the number of scores), e.g. {_example_cuts(dim, bins)}."
            )
        if np.isnan(arr).any():
            raise DataError(f"thresholds[{dim!r}] contains NaN; give {bins - 1} numbers.")
        checked[dim] = np.sort(arr)
    return checked


def rfm_scores(
    customers: pd.DataFrame,
    *,
    bins: int = 5,
    thresholds: Mapping[str, Sequence[float]] | None = None,
    warn: bool = True,
) -> pd.DataFrame:
    """Score recency, frequency and monetary value from 1 to ``bins`` (higher is always better).

    Parameters
    ----------
    customers : DataFrame
        Customer table indexed by ``customer_id`` with ``days_since_last_purchase``,
        ``n_orders`` and ``revenue`` (as made by ``segkit.data.customer_table``).
    bins : int, default 5
        Number of score levels (at least 2).
    thresholds : mapping, optional
        Fixed cut points per dimension instead of rank scores, ``bins - 1`` numbers each.
        ``"R"`` in days, upper bounds: ``[30, 90, 180, 365]`` → ≤ 30 days scores 5 … > 365
        scores 1. ``"F"`` and ``"M"`` lower bounds: ``{"F": [2, 3, 5, 10]}`` → 10+ orders
        score 5, 1 order scores 1. Dimensions not given are rank-scored.
    warn : bool, default True
        Emit an :class:`RFMWarning` when a rank-scored dimension uses fewer than ``bins``
        levels (fixed-threshold dimensions only report it in :func:`score_report`).

    Returns
    -------
    DataFrame
        Same index; the three raw columns and integer scores ``R``, ``F``, ``M``.
        ``attrs["rfm"]`` holds ``bins``, the scoring method per dimension and the cut
        points (``thresholds``) that reproduce these scores on other data.

    Raises
    ------
    DataError
        Missing/non-numeric/negative columns, ``bins < 2``, bad thresholds, or rank
        scoring of a single customer.

    Examples
    --------
    >>> customers = pd.DataFrame(
    ...     {"days_since_last_purchase": [3, 40, 200, 400], "n_orders": [5, 1, 1, 2],
    ...      "revenue": [500.0, 40.0, 80.0, 60.0]}, index=["a", "b", "c", "d"])
    >>> rfm_scores(customers, bins=4, warn=False)[["R", "F", "M"]].to_numpy().tolist()
    [[4, 4, 4], [3, 1, 1], [2, 1, 3], [1, 3, 2]]
    >>> rfm_scores(customers, bins=2, thresholds={"R": [30]}, warn=False)["R"].tolist()
    [2, 1, 1, 1]
    """
    bins = _check_bins(bins)
    _check_customers(customers, list(RAW_COLUMNS.values()))
    fixed = _check_thresholds(thresholds, bins, n_customers=len(customers))
    out = _score(customers, bins, fixed)
    if warn:
        _warn_levels(out, stacklevel=3)
    return out


def _score(customers: pd.DataFrame, bins: int, fixed: dict[str, np.ndarray]) -> pd.DataFrame:
    out = customers[list(RAW_COLUMNS.values())].copy()
    info: dict = {"bins": bins, "scoring": {}, "thresholds": {}}
    for dim, col in RAW_COLUMNS.items():
        good = _goodness(customers[col].to_numpy(dtype=float), dim)
        if dim in fixed:
            cuts_good = _goodness(fixed[dim], dim)
            scores = _threshold_scores(good, cuts_good)
            info["scoring"][dim] = "thresholds"
        else:
            scores, cuts_good = _rank_scores(good, bins)
            info["scoring"][dim] = "rank"
        out[dim] = scores.astype(np.int64)
        info["thresholds"][dim] = sorted(float(c) for c in _goodness(cuts_good, dim))
    out.attrs = {"rfm": info}
    return out


def _warn_levels(scores: pd.DataFrame, *, stacklevel: int) -> None:
    """Warn for rank-scored dimensions that use fewer levels than requested (fixed scales only report)."""
    report = _score_report(scores, scores.attrs["rfm"]["bins"])
    for note in report.loc[(report["scoring"] == "rank") & (report["note"] != ""), "note"]:
        warnings.warn(note, RFMWarning, stacklevel=stacklevel)


def score_report(scores: pd.DataFrame, *, bins: int | None = None) -> pd.DataFrame:
    """How many distinct score levels each dimension really got, with a plain-words note.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores` or :func:`rfm_segments`.
    bins : int, optional
        Requested levels; read from ``scores.attrs["rfm"]`` when omitted.

    Returns
    -------
    DataFrame
        One row per dimension: ``column``, ``scoring``, ``levels_requested``,
        ``levels_used``, ``scores_used``, ``most_common_value``, ``most_common_share``
        (fraction of customers) and ``note`` (empty when all levels are used).

    Examples
    --------
    >>> from segkit.datasets import example_customers
    >>> s = rfm_scores(example_customers(300, seed=0), warn=False)
    >>> score_report(s).loc["F", ["levels_requested", "levels_used"]].tolist()
    [5, 4]
    """
    return _score_report(scores, _bins_of(scores, bins))


def _score_report(scores: pd.DataFrame, bins: int) -> pd.DataFrame:
    """:func:`score_report` of checked scores (no validation here)."""
    scoring = scores.attrs.get("rfm", {}).get("scoring", {})
    rows = {}
    for dim, col in RAW_COLUMNS.items():
        used = np.unique(scores[dim].to_numpy())
        counts = scores[col].value_counts(sort=True)
        top_value, top_share = counts.index[0], counts.iloc[0] / len(scores)
        method = scoring.get(dim, "rank")
        rows[dim] = {
            "column": col,
            "scoring": method,
            "levels_requested": bins,
            "levels_used": len(used),
            "scores_used": ", ".join(str(s) for s in used),
            "most_common_value": float(top_value),
            "most_common_share": round(float(top_share), 3),
            "note": _level_note(dim, col, method, bins, used, top_value, top_share, len(counts)),
        }
    report = pd.DataFrame.from_dict(rows, orient="index")
    report.index.name = "dimension"
    return report
