"""The words the RFM reports show, written from numbers: the headline, score-level notes and migration sentences.

Functions here compute nothing; they turn numbers the other modules computed into sentences (with
the number, its unit and the parameter to change), so that report prose lives in one place.
The two labels of the migration matrix's extra row and column are words the reports show too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from segkit.present import money_text

if TYPE_CHECKING:
    import pandas as pd

    from segkit.rfm.migration import Migration

#: Origin row of the migration matrix for customers whose first purchase is after the earlier snapshot.
NOT_YET_A_CUSTOMER: str = "(not yet a customer)"
#: Destination column for earlier customers missing from the later table (e.g. returns netted revenue to 0).
NO_LONGER_IN_TABLE: str = "(no longer in the table)"


def rfm_headline(
    summary: pd.DataFrame,
    tiers: pd.DataFrame,
    *,
    segment: str = "Champions",
    winback: Sequence[str] = ("At Risk", "Can't Lose Them"),
    a: float = 0.80,
) -> str:
    """The report's headline: the share of ``segment``, of the quiet ``winback`` segments and of tier A.

    Parameters
    ----------
    summary, tiers : DataFrame
        :func:`~segkit.rfm.segment_summary` by segment and by ``abc_tier``.
    segment : str
        The segment named first.
    winback : sequence of str
        Valuable segments that stopped buying, named together as the first win-back target.
    a : float
        The cumulative revenue share that closes tier A (``abc[0]`` of :func:`~segkit.rfm.rfm_segments`).

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"customers_pct": [20.0, 10.0, 9.0, 61.0], "revenue_pct": [60.0, 9.0, 7.0, 24.0]},
    ...                        index=["Champions", "At Risk", "Can't Lose Them", "Lost"])
    >>> tiers = pd.DataFrame({"customers_pct": [24.0, 30.0, 46.0]}, index=["A", "B", "C"])
    >>> rfm_headline(summary, tiers)  # doctest: +NORMALIZE_WHITESPACE
    "**Champions are 20% of customers and 60% of revenue.** At Risk and Can't Lose Them are 19% of customers
    and 16% of past revenue but have stopped buying: the first win-back target. 24% of customers (tier A)
    make 80% of revenue."
    """
    top, quiet = summary.loc[segment], summary.reindex(list(winback)).sum()
    return (
        f"**{segment} are {top['customers_pct']:.0f}% of customers and {top['revenue_pct']:.0f}% of "
        f"revenue.** {' and '.join(winback)} are {quiet['customers_pct']:.0f}% of customers and "
        f"{quiet['revenue_pct']:.0f}% of past revenue but have stopped buying: the first win-back target. "
        f"{tiers.loc['A', 'customers_pct']:.0f}% of customers (tier A) make {a:.0%} of revenue."
    )


def departures_note(counts: pd.DataFrame, *, rules_name: str = "these rules") -> str:
    """What the departures from the published table amount to, in cells and in customers.

    Parameters
    ----------
    counts : DataFrame
        :func:`~segkit.rfm.departure_customers` (index: the departure kinds, ``"as published"`` and
        ``"all customers"``; columns ``cells``, ``customers``, ``customers_pct``).
    rules_name : str
        How the sentence names the rules.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"cells": [42, 36, 0, 47, 125], "customers": [30, 10, 0, 60, 100],
    ...                        "customers_pct": [30.0, 10.0, 0.0, 60.0, 100.0]},
    ...                       index=["overlap resolved", "gap filled", "renamed", "as published", "all customers"])
    >>> departures_note(counts)  # doctest: +NORMALIZE_WHITESPACE
    'The published table gives 47 of the 125 score cells exactly the name these rules give. 42 cells are claimed
    by two or more published segments (overlap resolved by the priority order): 30 customers (30.0%). 36 cells
    are claimed by none (gap filled): 10 customers (10.0%). 60 customers (60.0%) are named exactly as published.'
    """
    parts = [f"The published table gives {counts.loc['as published', 'cells']:,} of the "
             f"{counts.loc['all customers', 'cells']:,} score cells exactly the name {rules_name} give."]
    words = {"overlap resolved": "are claimed by two or more published segments (overlap resolved by the "
                                 "priority order)",
             "gap filled": "are claimed by none (gap filled)",
             "renamed": "have one published name but another name here (renamed)"}
    for kind, phrase in words.items():
        if counts.loc[kind, "cells"]:
            parts.append(f"{counts.loc[kind, 'cells']:,} cells {phrase}: {counts.loc[kind, 'customers']:,} customers "
                         f"({counts.loc[kind, 'customers_pct']:.1f}%).")
    parts.append(f"{counts.loc['as published', 'customers']:,} customers "
                 f"({counts.loc['as published', 'customers_pct']:.1f}%) are named exactly as published.")
    return " ".join(parts)


def rules_difference_note(difference: dict[str, float], *, other: str) -> str:
    """How many score cells and customers another rules file would name differently.

    Parameters
    ----------
    difference : dict
        :func:`~segkit.rfm.rules_difference` with scored customers (``cells``, ``customers``, ``customers_share``).
    other : str
        How the sentence names the other rules.

    Examples
    --------
    >>> difference = {"cells": 65, "customers": 1764, "customers_share": 0.3548}
    >>> rules_difference_note(difference, other="The lattice rules")  # doctest: +NORMALIZE_WHITESPACE
    'The lattice rules name 65 of the 125 score cells differently; 1,764 customers (35.5%) of this data would
    be in another segment.'
    """
    return (f"{other} name {difference['cells']:,} of the 125 score cells differently; {difference['customers']:,} "
            f"customers ({difference['customers_share']:.1%}) of this data would be in another segment.")


def score_levels_note(report: pd.DataFrame) -> str:
    """The notes of :func:`~segkit.rfm.score_report` as a Markdown list, or one sentence when every level is used.

    Examples
    --------
    >>> import pandas as pd
    >>> score_levels_note(pd.DataFrame({"levels_requested": [5, 5, 5], "note": ["", "", ""]}))
    'All three dimensions use all 5 score levels.'
    >>> score_levels_note(pd.DataFrame({"levels_requested": [5, 5, 5], "note": ["", "F is coarse.", ""]}))
    '* F is coarse.'
    """
    notes = [note for note in report["note"] if note]
    bins = report["levels_requested"].iloc[0]
    return "\n".join(f"* {note}" for note in notes) or f"All three dimensions use all {bins} score levels."


def _example_cuts(dim: str, bins: int) -> list[int]:
    base = {"R": [30, 90, 180, 365], "F": [2, 3, 5, 10], "M": [50, 100, 250, 1000]}[dim]
    return base[: bins - 1] if bins <= 5 else base + [base[-1] * (i + 2) for i in range(bins - 5)]


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


def _no_history_note(first: pd.Timestamp, history: int, days: int) -> str:
    """Why there is no migration matrix when the data start after the earlier snapshot."""
    return (f"No migration matrix: the data start on {first:%Y-%m-%d}, {history:,} days before the snapshot, "
            f"so there is no customer base {days:,} days earlier to compare with. "
            f"Set migration_days below {history:,} to compare with an earlier date inside the data.")


def _too_few_customers_note(n_customers: int, minimum: int) -> str:
    """Why there is no migration matrix when the whole table is too small."""
    return (f"No migration matrix: the data have only {n_customers:,} customers in all; rank scores of so few "
            f"say little about segments (a migration matrix needs at least {minimum}).")


def _too_few_buyers_note(earlier_date: pd.Timestamp, days: int, n_customers: int, revenue: float,
                         minimum: int) -> str:
    """Why there is no migration matrix when too few customers had bought by the earlier snapshot."""
    return (f"No migration matrix: on {earlier_date:%Y-%m-%d} ({days:,} days before the snapshot) only "
            f"{n_customers:,} customers had bought, with revenue {money_text(revenue, decimals=2)}; scores need at "
            f"least {minimum} customers with revenue. Set migration_days lower to compare "
            "with a later date.")


def _migration_summary(migration: Migration, segment: str) -> str:
    """One sentence for the report: how many of ``segment`` stayed, how many customers are new."""
    if migration.matrix is None:
        return migration.note
    kept = migration.stayed(segment)
    head = (f"Between {migration.earlier_date:%Y-%m-%d} and {migration.later_date:%Y-%m-%d}, "
            + (f"no customer was {segment} at the earlier date" if kept is None
               else f"{kept:.0%} of {segment} stayed {segment}"))
    if migration.new_customers:
        return f"{head}; {migration.new_customers:,} customers are new since then."
    return (f"{head}; no customer is new since then: every customer had bought before "
            f"{migration.earlier_date:%Y-%m-%d} (a closed cohort), so the matrix has no '{NOT_YET_A_CUSTOMER}' row.")
