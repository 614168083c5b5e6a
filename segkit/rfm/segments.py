"""Named segments: the rules applied to scores, the one call that scores, segments and tiers, and summaries."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from segkit.engine import duck
from segkit.errors import DataError
from segkit.rfm._validation import _SCORES_FIX, _check_bins, _check_customers, _check_scores
from segkit.rfm.rules import lattice_frame, load_rules
from segkit.rfm.scores import RAW_COLUMNS, RFMWarning, _check_thresholds, _fit_scale, _score, _warn_levels
from segkit.rfm.views import (
    _abc,
    _check_abc,
    _check_lifecycle_options,
    _check_revenue_total,
    _check_value_options,
    _lifecycle,
    _value_types,
)


def assign_segments(
    scores: pd.DataFrame,
    *,
    bins: int = 5,
    rules: str | Path | pd.DataFrame | None = None,
) -> pd.Series:
    """Give each customer exactly one named segment from its R, F, M scores.

    Parameters
    ----------
    scores : DataFrame
        With integer columns ``R``, ``F``, ``M`` on 1..``bins`` (from :func:`rfm_scores`).
    bins : int, default 5
        The score scale the scores were made on.
    rules : path or DataFrame, optional
        Segment rules (see :func:`load_rules`); the shipped default when omitted.

    Returns
    -------
    Series
        Categorical ``segment`` (categories in the order the names first appear in the rules), same index.
    """
    bins = _check_bins(bins)
    table = load_rules(rules)
    _check_customers(scores, ["R", "F", "M"], fix=_SCORES_FIX)
    _check_scores(scores, bins)
    return _segments(scores, bins, table)


def _segments(scores: pd.DataFrame, bins: int, table: pd.DataFrame) -> pd.Series:
    """Segments of checked scores from a checked rules table, joined to the rule lattice in the engine."""
    names = list(dict.fromkeys(table["segment"]))
    assigned = duck.assign_segments(scores, lattice_frame(table), bins=bins)
    return pd.Series(pd.Categorical(assigned, categories=names), index=scores.index, name="segment")


@dataclass(frozen=True)
class _Options:
    """The options of :func:`rfm_segments`, built once at the boundary and passed inward.

    The field defaults are :func:`rfm_segments`' defaults (a test holds the two together), so a caller
    that forwards only some options (:func:`~segkit.rfm.migration_study`) gets the same defaults.
    :func:`_checked` returns a copy whose ``bins`` is an int, ``thresholds`` the checked cut points
    and ``rules`` the checked rules table.
    """

    bins: int = 5
    thresholds: Mapping[str, Sequence[float]] | None = None
    rules: str | Path | pd.DataFrame | None = None
    value_center: str = "mean"
    value_basis: str = "values"
    abc: tuple[float, float] = (0.80, 0.95)
    lifecycle: str | None = "gap"
    new_days: int = 60
    gap_multiples: Sequence[float] = (1.5, 3.0, 6.0)
    day_thresholds: Sequence[float] = (60, 180, 365)
    warn: bool = True


def rfm_segments(
    customers: pd.DataFrame,
    *,
    bins: int = 5,
    thresholds: Mapping[str, Sequence[float]] | None = None,
    rules: str | Path | pd.DataFrame | None = None,
    value_center: str = "mean",
    value_basis: str = "values",
    abc: tuple[float, float] = (0.80, 0.95),
    lifecycle: str | None = "gap",
    new_days: int = 60,
    gap_multiples: Sequence[float] = (1.5, 3.0, 6.0),
    day_thresholds: Sequence[float] = (60, 180, 365),
    warn: bool = True,
) -> pd.DataFrame:
    """Score, segment and tier every customer in one call.

    Parameters
    ----------
    customers : DataFrame
        Customer table from ``segkit.data.customer_table`` (index ``customer_id``; needs
        ``days_since_last_purchase``, ``n_orders``, ``revenue``, and ``tenure_days``
        unless ``lifecycle=None``).
    bins : int, default 5
        Number of score levels (at least 2).
    thresholds : mapping, optional
        Fixed cut points per dimension instead of rank scores, ``bins - 1`` numbers each.
        ``"R"`` in days, upper bounds: ``[30, 90, 180, 365]`` → ≤ 30 days scores 5 … > 365
        scores 1. ``"F"`` and ``"M"`` lower bounds: ``{"F": [2, 3, 5, 10]}`` → 10+ orders
        score 5, 1 order scores 1. Dimensions not given are rank-scored. To score on the
        scale of another table, pass ``bins=scale.bins, thresholds=scale.thresholds`` of
        its :meth:`RFMScale.fit`.
    rules : path or DataFrame, optional
        Segment rules, see :func:`load_rules`; default ``resources/rfm_segments.csv``.
    value_center, value_basis
        ``center`` and ``basis`` of :func:`value_types`.
    abc : (float, float)
        Cumulative revenue shares closing tiers A and B, see :func:`abc_tiers`.
    lifecycle, new_days, gap_multiples, day_thresholds
        ``method`` ("gap", "fixed" or None to skip the column) and options of :func:`lifecycle_stages`.
    warn : bool, default True
        Emit an :class:`RFMWarning` when a rank-scored dimension uses fewer than ``bins``
        levels (:func:`score_report` says it in any case).

    Returns
    -------
    DataFrame
        Index ``customer_id``; columns ``days_since_last_purchase``, ``n_orders``,
        ``revenue``, ``R``, ``F``, ``M`` (int scores, higher better), ``segment``,
        ``value_type``, ``abc_tier``, ``lifecycle_stage`` (categoricals).

    Raises
    ------
    DataError
        For unusable input, naming the column or value and the fix.

    Examples
    --------
    >>> from segkit.datasets import example_customers
    >>> seg = rfm_segments(example_customers(2000, seed=0), warn=False)
    >>> list(seg.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['days_since_last_purchase', 'n_orders', 'revenue', 'R', 'F', 'M', 'segment', 'value_type',
     'abc_tier', 'lifecycle_stage']
    """
    options = _Options(bins, thresholds, rules, value_center, value_basis, abc, lifecycle, new_days, gap_multiples,
                       day_thresholds, warn)
    _check_customers(customers, [*RAW_COLUMNS.values(), *(["tenure_days"] if lifecycle is not None else [])])
    _check_revenue_total(customers["revenue"].to_numpy(dtype=float))
    checked = _checked(options, n_customers=len(customers))
    return _segment(customers, checked, stacklevel=3)  # pragma: no mutate (stacklevel: mutmut adds frames)


def _segment_quietly(customers: pd.DataFrame, options: _Options) -> pd.DataFrame:
    """:func:`rfm_segments` of a table segkit built itself, without warnings: options checked, table trusted."""
    checked = _checked(replace(options, warn=False), n_customers=len(customers))
    return _segment(customers, checked, stacklevel=1)  # pragma: no mutate (warn is off)


def _checked(options: _Options, *, n_customers: int) -> _Options:
    """Check every option once; the copy holds the int ``bins``, the checked cut points and the rules table."""
    bins = _check_bins(options.bins)
    fixed = _check_thresholds(options.thresholds, bins, n_customers=n_customers)
    _check_value_options(options.value_center, options.value_basis)
    _check_abc(*options.abc)
    if options.lifecycle is not None:
        _check_lifecycle_options(options.lifecycle, options.gap_multiples, options.day_thresholds)
    return replace(options, bins=bins, thresholds=fixed, rules=load_rules(options.rules))


def _segment(customers: pd.DataFrame, o: _Options, *, stacklevel: int) -> pd.DataFrame:
    """Score, segment and tier checked input (no validation here); warnings point ``stacklevel`` frames up."""
    scale = _fit_scale(customers, o.bins, o.thresholds)
    out = _score(customers, scale)
    if o.warn:
        _warn_levels(out, scale, stacklevel=stacklevel + 1)  # pragma: no mutate (stacklevel: mutmut adds frames)
    out["segment"] = _segments(out, o.bins, o.rules)
    out["value_type"] = _value_types(out, o.value_center, o.value_basis)
    out["abc_tier"] = _abc(out["revenue"].to_numpy(dtype=float), o.abc[0], o.abc[1], out.index)
    if o.lifecycle is not None:
        with warnings.catch_warnings():
            if not o.warn:
                warnings.simplefilter("ignore", RFMWarning)
            out["lifecycle_stage"] = _lifecycle(
                customers, o.lifecycle, o.new_days, o.gap_multiples, o.day_thresholds,
                stacklevel=stacklevel + 1)  # pragma: no mutate (stacklevel: mutmut adds frames)
    return out


def segment_summary(segments: pd.DataFrame, *, by: str = "segment") -> pd.DataFrame:
    """Size and value of each group: customer share and revenue share side by side.

    Parameters
    ----------
    segments : DataFrame
        Output of :func:`rfm_segments`.
    by : str
        The grouping column (``segment``, ``value_type``, ``abc_tier``, ``lifecycle_stage``).

    Returns
    -------
    DataFrame
        Indexed by group (all categories, empty ones with 0 customers): ``customers``,
        ``customers_pct``, ``revenue``, ``revenue_pct``, ``revenue_per_customer``, median
        raw values and median scores.

    Examples
    --------
    >>> from segkit.datasets import example_customers
    >>> s = segment_summary(rfm_segments(example_customers(400, seed=2), warn=False))
    >>> int(s["customers"].sum()), round(float(s["revenue_pct"].sum()), 6)
    (400, 100.0)
    """
    if by not in segments.columns:
        raise DataError(f"column {by!r} is not in the segments table; use one of {list(segments.columns)}.")
    grouped = segments.groupby(by, observed=False)  # pragma: no mutate (observed=None also means False)
    table = grouped.agg(
        customers=("revenue", "size"),
        revenue=("revenue", "sum"),
        median_days_since_last_purchase=("days_since_last_purchase", "median"),
        median_orders=("n_orders", "median"),
        median_revenue=("revenue", "median"),
        median_R=("R", "median"),
        median_F=("F", "median"),
        median_M=("M", "median"),
    )
    table.insert(1, "customers_pct", 100 * table["customers"] / table["customers"].sum())
    table.insert(3, "revenue_pct", 100 * table["revenue"] / table["revenue"].sum())
    table.insert(4, "revenue_per_customer", table["revenue"] / table["customers"])  # empty groups: 0 / 0 = NaN
    return table


def _rf_grid(segments: pd.DataFrame, bins: int, value: str) -> pd.DataFrame:
    """Mean ``value`` per R × F cell: rows R from ``bins`` down to 1, columns F 1..``bins``, empty cells NaN.

    Examples
    --------
    >>> from segkit.datasets import example_customers
    >>> g = _rf_grid(rfm_segments(example_customers(300, seed=0), warn=False), 5, "revenue")
    >>> g.shape
    (5, 5)
    """
    full = pd.RangeIndex(1, bins + 1)
    return segments.groupby(["R", "F"])[value].mean().unstack().reindex(index=full[::-1], columns=full)
