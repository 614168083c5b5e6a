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
  orders score 5). Rank scores are reproduced exactly by cut points too: :meth:`RFMScale.fit`
  returns them (:class:`RFMScale`), so another snapshot can be scored on the same scale with
  ``rfm_segments(other, bins=scale.bins, thresholds=scale.thresholds)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.engine import duck
from segkit.errors import DataError
from segkit.rfm._validation import _check_bins, _check_customers, _check_scores
from segkit.rfm.text import _example_cuts, _level_note

#: Score name -> the customer-table column it is computed from.
RAW_COLUMNS: dict[str, str] = {"R": "days_since_last_purchase", "F": "n_orders", "M": "revenue"}

_LOWER_IS_BETTER = {"R": True, "F": False, "M": False}


class RFMWarning(UserWarning):
    """A score dimension cannot support the requested number of levels, or a fallback was used."""


def _goodness(values: np.ndarray, dim: str) -> np.ndarray:
    """Values oriented so that higher is better."""
    return -values if _LOWER_IS_BETTER[dim] else values


@dataclass(frozen=True)
class RFMScale:
    """The score scale: the number of levels and the cut points that turn raw values into scores.

    Rank scores and fixed thresholds both come down to cut points, so a scale fitted on one
    customer table scores any other table the same way, without refitting:
    ``rfm_segments(other, bins=scale.bins, thresholds=scale.thresholds)``. The fields are
    plain data (an int, floats and strings), so ``dataclasses.asdict(scale)`` can be saved.

    Attributes
    ----------
    bins : int
        Number of score levels.
    thresholds : dict of str to tuple of float
        ``bins - 1`` cut points per dimension ``"R"``, ``"F"``, ``"M"``, ascending, in the
        column's own units, with the meaning of :func:`~segkit.rfm.rfm_segments`'
        ``thresholds``: upper bounds in days for R, lower bounds for F and M. An empty level
        shares its cut point with the next one; levels above the best customer have an
        infinite cut point (``-inf`` days, ``inf`` orders or money).
    scoring : dict of str to str
        Per dimension, ``"rank"`` (cut points learned from the customers' ranks) or
        ``"thresholds"`` (given).

    Examples
    --------
    >>> customers = pd.DataFrame(
    ...     {"days_since_last_purchase": [3, 40, 200, 400], "n_orders": [5, 1, 1, 2],
    ...      "revenue": [500.0, 40.0, 80.0, 60.0]}, index=["a", "b", "c", "d"])
    >>> scale = RFMScale.fit(customers, bins=4, thresholds={"R": [30, 90, 365]})
    >>> scale.scoring["R"], scale.scoring["F"]
    ('thresholds', 'rank')

    F ranks 1, 1, 2, 5 orders as 1, 1, 3, 4: score 2 is empty (two of four customers tie on 1
    order), so 2 orders open both scores 2 and 3.

    >>> scale.thresholds["F"]
    (2.0, 2.0, 5.0)
    """

    bins: int
    thresholds: dict[str, tuple[float, ...]]
    scoring: dict[str, str]

    @classmethod
    def fit(
        cls,
        customers: pd.DataFrame,
        *,
        bins: int = 5,
        thresholds: Mapping[str, Sequence[float]] | None = None,
    ) -> RFMScale:
        """Learn the cut points of rank scores from ``customers`` (dimensions not in ``thresholds``).

        Parameters
        ----------
        customers : DataFrame
            Customer table with ``days_since_last_purchase``, ``n_orders`` and ``revenue``.
        bins, thresholds
            As in :func:`~segkit.rfm.rfm_segments`.

        Raises
        ------
        DataError
            As :func:`~segkit.rfm.rfm_segments` for unusable columns, ``bins`` or ``thresholds``.
        """
        bins = _check_bins(bins)
        _check_customers(customers, list(RAW_COLUMNS.values()))
        return _fit_scale(customers, bins, _check_thresholds(thresholds, bins, n_customers=len(customers)))


