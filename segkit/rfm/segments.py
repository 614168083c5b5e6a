"""Named segments: the rules applied to scores, the one call that scores, segments and tiers, and summaries."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from segkit.errors import DataError
from segkit.rfm._validation import _SCORES_FIX, _bins_of, _check_bins, _check_customers
from segkit.rfm.rules import _RULE_SCALE, _rule_lattice, load_rules, rule_to_scale
from segkit.rfm.scores import RAW_COLUMNS, RFMWarning, _check_thresholds, _score, _warn_levels
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
    bins: int | None = None,
    rules: str | Path | pd.DataFrame | None = None,
) -> pd.Series:
    """Give each customer exactly one named segment from its R, F, M scores.

    Parameters
    ----------
    scores : DataFrame
        With integer columns ``R``, ``F``, ``M`` on 1..``bins`` (from :func:`rfm_scores`).
    bins : int, optional
        The score scale; read from ``scores.attrs["rfm"]`` when omitted.
    rules : path or DataFrame, optional
        Segment rules (see :func:`load_rules`); the shipped default when omitted.

    Returns
    -------
    Series
        Categorical ``segment`` (categories in rule-priority order), same index.
    """
    bins = _bins_of(scores, bins)
    table = load_rules(rules)
    _check_customers(scores, ["R", "F", "M"], fix=_SCORES_FIX)
    for dim in "RFM":
        values = scores[dim].to_numpy()
        if values.min() < 1 or values.max() > bins:
            raise DataError(
                f"score column {dim!r} has values outside 1..{bins} (min {values.min()}, max {values.max()}); "
                "pass the bins used by rfm_scores."
            )
    return _segments(scores, bins, table)


def _segments(scores: pd.DataFrame, bins: int, table: pd.DataFrame) -> pd.Series:
    winner, _ = _rule_lattice(table)
    names = list(dict.fromkeys(table["segment"]))
    seg_code = pd.Index(names).get_indexer(table["segment"])[winner].reshape((_RULE_SCALE,) * 3)
    r, f, m = (rule_to_scale(scores[d].to_numpy(), bins) - 1 for d in "RFM")
    return pd.Series(
        pd.Categorical.from_codes(seg_code[r, f, m], categories=names), index=scores.index, name="segment"
    )


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
    bins, thresholds, warn
        Scoring options, see :func:`rfm_scores`.
    rules : path or DataFrame, optional
        Segment rules, see :func:`load_rules`; default ``resources/rfm_segments.csv``.
    value_center, value_basis
        ``center`` and ``basis`` of :func:`value_types`.
    abc : (float, float)
        Cumulative revenue shares closing tiers A and B, see :func:`abc_tiers`.
    lifecycle, new_days, gap_multiples, day_thresholds
        ``method`` ("gap", "fixed" or None to skip the column) and options of :func:`lifecycle_stages`.

    Returns
    -------
    DataFrame
        Index ``customer_id``; columns ``days_since_last_purchase``, ``n_orders``,
        ``revenue``, ``R``, ``F``, ``M`` (int scores, higher better), ``segment``,
        ``value_type``, ``abc_tier``, ``lifecycle_stage`` (categoricals). ``attrs["rfm"]``
        holds ``bins``, ``scoring``, ``thresholds`` (reusable cut points) and ``rules``.

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
    options = {name: value for name, value in locals().items() if name != "customers"}
    return _run(customers, options, trusted=False)


def _segment_trusted(customers: pd.DataFrame, **options) -> pd.DataFrame:
    """:func:`rfm_segments` of a customer table segkit built itself: the options are checked, the table trusted."""
    return _run(customers, options, trusted=True)


def _run(customers: pd.DataFrame, options: dict, *, trusted: bool) -> pd.DataFrame:
    defaults = {name: p.default for name, p in inspect.signature(rfm_segments).parameters.items()
                if p.kind is p.KEYWORD_ONLY}
    o = {**defaults, **options}
    bins, fixed, table = _check_inputs(customers, o["bins"], o["thresholds"], o["rules"], o["value_center"],
                                       o["value_basis"], o["abc"], o["lifecycle"], o["gap_multiples"],
                                       o["day_thresholds"], trusted=trusted)
    return _segment(customers, bins, fixed, table, _rules_label(o["rules"]), o["value_center"], o["value_basis"],
                    o["abc"], o["lifecycle"], o["new_days"], o["gap_multiples"], o["day_thresholds"], warn=o["warn"],
                    stacklevel=5)


def _check_inputs(customers, bins, thresholds, rules, value_center, value_basis, abc, lifecycle, gap_multiples,
                  day_thresholds, *, trusted: bool = False) -> tuple[int, dict, pd.DataFrame]:
    """Check every input of :func:`rfm_segments` once; return the bins, the fixed cut points and the rules table.

    ``trusted=True`` skips the customer-table checks (for tables made by ``segkit.data.customer_table``).
    """
    bins = _check_bins(bins)
    if not trusted:
        _check_customers(customers, [*RAW_COLUMNS.values(), *(["tenure_days"] if lifecycle is not None else [])])
    fixed = _check_thresholds(thresholds, bins, n_customers=len(customers))
    _check_value_options(value_center, value_basis)
    _check_abc(*abc)
    if not trusted:
        _check_revenue_total(customers["revenue"].to_numpy(dtype=float))
    if lifecycle is not None:
        _check_lifecycle_options(lifecycle, gap_multiples, day_thresholds)
    return bins, fixed, load_rules(rules)


def _segment(customers, bins, fixed, table, rules_label, value_center, value_basis, abc, lifecycle, new_days,
             gap_multiples, day_thresholds, *, warn: bool, stacklevel: int) -> pd.DataFrame:
    """Score, segment and tier checked input (no validation here); warnings point ``stacklevel`` frames up."""
    out = _score(customers, bins, fixed)
    if warn:
        _warn_levels(out, stacklevel=stacklevel)
    out.attrs["rfm"]["rules"] = rules_label
    out["segment"] = _segments(out, bins, table)
    out["value_type"] = _value_types(out, value_center, value_basis)
    out["abc_tier"] = _abc(out["revenue"].to_numpy(dtype=float), abc[0], abc[1], out.index)
    if lifecycle is not None:
        with warnings.catch_warnings():
            if not warn:
                warnings.simplefilter("ignore", RFMWarning)
            out["lifecycle_stage"] = _lifecycle(customers, lifecycle, new_days, gap_multiples, day_thresholds,
                                                stacklevel=stacklevel)
    return out


def _rules_label(rules: str | Path | pd.DataFrame | None) -> str:
    if rules is None:
        return "default"
    return str(rules) if isinstance(rules, (str, Path)) else "custom table"


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
    grouped = segments.groupby(by, observed=False, sort=True)
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
    table.insert(4, "revenue_per_customer", table["revenue"] / table["customers"].where(table["customers"] > 0))
    return table


def _rf_grid(
    segments: pd.DataFrame, *, value: str = "revenue", agg: str = "mean", bins: int | None = None
) -> pd.DataFrame:
    """R × F table of ``agg`` of ``value`` (rows R from ``bins`` down to 1, columns F 1..``bins``).

    Examples
    --------
    >>> from segkit.datasets import example_customers
    >>> g = _rf_grid(rfm_segments(example_customers(300, seed=0), warn=False))
    >>> g.shape
    (5, 5)
    """
    bins = _bins_of(segments, bins)
    grid = segments.pivot_table(index="R", columns="F", values=value, aggfunc=agg, observed=False)
    full = pd.RangeIndex(1, bins + 1)
    return grid.reindex(index=full[::-1], columns=full).rename_axis(index="R score", columns="F score")
