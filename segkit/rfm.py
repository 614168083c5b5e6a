"""RFM scoring and segmentation: scores, named segments, value types, ABC tiers, lifecycle, migration.

RFM ranks customers on three questions: how **R**ecently did they buy
(``days_since_last_purchase``, fewer days is better), how **F**requently
(``n_orders``) and for how much **M**oney (``revenue``). Each dimension becomes a score
from 1 to ``bins`` where higher is always better, and rules on the three scores give
each customer one named segment.

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
* **Rules on a 1..5 scale for any ``bins``.** The rules file
  (``resources/rfm_segments.csv``) states score ranges on the 1..5 scale with an
  explicit ``priority`` (lower wins). For ``bins != 5`` a score is mapped to the 1..5
  level whose fifth of the customer base holds the centre of its own bin:
  ``level = floor(5 × (score − 0.5) / bins) + 1`` (deciles 1–2 → 1, 3–4 → 2, …;
  with ``bins=3`` the scores 1, 2, 3 become 1, 3, 5). The rules are checked on all
  125 cells: a gap, two rules of equal priority claiming one cell, or a rule that
  never wins raise :class:`~segkit.errors.DataError`.

Examples
--------
>>> from segkit.rfm import example_customers, rfm_segments
>>> seg = rfm_segments(example_customers(500, seed=1), warn=False)
>>> int(seg["segment"].notna().sum()), seg["R"].between(1, 5).all()
(500, np.True_)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from segkit.data import check_customer_table, customer_table
from segkit.errors import DataError
from segkit.paths import RESOURCES_DIR

__all__ = [
    "ABC_TIERS",
    "DEFAULT_PLAYBOOK",
    "DEFAULT_RULES",
    "LIFECYCLE_STAGES",
    "NOT_YET_A_CUSTOMER",
    "NO_LONGER_IN_TABLE",
    "RAW_COLUMNS",
    "RULE_SCALE",
    "RFMWarning",
    "VALUE_TYPES",
    "abc_tiers",
    "assign_segments",
    "example_customers",
    "lifecycle_stages",
    "Migration",
    "MIN_MIGRATION_CUSTOMERS",
    "migration_study",
    "load_playbook",
    "load_rules",
    "playbook_for",
    "plot_migration",
    "plot_pareto",
    "plot_rf_heatmap",
    "plot_score_distributions",
    "plot_segment_shares",
    "rf_grid",
    "rfm_scores",
    "rfm_segments",
    "rule_to_scale",
    "score_report",
    "segment_migration",
    "segment_summary",
    "value_types",
]

#: Score name -> the customer-table column it is computed from.
RAW_COLUMNS: dict[str, str] = {"R": "days_since_last_purchase", "F": "n_orders", "M": "revenue"}
#: The score scale on which segment rules are written.
RULE_SCALE: int = 5
DEFAULT_RULES: Path = RESOURCES_DIR / "rfm_segments.csv"
DEFAULT_PLAYBOOK: Path = RESOURCES_DIR / "rfm_playbook.csv"
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
#: Origin row of the migration matrix for customers whose first purchase is after the earlier snapshot.
NOT_YET_A_CUSTOMER: str = "(not yet a customer)"
#: Destination column for earlier customers missing from the later table (e.g. returns netted revenue to 0).
NO_LONGER_IN_TABLE: str = "(no longer in the table)"
#: Fewest customers at the earlier snapshot for a migration matrix: below it, rank scores of a
#: handful of customers say nothing about segments.
MIN_MIGRATION_CUSTOMERS: int = 20

_LOWER_IS_BETTER = {"R": True, "F": False, "M": False}
_RULE_COLUMNS = ["priority", "segment", "R", "F", "M"]


class RFMWarning(UserWarning):
    """A score dimension cannot support the requested number of levels, or a fallback was used."""


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# scores
# --------------------------------------------------------------------------------------------


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


def _example_cuts(dim: str, bins: int) -> list[int]:
    base = {"R": [30, 90, 180, 365], "F": [2, 3, 5, 10], "M": [50, 100, 250, 1000]}[dim]
    return base[: bins - 1] if bins <= 5 else base + [base[-1] * (i + 2) for i in range(bins - 5)]


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
    out.attrs = {"rfm": info, **{k: v for k, v in customers.attrs.items() if k == "snapshot_date"}}
    return out


def _warn_levels(scores: pd.DataFrame, *, stacklevel: int) -> None:
    """Warn for rank-scored dimensions that use fewer levels than requested (fixed scales only report)."""
    report = score_report(scores)
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
    >>> s = rfm_scores(example_customers(300, seed=0), warn=False)
    >>> score_report(s).loc["F", ["levels_requested", "levels_used"]].tolist()
    [5, 4]
    """
    bins = _bins_of(scores, bins)
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


