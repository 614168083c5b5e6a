"""Figure titles that state the finding, written from the numbers the figure shows.

A chart titled "Concentration of revenue" makes the reader work out the point; "The top 20% of
customers make 78% of revenue" gives it. Each function here takes what its chart draws and
returns such a sentence, with money in the run's currency (see :func:`segkit.present.set_currency`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.errors import DataError
from segkit.present.table import get_currency
from segkit.present.values import format_money


def concentration_title(values: pd.Series, *, what: str = "revenue", top: float = 0.2) -> str:
    """"The top 20% of customers make 78% of revenue": the share of the total held by the largest ``top``.

    Examples
    --------
    >>> concentration_title(pd.Series([60.0, 20.0, 10.0, 5.0, 5.0]))
    'The top 20% of customers make 60% of revenue'
    """
    if not 0 < top < 1:
        raise DataError(f"top={top!r}: give the top share of customers as a fraction between 0 and 1, e.g. 0.2.")
    ordered = np.sort(np.asarray(pd.to_numeric(values, errors="coerce").dropna(), dtype=float))[::-1]
    if ordered.size == 0 or ordered.sum() <= 0:
        return f"No positive {what} to compare"
    n_top = max(1, int(round(top * ordered.size)))
    share = ordered[:n_top].sum() / ordered.sum()
    return f"The top {top:.0%} of customers make {share:.0%} of {what}"


def largest_share_title(customer_pct: pd.Series, value_pct: pd.Series, *, what: str = "revenue") -> str:
    """"Champions: 20% of customers, 62% of revenue": the group with the largest share of value.

    Both series are in percent (0-100) and indexed by group, as in ``segment_summary``.

    Examples
    --------
    >>> largest_share_title(pd.Series({"A": 20.0, "B": 80.0}), pd.Series({"A": 62.0, "B": 38.0}))
    'A: 20% of customers, 62% of revenue'
    """
    value_pct = pd.to_numeric(value_pct, errors="coerce")
    if value_pct.dropna().empty:
        return f"No {what} by group"
    group = value_pct.idxmax()
    return f"{group}: {customer_pct[group]:.0f}% of customers, {value_pct[group]:.0f}% of {what}"


def interval_title(estimate: float, lower: float, upper: float, *, level: float, what: str = "total predicted CLV",
                   currency: str | None = None) -> str:
    """"Total predicted CLV £262,000 (95% interval £251,000 to £273,000)", or without an interval.

    Examples
    --------
    >>> interval_title(262400.0, 251000.0, 273000.0, level=0.95, currency="£")
    'Total predicted CLV £262,400 (95% interval £251,000 to £273,000)'
    """
    money = get_currency(currency)
    head = f"{what[:1].upper()}{what[1:]} {format_money(estimate, money, decimals=0)}"
    if np.isnan(lower) or np.isnan(upper):
        return f"{head} (no interval)"
    return (f"{head} ({level:.0%} interval {format_money(lower, money, decimals=0)} to "
            f"{format_money(upper, money, decimals=0)})")
