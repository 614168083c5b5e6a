"""Other views of the customers: value types, ABC tiers, lifecycle stages, and the playbook of actions."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.errors import DataError
from segkit.paths import RESOURCES_DIR
from segkit.rfm._validation import _SCORES_FIX, _check_customers
from segkit.rfm.scores import _LOWER_IS_BETTER, RAW_COLUMNS, RFMWarning

_DEFAULT_PLAYBOOK: Path = RESOURCES_DIR / "rfm_playbook.csv"
#: The classic eight RFM value types (M high = "important"; R, F high/low = value, development, retention, recovery).
VALUE_TYPES: list[str] = [
    "important value",
    "important development",
    "important retention",
    "important recovery",
    "general value",
    "general development",
    "general retention",
    "general recovery",
]
ABC_TIERS: list[str] = ["A", "B", "C"]
LIFECYCLE_STAGES: list[str] = ["new", "active", "at risk", "lapsed", "churned"]
_NO_REPEAT_BUYERS = ("no repeat buyers, so no typical gap between purchases can be learned; "
                     "lifecycle stages use fixed day thresholds instead (method='fixed').")


def value_types(
    customers: pd.DataFrame, *, center: str = "mean", basis: str = "values"
) -> pd.Series:
    """The eight classic RFM value types from R, F, M each high or low against the customer centre.

    "High" means strictly better than the centre (fewer days since the last purchase;
    more orders; more revenue). M high makes a customer *important*, otherwise
    *general*; R and F high/high = *value*, high/low = *development*, low/high =
    *retention*, low/low = *recovery*.

    Parameters
    ----------
    customers : DataFrame
        Customer table (``basis="values"``) or scores with ``R``, ``F``, ``M`` (``basis="scores"``).
    center : {"mean", "median"}
        The customer average to compare with. Revenue is skewed: the mean puts fewer
        customers in "high M" than the median.
    basis : {"values", "scores"}
        Compare raw values (the classic model) or the 1..bins scores.

    Returns
    -------
    Series
        Categorical ``value_type`` with the categories in :data:`VALUE_TYPES` order.

    Examples
    --------
    >>> from segkit.datasets import example_customers
    >>> value_types(example_customers(50, seed=3)).value_counts().sum()
    np.int64(50)
    """
    _check_value_options(center, basis)
    if basis == "values":
        _check_customers(customers, list(RAW_COLUMNS.values()))
    else:
        _check_customers(customers, ["R", "F", "M"], fix=_SCORES_FIX)
    return _value_types(customers, center, basis)


def _check_value_options(center: str, basis: str) -> None:
    if center not in {"mean", "median"}:
        raise DataError(f"center={center!r} is not supported; use 'mean' or 'median'.")
    if basis not in {"values", "scores"}:
        raise DataError(f"basis={basis!r} is not supported; use 'values' or 'scores'.")


def _value_types(customers: pd.DataFrame, center: str, basis: str) -> pd.Series:
    if basis == "values":
        cols, lower = RAW_COLUMNS, _LOWER_IS_BETTER
    else:
        cols, lower = {d: d for d in "RFM"}, dict.fromkeys("RFM", False)
    high = {}
    for dim, col in cols.items():
        x = customers[col].to_numpy(dtype=float)
        ref = x.mean() if center == "mean" else np.median(x)
        high[dim] = x < ref if lower[dim] else x > ref
    code = (~high["M"]) * 4 + (~high["R"]) * 2 + (~high["F"]) * 1
    return pd.Series(
        pd.Categorical.from_codes(code.astype(np.int64), categories=VALUE_TYPES),
        index=customers.index,
        name="value_type",
    )


def abc_tiers(revenue: pd.Series, *, a: float = 0.80, b: float = 0.95) -> pd.Series:
    """Pareto (ABC) tiers by share of revenue: A makes the first ``a`` of revenue, B up to ``b``, C the rest.

    Customers are ordered by revenue, largest first; a customer belongs to A when the
    revenue of all customers with strictly more revenue is below ``a`` of the total (so
    the customer crossing 80% is still A). Customers with equal revenue share a tier.

    Examples
    --------
    >>> abc_tiers(pd.Series([50.0, 30.0, 10.0, 6.0, 4.0])).tolist()
    ['A', 'A', 'B', 'B', 'C']
    """
    _check_abc(a, b)
    values = np.asarray(revenue, dtype=float)
    if len(values) == 0 or np.isnan(values).any() or (values < 0).any():
        raise DataError("ABC tiers need non-negative, non-missing revenue for at least one customer.")
    _check_revenue_total(values)
    index = revenue.index if isinstance(revenue, pd.Series) else None
    return _abc(values, a, b, index)


def _check_abc(a: float, b: float) -> None:
    if not 0 < a < b <= 1:
        raise DataError(f"ABC thresholds a={a}, b={b} must satisfy 0 < a < b <= 1; the usual are a=0.8, b=0.95.")


def _check_revenue_total(values: np.ndarray) -> None:
    if values.sum() <= 0:
        raise DataError(
            "total revenue is 0, so revenue shares (ABC tiers) are undefined; check the input or the returns handling."
        )


def _abc(values: np.ndarray, a: float, b: float, index: pd.Index | None) -> pd.Series:
    total = values.sum()
    ordered = np.sort(values)
    cum = np.cumsum(ordered)
    at_most = cum[np.searchsorted(ordered, values, side="right") - 1]
    share_before = (total - at_most) / total
    code = np.where(share_before < a, 0, np.where(share_before < b, 1, 2))
    return pd.Series(pd.Categorical.from_codes(code, categories=ABC_TIERS), index=index, name="abc_tier")


def lifecycle_stages(
    customers: pd.DataFrame,
    *,
    method: str = "gap",
    new_days: int = 60,
    gap_multiples: Sequence[float] = (1.5, 3.0, 6.0),
    day_thresholds: Sequence[float] = (60, 180, 365),
) -> pd.Series:
    """Lifecycle stage (new, active, at risk, lapsed, churned) from purchase timing.

    A customer is **new** when the first purchase is at most ``new_days`` before the
    snapshot. Otherwise the stage compares the days since the last purchase with:

    * ``method="gap"`` (default): the customer's typical gap between purchases,
      ``gap = (days from first to last purchase + g0) / n_orders``, where ``g0`` is the
      median gap of repeat buyers (one pseudo-gap that keeps 2-order customers from
      extreme gaps and gives one-time buyers the population's rhythm). With
      ``q = days_since_last_purchase / gap``: active if q ≤ 1.5, at risk if q ≤ 3,
      lapsed if q ≤ 6, churned beyond (``gap_multiples``).
    * ``method="fixed"``: the same stages at fixed day thresholds (``day_thresholds``,
      default ≤ 60 active, ≤ 180 at risk, ≤ 365 lapsed, churned beyond).

    Returns
    -------
    Series
        Categorical ``lifecycle_stage`` in :data:`LIFECYCLE_STAGES` order.

    Examples
    --------
    >>> c = pd.DataFrame({"days_since_last_purchase": [5, 100, 400], "n_orders": [2, 3, 1],
    ...                   "revenue": [1.0, 2.0, 3.0], "tenure_days": [30, 300, 500]})
    >>> lifecycle_stages(c, method="fixed").tolist()
    ['new', 'at risk', 'churned']
    """
    _check_lifecycle_options(method, gap_multiples, day_thresholds)
    _check_customers(customers, [*RAW_COLUMNS.values(), "tenure_days"])
    return _lifecycle(customers, method, new_days, gap_multiples, day_thresholds)


def _check_lifecycle_options(method: str, gap_multiples: Sequence[float], day_thresholds: Sequence[float]) -> None:
    if method not in {"gap", "fixed"}:
        raise DataError(f"lifecycle method={method!r} is not supported; use 'gap', 'fixed' or None.")
    for name, cuts in (("gap_multiples", gap_multiples), ("day_thresholds", day_thresholds)):
        arr = np.asarray(cuts, dtype=float)
        if arr.shape != (3,) or not (np.all(np.diff(arr) > 0) and arr[0] > 0):
            raise DataError(
                f"{name}={tuple(arr.tolist())} must be three increasing positive numbers "
                "(ends of active, at risk, lapsed)."
            )


def _lifecycle(customers, method, new_days, gap_multiples, day_thresholds, *, stacklevel: int = 3) -> pd.Series:
    days = customers["days_since_last_purchase"].to_numpy(dtype=float)
    tenure = customers["tenure_days"].to_numpy(dtype=float)
    silence, cuts = days, day_thresholds
    if method == "gap":
        n = customers["n_orders"].to_numpy(dtype=float)
        repeat = n >= 2
        if repeat.any():
            span = tenure - days
            g0 = max(float(np.median(span[repeat] / (n[repeat] - 1))), 1.0)
            silence, cuts = days / ((span + g0) / n), gap_multiples
        else:
            warnings.warn(_NO_REPEAT_BUYERS, RFMWarning,
                          stacklevel=stacklevel)  # pragma: no mutate (stacklevel: mutmut adds frames)
    code = np.searchsorted(np.asarray(cuts, dtype=float), silence, side="left") + 1
    code = np.where(tenure <= new_days, 0, code)
    return pd.Series(
        pd.Categorical.from_codes(code, categories=LIFECYCLE_STAGES), index=customers.index, name="lifecycle_stage"
    )


def load_playbook(playbook: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the playbook (``view, name, description, action``): what each group means and what to do.

    Examples
    --------
    >>> sorted(load_playbook()["view"].unique())
    ['abc_tier', 'lifecycle_stage', 'segment', 'value_type']
    """
    if playbook is None:
        playbook = _DEFAULT_PLAYBOOK
    if isinstance(playbook, (str, Path)):
        if not Path(playbook).exists():
            raise DataError(f"playbook file {str(playbook)!r} does not exist; pass an existing CSV or None.")
        playbook = pd.read_csv(playbook, dtype=str, keep_default_na=False)
    missing = [c for c in ["view", "name", "description", "action"] if c not in playbook.columns]
    if missing:
        raise DataError(f"the playbook lacks column(s) {missing}; it needs view, name, description, action.")
    return playbook.copy()


def playbook_for(
    segments: pd.DataFrame,
    *,
    view: str = "segment",
    playbook: str | Path | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The playbook rows for the groups present in ``segments[view]``, largest group first.

    Raises
    ------
    DataError
        When a present group has no playbook entry (add a row to the playbook file).

    Examples
    --------
    >>> from segkit.datasets import example_customers
    >>> from segkit.rfm import rfm_segments
    >>> seg = rfm_segments(example_customers(500, seed=0), warn=False)
    >>> playbook_for(seg).columns.tolist()
    ['customers', 'description', 'action']
    """
    if view not in segments.columns:
        raise DataError(f"column {view!r} is not in the segments table; use one of {list(segments.columns)}.")
    book = load_playbook(playbook)
    book = book[book["view"] == view].set_index("name")
    counts = segments[view].value_counts(sort=False)
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")  # pragma: no mutate (few groups)
    missing = [name for name in counts.index if name not in book.index]
    if missing:
        raise DataError(
            f"the playbook has no {view!r} row for {missing}; add rows 'view={view}, name=<group>, "
            "description, action' to the playbook file."
        )
    table = book.loc[list(counts.index), ["description", "action"]]
    table.insert(0, "customers", counts.to_numpy())
    table.index.name = view
    return table
