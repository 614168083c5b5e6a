"""What a column holds: its *kind*, inferred from its name and dtype, with explicit overrides.

A kind decides how a value is written (see :mod:`segkit.present.values`). The name rules read
the column's words (``break_even_response_rate`` → ``break``, ``even``, ``response``, ``rate``)
in a fixed order, so the first matching rule wins: ``value_share`` is a share before it is money,
``revenue_lift`` is money before it is a lift.
"""

from __future__ import annotations

import re

import pandas as pd

from segkit.errors import DataError

#: Every kind a column can have, with how it is written.
KINDS: dict[str, str] = {
    "money": "currency and thousands separators, 2 decimals: £1,234.50",
    "count": "whole numbers with thousands separators (4,982); a fractional count (an expectation) keeps 1 decimal",
    "days": "like count: 256 or 256.3",
    "share": "a fraction 0-1 written as a percentage with 1 decimal: 0.123 → 12.3%; 0.0003 → 0.03%, 0 → 0%",
    "percent": "already 0-100, written with 1 decimal: 12.3 → 12.3%; 0.03 → 0.03%, 0 → 0%",
    "rate": "a fraction written as a percentage with 2 decimals: 0.0123 → 1.23%; 0.00004 → 0.004%, 0 → 0%",
    "points": "a difference of two fractions, signed, in percentage points: 0.033 → +3.3 pts; 0.0002 → +0.02 pts",
    "ratio": "like number (ROI, lift ratios, fit statistics)",
    "number": "at most 2 decimals, none when the value rounds to a whole number: 0.4588 → 0.46, 7.0 → 7; "
              "a nonzero value below 0.01 keeps 2 significant digits: 0.0034 → 0.0034, 0 → 0",
    "score": "like number (RFM scores, silhouettes)",
    "pvalue": "2 decimals, 2 significant digits below 0.01 (0.0034), '<0.001' below 0.001",
    "date": "2025-12-31 (with hh:mm when some value has a time of day)",
    "flag": "yes / no",
    "text": "as written, wrapped, never cut; numbers and dates inside it formatted as above",
}

# (kind, words): the first rule with a word in the column's words names the kind
_NAME_RULES: list[tuple[str, frozenset[str]]] = [
    ("pvalue", frozenset({"p_value", "pvalue"})),
    ("percent", frozenset({"pct", "percent", "percentage"})),
    ("share", frozenset({"share", "shares", "fraction", "proportion", "probability", "p_alive", "alive", "rel",
                         "coverage"})),
    ("points", frozenset({"uplift", "abs_lift", "true_lift"})),
    ("ratio", frozenset({"roi", "ratio", "aic", "likelihood", "log_likelihood", "correlation", "gini", "mae",
                         "rmse", "silhouette", "z", "robust_z", "index", "lift_ratio"})),
    ("money", frozenset({"revenue", "profit", "cost", "costs", "spend", "spent", "clv", "sales", "price", "amount",
                         "monetary", "budget", "value", "income", "payment", "payments", "turnover", "aov"})),
    ("rate", frozenset({"rate", "rates", "response"})),
    ("score", frozenset({"score", "scores"})),
    ("days", frozenset({"days", "day", "recency", "tenure", "age", "gap", "cycle"})),
    ("count", frozenset({"customers", "customer", "orders", "order", "lines", "line", "transactions", "contacts",
                         "responders", "responses", "size", "count", "rows", "n", "matched", "segments",
                         "params", "distinct", "filled", "missing", "products", "purchases", "buyers", "members",
                         "invoices", "cells", "levels", "baskets", "items", "quantity", "frequency", "treatment",
                         "control", "clusters"})),
]
#: first words that turn a count into an average (``median_orders`` may be 2.5)
_AVERAGES = frozenset({"mean", "median", "avg", "average", "expected", "predicted", "typical"})
#: names that are a kind on their own, whatever their words say
_EXACT: dict[str, str] = {"lift": "ratio", "T": "days", "R": "score", "F": "score", "M": "score", "p": "pvalue",
                          "k": "count", "rfm": "score", "rfm_score": "score", "year": "text", "seed": "text"}


def words(name: object) -> list[str]:
    """The lower-case words of a column name, with ``p_alive``-style pairs kept whole as well.

    Examples
    --------
    >>> words("break_even_response_rate")
    ['break', 'even', 'response', 'rate', 'break_even', 'even_response', 'response_rate']
    """
    parts = [w for w in re.split(r"[^0-9a-z]+", str(name).lower()) if w]
    return parts + [f"{a}_{b}" for a, b in zip(parts, parts[1:])]


def kind_from_name(name: object) -> str | None:
    """The kind a name alone implies, or None when the name says nothing.

    Examples
    --------
    >>> kind_from_name("revenue_pct"), kind_from_name("value_share"), kind_from_name("n_orders")
    ('percent', 'share', 'count')
    >>> kind_from_name("median_orders"), kind_from_name("customer_id"), kind_from_name("segment")
    ('number', 'text', None)
    """
    if str(name) in _EXACT:
        return _EXACT[str(name)]
    found = words(name)
    if not found:
        return None
    if found[-1] == "id" or str(name).lower().endswith("_id"):
        return "text"
    present = set(found)
    for kind, names in _NAME_RULES:
        if present & names:
            if kind == "count" and found[0] in _AVERAGES:
                return "number"
            return kind
    return None


def infer_kind(name: object, values: pd.Series) -> str:
    """The kind of one column: from its dtype first (dates, flags, text), then its name, then numbers.

    Examples
    --------
    >>> infer_kind("revenue", pd.Series([1.5])), infer_kind("when", pd.Series(pd.to_datetime(["2025-01-01"])))
    ('money', 'date')
    >>> infer_kind("whatever", pd.Series([3, 4])), infer_kind("whatever", pd.Series([0.5]))
    ('count', 'number')
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_bool_dtype(values):
        return "flag"
    if not pd.api.types.is_numeric_dtype(values):
        return "text"
    by_name = kind_from_name(name)
    if by_name is not None and by_name != "text":
        return by_name
    if by_name == "text":
        return "text"
    return "count" if pd.api.types.is_integer_dtype(values) else "number"


def check_kinds(kinds: dict | None, names: pd.Index, *, where: str) -> dict:
    """Validate explicit kinds: each a known kind, each naming a column (or row) that exists."""
    kinds = dict(kinds or {})
    unknown = {k: v for k, v in kinds.items() if v not in KINDS}
    if unknown:
        raise DataError(f"Unknown kind(s) {unknown} in kinds=; use one of {sorted(KINDS)}.")
    missing = [k for k in kinds if k not in set(names)]
    if missing:
        raise DataError(f"kinds= names {missing}, which are not {where} of the table ({list(names)[:12]}); "
                        "fix the name or drop it.")
    return kinds