def _fit_scale(customers: pd.DataFrame, bins: int, fixed: dict[str, np.ndarray]) -> RFMScale:
    """:meth:`RFMScale.fit` of checked input: given cut points kept, the others learned from ranks.

    Rank cut points come from the engine (:func:`segkit.engine.duck.rfm_cuts`): ``cut_k`` is the
    smallest goodness that scores at least ``k``, ``inf`` when no customer does.
    """
    ranked = duck.rfm_cuts(customers, bins=bins) if len(fixed) < len(RAW_COLUMNS) else {}
    cuts, scoring = {}, {}
    for dim in RAW_COLUMNS:
        if dim in fixed:
            cuts[dim], scoring[dim] = tuple(float(c) for c in fixed[dim]), "thresholds"
        else:
            cuts[dim] = tuple(sorted(float(c) for c in _goodness(np.asarray(ranked[dim], dtype=float), dim)))
            scoring[dim] = "rank"
    return RFMScale(bins, cuts, scoring)


def _score(customers: pd.DataFrame, scale: RFMScale) -> pd.DataFrame:
    """The three raw columns and the scores on ``scale``: 1 + the number of cut points at or below the value
    (in goodness), computed in the engine (:func:`segkit.engine.duck.rfm_scores`)."""
    out = customers[list(RAW_COLUMNS.values())].copy()
    goodness_cuts = {dim: np.sort(_goodness(np.asarray(scale.thresholds[dim], dtype=float), dim)).tolist()
                     for dim in RAW_COLUMNS}
    scores = duck.rfm_scores(customers, goodness_cuts)
    for dim in RAW_COLUMNS:
        out[dim] = scores[dim].to_numpy()
    return out


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

    The scores alone; :func:`~segkit.rfm.rfm_segments` adds the segments and the other views.

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
        Same index; the three raw columns and integer scores ``R``, ``F``, ``M``. The cut points
        that reproduce these scores are :meth:`RFMScale.fit`'s.

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
    scale = RFMScale.fit(customers, bins=bins, thresholds=thresholds)
    out = _score(customers, scale)
    if warn:
        _warn_levels(out, scale, stacklevel=3)  # pragma: no mutate (stacklevel: mutmut adds frames)
    return out


def _warn_levels(scores: pd.DataFrame, scale: RFMScale, *, stacklevel: int) -> None:
    """Warn for rank-scored dimensions that use fewer levels than requested (fixed scales only report)."""
    report = _score_report(scores, scale.bins, scale.scoring)
    for note in report.loc[(report["scoring"] == "rank") & (report["note"] != ""), "note"]:
        warnings.warn(note, RFMWarning, stacklevel=stacklevel)


def score_report(
    scores: pd.DataFrame, *, bins: int = 5, thresholds: Mapping[str, Sequence[float]] | None = None
) -> pd.DataFrame:
    """How many distinct score levels each dimension really got, with a plain-words note.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`~segkit.rfm.rfm_segments` (or of :func:`rfm_scores`).
    bins, thresholds
        The ``bins`` and ``thresholds`` the scores were made with; dimensions in ``thresholds``
        had fixed cut points, the others rank scores (only the keys are read).

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
    bins = _check_bins(bins)
    _check_scores(scores, bins, columns=list(RAW_COLUMNS.values()))
    unknown = [k for k in (thresholds or {}) if k not in RAW_COLUMNS]
    if unknown:
        raise DataError(f"thresholds has unknown key(s) {unknown}; use 'R', 'F' and/or 'M'.")
    scoring = {dim: "thresholds" if dim in (thresholds or {}) else "rank" for dim in RAW_COLUMNS}
    return _score_report(scores, bins, scoring)


def _score_report(scores: pd.DataFrame, bins: int, scoring: Mapping[str, str]) -> pd.DataFrame:
    """:func:`score_report` of checked scores (no validation here)."""
    rows = {}
    for dim, col in RAW_COLUMNS.items():
        used = np.unique(scores[dim].to_numpy())
        counts = scores[col].value_counts(sort=True)
        top_value, top_share = counts.index[0], counts.iloc[0] / len(scores)
        rows[dim] = {
            "column": col,
            "scoring": scoring[dim],
            "levels_requested": bins,
            "levels_used": len(used),
            "scores_used": ", ".join(str(s) for s in used),
            "most_common_value": float(top_value),
            "most_common_share": round(float(top_share), 3),
            "note": _level_note(dim, col, scoring[dim], bins, used, top_value, top_share, len(counts)),
        }
    report = pd.DataFrame.from_dict(rows, orient="index")
    report.index.name = "dimension"
    return report