def _level_note(dim, col, method, bins, used, top_value, top_share, n_distinct) -> str:
    if len(used) >= bins:
        return ""
    empty = ", ".join(str(s) for s in range(1, bins + 1) if s not in set(used.tolist()))
    if n_distinct == 1 and method == "rank":
        return (
            f"{dim} ({col}): every customer has the same value ({top_value:g}), so {dim} cannot rank "
            f"anyone and all customers get score {used[0]}. Check the input and the snapshot date, "
            f"or set fixed thresholds={{'{dim}': [...]}}."
        )
    if method == "thresholds":
        return (
            f"{dim} ({col}): the fixed thresholds leave score(s) {empty} empty on this data "
            f"({len(used)} of {bins} levels used). Adjust thresholds['{dim}'] if those levels should exist."
        )
    return (
        f"{dim} ({col}) supports only {len(used)} of {bins} score levels (score(s) {empty} empty): "
        f"{top_share:.0%} of customers share the value {top_value:g}, and customers with the same value "
        f"must get the same score. Read {dim} as a coarse scale; use fewer bins or fixed "
        f"thresholds={{'{dim}': {_example_cuts(dim, bins)}}} if you need more levels."
    )


def _bins_of(scores: pd.DataFrame, bins: int | None) -> int:
    if bins is not None:
        return _check_bins(bins)
    try:
        return int(scores.attrs["rfm"]["bins"])
    except (KeyError, TypeError) as exc:
        raise DataError(
            "cannot tell how many score levels these scores use; pass bins= (the value given to rfm_scores)."
        ) from exc


# --------------------------------------------------------------------------------------------
# segment rules
# --------------------------------------------------------------------------------------------


