"""Helpers shared by the number and date readers: distinct values, examples, messages, value kinds."""

from __future__ import annotations

import datetime as dt
import decimal as _decimal
import numbers

import numpy as np
import pandas as pd

_MAX_EXAMPLES = 3


def _where(column: str, source: str) -> str:
    return f"Column '{column}' of {source}"


def _fix(parameter: str, value: str) -> str:
    return (f'reading: {{{parameter}: "{value}"}} in the params YAML, or {parameter}="{value}" '
            "in segkit.data.load_transactions")


def _examples(values) -> str:
    return ", ".join(repr(str(v)) for v in list(values)[:_MAX_EXAMPLES])


def _as_series(values) -> pd.Series:
    return values if isinstance(values, pd.Series) else pd.Series(values)


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes (-1 for missing), the distinct values as an object array, and rows per value."""
    codes, uniques = values.factorize(use_na_sentinel=True)
    rows = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return codes, np.asarray(uniques, dtype=object), rows


def _map_back(parsed: np.ndarray, codes: np.ndarray, missing, values: pd.Series) -> pd.Series:
    """Spread per-distinct-value results over the rows (code -1, a missing value, gets ``missing``)."""
    return pd.Series(np.append(parsed, missing)[codes], index=values.index, name=values.name)


def _kinds(uniques: np.ndarray) -> np.ndarray:
    """'text', 'number', 'date' or 'other' for each distinct value of an object column."""
    if pd.api.types.infer_dtype(uniques, skipna=True) == "string":
        return np.full(len(uniques), "text", dtype=object)

    def kind(value) -> str:
        if isinstance(value, str):
            return "text"
        if isinstance(value, (dt.date, np.datetime64)):
            return "date"
        if isinstance(value, (numbers.Real, _decimal.Decimal)) and not isinstance(value, (bool, np.bool_)):
            return "number"
        return "other"

    return np.array([kind(v) for v in uniques], dtype=object)


def _clean_text(uniques: np.ndarray) -> pd.Series:
    """Distinct text values in Unicode NFKC form (full-width digits and signs become ASCII,
    no-break spaces become spaces), stripped; blanks become missing."""
    text = pd.Series(uniques, dtype=object).str.normalize("NFKC").str.strip()
    return text.mask(text == "")