def _parse_range(text: object, *, row: int, column: str) -> tuple[int, int]:
    raw = str(text).strip().replace("–", "-")
    if raw in {"*", "any"}:
        return 1, RULE_SCALE
    parts = raw.split("-")
    try:
        low, high = (int(parts[0]), int(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        low = high = None
    if low is None or not (1 <= low <= high <= RULE_SCALE):
        raise DataError(
            f"rules row {row} column {column!r} has {text!r}; write a score range on the 1..{RULE_SCALE} "
            "scale such as '4-5', a single score such as '3', or '*' for any score."
        )
    return low, high


def load_rules(rules: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check segment rules: every (R, F, M) cell on the 1..5 scale gets exactly one segment.

    The rules file has columns ``priority, segment, R, F, M``; ``R``/``F``/``M`` are
    score ranges on the 1..5 scale (``4-5``, ``3``, ``*``). Where rules overlap, the
    lowest ``priority`` wins; a segment may span several rows.

    Parameters
    ----------
    rules : path or DataFrame, optional
        Defaults to the shipped ``resources/rfm_segments.csv``.

    Returns
    -------
    DataFrame
        The rules sorted by priority, with integer ``r_min`` … ``m_max`` columns and
        ``cells`` (how many of the 125 cells each rule wins).

    Raises
    ------
    DataError
        Missing columns, unreadable ranges, a cell no rule covers (gap), a cell two
        rules of the same priority cover (ambiguous overlap), or a rule that never wins.

    Examples
    --------
    >>> load_rules()[["segment", "cells"]].head(2).to_numpy().tolist()
    [['Champions', 8], ['Loyal Customers', 19]]
    """
    if rules is None:
        rules = DEFAULT_RULES
    if isinstance(rules, (str, Path)):
        path = Path(rules)
        if not path.exists():
            raise DataError(f"rules file {str(path)!r} does not exist; pass an existing CSV or None for the default.")
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    elif isinstance(rules, pd.DataFrame):
        table = rules.astype(str)
    else:
        raise DataError(f"rules must be a CSV path or a DataFrame, got {type(rules).__name__}.")
    missing = [c for c in _RULE_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(
            f"the rules lack column(s) {missing}; the file needs columns {_RULE_COLUMNS} "
            f"(see {DEFAULT_RULES.name} for an example)."
        )
    if len(table) == 0:
        raise DataError("the rules table has no rows; add at least one rule (e.g. a catch-all '*,*,*').")
    table = table[_RULE_COLUMNS].reset_index(drop=True)
    priority = pd.to_numeric(table["priority"], errors="coerce")
    if priority.isna().any():
        row = int(priority.isna().idxmax()) + 1
        raise DataError(f"rules row {row} has priority {table['priority'][row - 1]!r}; use a number (lower wins).")
    table["priority"] = priority
    table["segment"] = table["segment"].str.strip()
    if (table["segment"] == "").any():
        raise DataError(f"rules row {int((table['segment'] == '').idxmax()) + 1} has an empty segment name.")
    for dim in "RFM":
        bounds = [_parse_range(v, row=i + 1, column=dim) for i, v in enumerate(table[dim])]
        table[f"{dim.lower()}_min"] = [b[0] for b in bounds]
        table[f"{dim.lower()}_max"] = [b[1] for b in bounds]
    table = table.sort_values("priority", kind="stable").reset_index(drop=True)
    table["cells"] = _rule_lattice(table)[1]
    return table


def _rule_lattice(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Winning rule per cell of the 5×5×5 lattice and the number of cells each rule wins."""
    levels = np.arange(1, RULE_SCALE + 1)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    lo = table[["r_min", "f_min", "m_min"]].to_numpy()
    hi = table[["r_max", "f_max", "m_max"]].to_numpy()
    match = ((grid[:, None, :] >= lo[None]) & (grid[:, None, :] <= hi[None])).all(axis=2)
    gaps = ~match.any(axis=1)
    if gaps.any():
        cells = "; ".join(f"R={r} F={f} M={m}" for r, f, m in grid[gaps][:5])
        raise DataError(
            f"the rules leave {int(gaps.sum())} of {len(grid)} score cells without a segment (gap), e.g. {cells}. "
            "Widen a rule's ranges or add a last catch-all rule with R, F, M = '*'."
        )
    prio = table["priority"].to_numpy(dtype=float)
    best = np.where(match, prio[None, :], np.inf).min(axis=1)
    tied = match & (prio[None, :] == best[:, None])
    ambiguous = tied.sum(axis=1) > 1
    if ambiguous.any():
        cell = int(np.argmax(ambiguous))
        names = table["segment"][tied[cell]].tolist()
        r, f, m = grid[cell]
        raise DataError(
            f"rules {names} have the same priority {best[cell]:g} and both claim {int(ambiguous.sum())} cell(s), "
            f"e.g. R={r} F={f} M={m} (overlap). Give them different priorities (lower wins) "
            "or make the ranges disjoint."
        )
    winner = np.argmax(tied, axis=1)
    wins = np.bincount(winner, minlength=len(table))
    if (wins == 0).any():
        dead = table["segment"][wins == 0].tolist()
        raise DataError(
            f"rule(s) for {dead} never apply: every cell they cover is taken by rules of higher precedence. "
            "Give them a lower priority number or remove them."
        )
    return winner, wins


def rule_to_scale(scores: np.ndarray | pd.Series, bins: int) -> np.ndarray:
    """Map scores on 1..``bins`` to the 1..5 rule scale by the centre of each score's bin.

    Examples
    --------
    >>> rule_to_scale(np.arange(1, 11), 10).tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    >>> rule_to_scale(np.array([1, 2, 3]), 3).tolist()
    [1, 3, 5]
    """
    s = np.asarray(scores, dtype=np.int64)
    return (RULE_SCALE * (2 * s - 1)) // (2 * bins) + 1


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
    seg_code = pd.Index(names).get_indexer(table["segment"])[winner].reshape((RULE_SCALE,) * 3)
    r, f, m = (rule_to_scale(scores[d].to_numpy(), bins) - 1 for d in "RFM")
    return pd.Series(
        pd.Categorical.from_codes(seg_code[r, f, m], categories=names), index=scores.index, name="segment"
    )


# --------------------------------------------------------------------------------------------
# other views: value types, ABC tiers, lifecycle
# --------------------------------------------------------------------------------------------


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


def _lifecycle(customers, method, new_days, gap_multiples, day_thresholds) -> pd.Series:
    cuts = np.asarray(gap_multiples if method == "gap" else day_thresholds, dtype=float)
    days = customers["days_since_last_purchase"].to_numpy(dtype=float)
    tenure = customers["tenure_days"].to_numpy(dtype=float)
    if method == "gap":
        n = customers["n_orders"].to_numpy(dtype=float)
        span = tenure - days
        repeat = n >= 2
        if not repeat.any():
            warnings.warn(
                "no repeat buyers, so no typical gap between purchases can be learned; "
                "lifecycle stages use fixed day thresholds instead (method='fixed').",
                RFMWarning,
                stacklevel=3,
            )
            return _lifecycle(customers, "fixed", new_days, gap_multiples, day_thresholds)
        g0 = max(float(np.median(span[repeat] / (n[repeat] - 1))), 1.0)
        days = days / ((span + g0) / n)
    code = np.searchsorted(cuts, days, side="left") + 1
    code = np.where(tenure <= new_days, 0, code)
    return pd.Series(
        pd.Categorical.from_codes(code, categories=LIFECYCLE_STAGES), index=customers.index, name="lifecycle_stage"
    )


# --------------------------------------------------------------------------------------------
# the one call
# --------------------------------------------------------------------------------------------


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
    lifecycle : {"gap", "fixed"} or None
        Lifecycle method (see :func:`lifecycle_stages`); None skips the column.
    new_days, gap_multiples, day_thresholds
        Lifecycle options.

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
    >>> seg = rfm_segments(example_customers(2000, seed=0), warn=False)
    >>> list(seg.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['days_since_last_purchase', 'n_orders', 'revenue', 'R', 'F', 'M', 'segment', 'value_type',
     'abc_tier', 'lifecycle_stage']
    """
    # validate everything once, at the boundary
    bins = _check_bins(bins)
    _check_customers(customers, [*RAW_COLUMNS.values(), *(["tenure_days"] if lifecycle is not None else [])])
    fixed = _check_thresholds(thresholds, bins, n_customers=len(customers))
    _check_value_options(value_center, value_basis)
    _check_abc(*abc)
    _check_revenue_total(customers["revenue"].to_numpy(dtype=float))
    if lifecycle is not None:
        _check_lifecycle_options(lifecycle, gap_multiples, day_thresholds)
    table = load_rules(rules)

    out = _score(customers, bins, fixed)
    if warn:
        _warn_levels(out, stacklevel=3)
    out.attrs["rfm"]["rules"] = _rules_label(rules)
    out["segment"] = _segments(out, bins, table)
    out["value_type"] = _value_types(out, value_center, value_basis)
    out["abc_tier"] = _abc(out["revenue"].to_numpy(dtype=float), abc[0], abc[1], out.index)
    if lifecycle is not None:
        with warnings.catch_warnings():
            if not warn:
                warnings.simplefilter("ignore", RFMWarning)
            out["lifecycle_stage"] = _lifecycle(customers, lifecycle, new_days, gap_multiples, day_thresholds)
    return out


def _rules_label(rules: str | Path | pd.DataFrame | None) -> str:
    if rules is None:
        return "default"
    return str(rules) if isinstance(rules, (str, Path)) else "custom table"


# --------------------------------------------------------------------------------------------
# summaries, playbook, migration
# --------------------------------------------------------------------------------------------


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


def load_playbook(playbook: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the playbook (``view, name, description, action``): what each group means and what to do.

    Examples
    --------
    >>> sorted(load_playbook()["view"].unique())
    ['abc_tier', 'lifecycle_stage', 'segment', 'value_type']
    """
    if playbook is None:
        playbook = DEFAULT_PLAYBOOK
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
    >>> seg = rfm_segments(example_customers(500, seed=0), warn=False)
    >>> playbook_for(seg).columns.tolist()
    ['customers', 'description', 'action']
    """
    if view not in segments.columns:
        raise DataError(f"column {view!r} is not in the segments table; use one of {list(segments.columns)}.")
    book = load_playbook(playbook)
    book = book[book["view"] == view].set_index("name")
    counts = segments[view].value_counts(sort=False)
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
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


def segment_migration(
    earlier: pd.DataFrame | pd.Series,
    later: pd.DataFrame | pd.Series,
    *,
    column: str = "segment",
    drop_empty: bool = True,
) -> pd.DataFrame:
    """Transition matrix of customers between an earlier and a later segmentation.

    Rows are the earlier segment plus ``"(not yet a customer)"`` for customers who only
    exist later; columns are the later segment, plus ``"(no longer in the table)"`` if an
    earlier customer is missing later. Each segment row sums to that segment's earlier
    count.

    Examples
    --------
    >>> e = pd.Series(pd.Categorical(["x", "y"], categories=["x", "y"]), index=["a", "b"])
    >>> l = pd.Series(pd.Categorical(["y", "y", "x"], categories=["x", "y"]), index=["a", "b", "c"])
    >>> segment_migration(e, l).to_numpy().tolist()
    [[0, 1], [0, 1], [1, 0]]
    """
    before, after = (s[column] if isinstance(s, pd.DataFrame) else s for s in (earlier, later))
    for name, s in (("earlier", before), ("later", after)):
        if s.index.has_duplicates:
            raise DataError(f"the {name} segmentation has repeated customer ids; pass one row per customer.")
        if s.isna().any():
            raise DataError(f"the {name} segmentation has {int(s.isna().sum())} customers without a {column}.")
    rows = _categories(before) + [NOT_YET_A_CUSTOMER]
    cols = _categories(after) + [NO_LONGER_IN_TABLE]
    ids = before.index.union(after.index, sort=False)
    r = pd.Index(rows).get_indexer(before.reindex(ids).astype(object).fillna(NOT_YET_A_CUSTOMER))
    c = pd.Index(cols).get_indexer(after.reindex(ids).astype(object).fillna(NO_LONGER_IN_TABLE))
    counts = np.bincount(r * len(cols) + c, minlength=len(rows) * len(cols)).reshape(len(rows), len(cols))
    matrix = pd.DataFrame(counts, index=pd.Index(rows, name=f"{column} earlier"),
                          columns=pd.Index(cols, name=f"{column} later"))
    if drop_empty:
        matrix = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
    elif not counts[:, -1].any():
        matrix = matrix.drop(columns=NO_LONGER_IN_TABLE)
    return matrix


@dataclass(frozen=True)
class Migration:
    """Result of :func:`migration_study`: the matrix, or the reason there is none.

    Attributes
    ----------
    matrix : DataFrame or None
        :func:`segment_migration` of the earlier and the later segmentation; None when the data
        cannot give an earlier snapshot (see ``note``).
    earlier : DataFrame or None
        The earlier segmentation (:func:`rfm_segments` of the customer table at ``earlier_date``).
    earlier_date, later_date : Timestamp
        The two snapshots.
    new_customers : int
        Customers of the later table who had not bought before ``earlier_date``.
    note : str
        Why there is no matrix, in words with the numbers and the parameter to change; "" otherwise.
    """

    matrix: pd.DataFrame | None
    earlier: pd.DataFrame | None
    earlier_date: pd.Timestamp
    later_date: pd.Timestamp
    new_customers: int
    note: str = ""

    def stayed(self, segment: str) -> float | None:
        """Share of the earlier ``segment`` still in it later; None if nobody was in it earlier."""
        if self.matrix is None or segment not in self.matrix.index:
            return None
        row = self.matrix.loc[segment]
        return float(row.get(segment, 0) / row.sum())

    def summary(self, segment: str) -> str:
        """One sentence for the report: how many of ``segment`` stayed, how many customers are new."""
        if self.matrix is None:
            return self.note
        kept = self.stayed(segment)
        head = (f"Between {self.earlier_date:%Y-%m-%d} and {self.later_date:%Y-%m-%d}, "
                + (f"no customer was {segment} at the earlier date" if kept is None
                   else f"{kept:.0%} of {segment} stayed {segment}"))
        if self.new_customers:
            return f"{head}; {self.new_customers:,} customers are new since then."
        return (f"{head}; no customer is new since then: every customer had bought before "
                f"{self.earlier_date:%Y-%m-%d} (a closed cohort), so the matrix has no '{NOT_YET_A_CUSTOMER}' row.")


def migration_study(
    clean: pd.DataFrame,
    later: pd.DataFrame,
    *,
    days: int,
    snapshot: str | pd.Timestamp | None = None,
    **options,
) -> Migration:
    """Segment the customers again ``days`` before the snapshot and build the migration matrix.

    Each snapshot is scored against its own customer base, as the CRM would have seen it then.
    When the data cannot give an earlier snapshot (it starts after the earlier date, or fewer than
    :data:`MIN_MIGRATION_CUSTOMERS` customers had bought by then, or their revenue is 0), the
    result has no matrix and a ``note`` that says why and which ``days`` would work.

    Parameters
    ----------
    clean : DataFrame
        Clean transactions (:func:`segkit.data.load_clean`).
    later : DataFrame
        The current segmentation, :func:`rfm_segments` of ``customer_table(clean, snapshot_date=snapshot)``.
    days : int
        Days between the two snapshots (the notebooks' ``migration_days``).
    snapshot : date-like, optional
        The later snapshot; default the day after the last transaction, as in :func:`segkit.data.customer_table`.
    **options
        Passed to :func:`rfm_segments` for the earlier snapshot (``bins``, ``rules``, ...).

    Returns
    -------
    Migration
    """
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise DataError(f"days={days!r} must be a whole number of days of at least 1 (e.g. 90 for a quarter).")
    later_date = (pd.Timestamp(snapshot).normalize() if snapshot not in (None, "")
                  else clean["order_date"].max().normalize() + pd.Timedelta(days=1))
    earlier_date = later_date - pd.Timedelta(days=int(days))
    first = clean["order_date"].min().normalize()
    history = (later_date - first).days
    note = ""
    if earlier_date <= first:
        note = (f"No migration matrix: the data start on {first:%Y-%m-%d}, {history:,} days before the snapshot, "
                f"so there is no customer base {days:,} days earlier to compare with. "
                f"Set migration_days below {history:,} to compare with an earlier date inside the data.")
    else:
        table = customer_table(clean, snapshot_date=earlier_date)
        if len(later) < MIN_MIGRATION_CUSTOMERS:
            note = (f"No migration matrix: the data have only {len(later):,} customers in all; rank scores of so few "
                    f"say little about segments (a migration matrix needs at least {MIN_MIGRATION_CUSTOMERS}).")
        elif len(table) < MIN_MIGRATION_CUSTOMERS or table["revenue"].sum() <= 0:
            note = (f"No migration matrix: on {earlier_date:%Y-%m-%d} ({days:,} days before the snapshot) only "
                    f"{len(table):,} customers had bought, with revenue {table['revenue'].sum():,.2f}; scores need at "
                    f"least {MIN_MIGRATION_CUSTOMERS} customers with revenue. Set migration_days lower to compare "
                    "with a later date.")
    if note:
        return Migration(None, None, earlier_date, later_date, int(len(later)), note)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RFMWarning)
        earlier = rfm_segments(table, **{"warn": False, **options})
    matrix = segment_migration(earlier, later)
    new = int(len(later.index.difference(earlier.index)))
    return Migration(matrix, earlier, earlier_date, later_date, new)


def _categories(s: pd.Series) -> list[str]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    return sorted(str(v) for v in s.unique())


def rf_grid(
    segments: pd.DataFrame, *, value: str = "revenue", agg: str = "mean", bins: int | None = None
) -> pd.DataFrame:
    """R × F table of ``agg`` of ``value`` (rows R from ``bins`` down to 1, columns F 1..``bins``).

    Examples
    --------
    >>> g = rf_grid(rfm_segments(example_customers(300, seed=0), warn=False))
    >>> g.shape
    (5, 5)
    """
    bins = _bins_of(segments, bins)
    grid = segments.pivot_table(index="R", columns="F", values=value, aggfunc=agg, observed=False)
    full = pd.RangeIndex(1, bins + 1)
    return grid.reindex(index=full[::-1], columns=full).rename_axis(index="R score", columns="F score")


# --------------------------------------------------------------------------------------------
# plots (axes-level)
# --------------------------------------------------------------------------------------------


def plot_score_distributions(scores: pd.DataFrame, *, bins: int | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Share of customers at each R, F and M score (grouped bars); empty levels show as gaps."""
    ax = ax or plt.gca()
    bins = _bins_of(scores, bins)
    levels = pd.RangeIndex(1, bins + 1)
    shares = pd.DataFrame(
        {d: scores[d].value_counts(normalize=True).reindex(levels, fill_value=0) * 100 for d in "RFM"}
    )
    width = 0.8 / 3
    for i, dim in enumerate("RFM"):
        ax.bar(levels + (i - 1) * width, shares[dim], width=width, label=f"{dim} ({RAW_COLUMNS[dim]})",
               color=sns.color_palette()[i])
    ax.set_xticks(levels)
    ax.set_xlabel("score (higher is better)")
    ax.set_ylabel("customers (%)")
    ax.set_title("How customers spread over the R, F and M scores")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_rf_heatmap(segments: pd.DataFrame, *, value: str = "revenue", ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of mean ``value`` per R × F cell (empty cells blank), with values written in."""
    ax = ax or plt.gca()
    grid = rf_grid(segments, value=value)
    sns.heatmap(grid, annot=True, fmt=".0f", cmap="cividis", cbar_kws={"label": f"mean {value}"}, ax=ax)
    ax.set_title(f"Mean {value} per customer by recency and frequency score")
    ax.set_xlabel("F score (more orders →)")
    ax.set_ylabel("R score (more recent ↑)")
    return ax


def plot_segment_shares(summary: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars of customer share and revenue share per group (from :func:`segment_summary`)."""
    from segkit.plots import plot_share_bars

    return plot_share_bars(summary["customers_pct"], summary["revenue_pct"], value_label="revenue",
                           title="Customers and revenue by segment", ax=ax)


def plot_pareto(
    revenue: pd.Series,
    *,
    a: float = 0.80,
    b: float = 0.95,
    tiers: pd.Series | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Pareto (concentration) curve of revenue with the ABC tier boundaries marked and labelled.

    ``tiers`` (e.g. ``segments["abc_tier"]`` from :func:`rfm_segments`) are used as given;
    without them they are computed from ``revenue`` with ``a`` and ``b``.
    """
    from segkit.plots import plot_lorenz

    ax = plot_lorenz(revenue, ax=ax or plt.gca())
    if tiers is None:
        tiers = abc_tiers(revenue, a=a, b=b)
    ends = 100 * np.cumsum(tiers.value_counts(sort=False).reindex(ABC_TIERS, fill_value=0).to_numpy()) / len(tiers)
    starts = np.concatenate([[0.0], ends[:-1]])
    for tier, start, end in zip(ABC_TIERS, starts, ends):
        if end < 100:
            ax.axvline(end, color="grey", linestyle=":", linewidth=1)
        ax.text((start + end) / 2, 4, tier, ha="center", va="bottom", fontweight="bold")
    ax.set_title("Concentration of revenue and the ABC tiers")
    ax.legend(loc="center right")
    return ax


def plot_migration(matrix: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of a migration matrix: colour = share of the earlier row (%), text = customers."""
    ax = ax or plt.gca()
    share = matrix.div(matrix.sum(axis=1), axis=0) * 100
    sns.heatmap(share, annot=matrix, fmt="d", cmap="cividis", vmin=0, vmax=100,
                cbar_kws={"label": "% of the earlier segment"}, annot_kws={"fontsize": 7}, ax=ax)
    ax.set_title("Where customers moved between the two snapshots")
    ax.set_xlabel(str(matrix.columns.name or "later"))
    ax.set_ylabel(str(matrix.index.name or "earlier"))
    return ax


# --------------------------------------------------------------------------------------------
# example data
# --------------------------------------------------------------------------------------------


def example_customers(n_customers: int = 1000, *, seed: int = 0, horizon_days: int = 730) -> pd.DataFrame:
    """A synthetic customer table with the columns of ``segkit.data.customer_table`` used by RFM.

    Heavy ties as in real shops (about half the customers have one order), skewed
    revenue, a mix of active and lapsed customers. For examples, tests and benchmarks.

    Examples
    --------
    >>> c = example_customers(100, seed=0)
    >>> c.index.name, int((c["n_orders"] == 1).mean() > 0.3)
    ('customer_id', 1)
    """
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, horizon_days + 1, n_customers)
    rate = rng.gamma(0.5, 1 / 50, n_customers)  # orders per day while active
    active_share = rng.beta(1.2, 1.0, n_customers)
    active_days = np.maximum(tenure * active_share, 1)
    n_orders = 1 + rng.poisson(rate * active_days)
    span = np.where(n_orders > 1, np.floor(active_days * rng.beta(5, 1, n_customers)), 0).astype(np.int64)
    span = np.minimum(span, tenure)
    days_since = tenure - span
    aov = rng.lognormal(np.log(45), 0.7, n_customers)
    revenue = np.round(n_orders * aov * rng.lognormal(0, 0.2, n_customers), 2)
    snapshot = pd.Timestamp("2025-01-01")
    table = pd.DataFrame(
        {
            "first_purchase": snapshot - pd.to_timedelta(tenure, unit="D"),
            "last_purchase": snapshot - pd.to_timedelta(days_since, unit="D"),
            "days_since_last_purchase": days_since,
            "n_orders": n_orders,
            "revenue": revenue,
            "avg_order_value": np.round(revenue / n_orders, 2),
            "tenure_days": tenure,
        },
        index=pd.Index([f"C{i:07d}" for i in range(n_customers)], name="customer_id"),
    )
    table.attrs["snapshot_date"] = snapshot
    return table
