"""The front door: any supported file or DataFrame -> segkit's canonical transaction table.

:func:`read_transactions` reads the file (:mod:`segkit.data.read` decides encoding, delimiter
and sheets), recognises the columns (:mod:`segkit.data.columns`), and decides each number and
date column's format once from all its values (:mod:`segkit.data.numeric`, :mod:`segkit.data.dates`). It returns the lines
and every decision it made, for the profiling report and the quality log.

A customer, a date and either an amount or quantity × unit price are enough:

* without an order id, one order is one customer at one timestamp;
* without a quantity, every line is one unit, and a negative amount is a refund (quantity −1);
* without a unit price, none is invented (``unit_price`` stays empty).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.data.columns import COLUMN_ALIASES, NUMERIC, check_required, map_columns
from segkit.data.decisions import Decision, decisions_table
from segkit.data.dates import parse_dates
from segkit.data.numeric import AmbiguousDecimal, _check_number_options, _parse_numbers
from segkit.data.read import read_raw
from segkit.errors import DataError

_MAX_EXAMPLES = 5
_TEXT_COLUMNS: tuple[str, ...] = ("product_id", "description", "country", "channel", "category")


@dataclass(frozen=True)
class Transactions:
    """The canonical order lines of a file and the reading decisions behind them.

    Attributes
    ----------
    lines : DataFrame
        See :func:`load_transactions`.
    decisions : DataFrame
        One row per decision (``subject``, ``aspect``, ``value``, ``evidence``, ``given``).
    """

    lines: pd.DataFrame
    decisions: pd.DataFrame


#: Text that exports write for "no value"; blanked in ids, and before numbers and dates are decided.
MISSING_TOKENS: frozenset[str] = frozenset({"nan", "NaN", "None", "NULL", "null", "N/A", "n/a", "#N/A", "NaT"})


def _parse_ids(raw: pd.Series) -> pd.Series:
    """Ids as text: '17850.0' (a float-typed export) becomes '17850'; blanks and "no value" tokens become missing."""
    text = raw.astype("string").str.strip()
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return text.mask(text.isin(["", "<NA>", *MISSING_TOKENS]))


def _decimal_of(decision: Decision) -> str | None:
    """The decimal mark a number-format decision settled, if it settled one."""
    found = re.search(r"decimal '(.)'", decision.value)
    return found.group(1) if found else None


def _blank_missing(values: pd.Series) -> pd.Series:
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return values
    return values.mask(values.isin(MISSING_TOKENS))


def _order_ids(renamed: pd.DataFrame, lines: pd.DataFrame, raw_name: str | None) -> tuple[pd.Series, Decision | None]:
    def derived() -> pd.Series:
        return lines["customer_id"].fillna("") + " @ " + lines["order_date"].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")

    if raw_name is None:
        return derived(), Decision(
            "file", "order id", "one order = one customer at one timestamp",
            "the file has no order id column; lines of a customer with the same date and time form one order")
    ids = _parse_ids(renamed["order_id"])
    blank = ids.isna()
    if not blank.any():
        return ids, None
    return ids.fillna(derived()), Decision(
        f"column {raw_name!r}", "order id", "blanks filled: one order = one customer at one timestamp",
        f"{int(blank.sum()):,} line(s) have no order id")


def read_transactions(
    source: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    date_format: str | None = None,
    sheet: str | int | None = None,
) -> Transactions:
    """Read order lines into segkit's canonical layout, and say how the file was read.

    Parameters
    ----------
    source : path or DataFrame
        CSV/TSV/TXT (optionally ``.gz``, ``.bz2``, ``.xz``, ``.zip``), Parquet or Excel file, or a DataFrame.
    columns : mapping, optional
        Raw column name -> canonical name, for columns segkit does not recognise.
    encoding, delimiter : str, optional
        Text files only; decided from the file when not given.
    decimal, thousands : str, optional
        Decimal mark and thousands separator of every number column; decided per column when not given.
    date_format : str, optional
        ``strftime`` format of the date column, e.g. ``"%d.%m.%Y %H:%M"``; decided when not given.
    sheet : str or int, optional
        Excel only: read this sheet; by default every sheet with the first sheet's header is stacked.

    Returns
    -------
    Transactions
        ``lines`` (see :func:`load_transactions`) and ``decisions``.

    Raises
    ------
    DataError
        A file that cannot be read or decided, with the file, the column, example values and the fix.
    """
    _check_number_options(decimal, thousands, None)
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), "the DataFrame"
        decisions: list[Decision] = []
    else:
        path = Path(source)
        raw = read_raw(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
        frame, name, decisions = raw.frame, f"'{path.name}'", list(raw.decisions)
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataError(f"{name} has no rows{'' if frame.shape[1] else ' and no columns'}. Check the export.")
    frame.columns = [str(c).strip() for c in frame.columns]
    mapping, mapped = map_columns(frame, columns, source=name)
    decisions += mapped
    check_required(mapping, frame, source=name)
    raw_of = {canonical: raw for raw, canonical in mapping.items()}
    renamed = frame.rename(columns=mapping)
    lines = pd.DataFrame(index=renamed.index)
    lines["customer_id"] = _parse_ids(renamed["customer_id"])
    if lines["customer_id"].isna().all():
        raise DataError(
            f"{name}: the customer column {raw_of['customer_id']!r} is empty in every one of its {len(lines):,} rows, "
            "so no line can be attributed to a customer. Export the customer id (or e-mail) with the orders, or map "
            "another column with column_map: {'<column>': 'customer_id'}."
        )
    lines["order_date"], decision = parse_dates(
        _blank_missing(renamed["order_date"]), column=raw_of["order_date"], source=name, date_format=date_format)
    decisions.append(decision)
    numbers, made = _numbers(renamed, raw_of, source=name, decimal=decimal, thousands=thousands)
    decisions += made
    lines["order_id"], decision = _order_ids(renamed, lines, raw_of.get("order_id"))
    decisions += [decision] if decision else []
    lines["quantity"], lines["unit_price"], lines["amount"], made = _money(numbers)
    decisions += made
    for column in _TEXT_COLUMNS:
        if column in renamed:
            lines[column] = renamed[column].astype("string").str.strip()
    if "discount" in numbers:
        lines["discount"] = numbers["discount"]
    extras = [c for c in renamed.columns if c not in lines.columns and c not in COLUMN_ALIASES]
    lines = pd.concat([lines[["customer_id", "order_id", *lines.columns.drop(["customer_id", "order_id"])]],
                       renamed[extras]], axis=1).reset_index(drop=True)
    return Transactions(lines, decisions_table(decisions))


def _numbers(renamed: pd.DataFrame, raw_of: dict[str, str], *, source: str, decimal: str | None,
             thousands: str | None) -> tuple[dict[str, pd.Series], list[Decision]]:
    """Every number column, decided per column; a column that reads with either decimal mark takes the
    mark its file's other columns settled (a 1C export's quantities '4,641' beside prices '1 234,50')."""
    numbers: dict[str, pd.Series] = {}
    decisions: dict[str, Decision] = {}
    pending: dict[str, AmbiguousDecimal] = {}
    for canonical in (c for c in NUMERIC if c in renamed):
        try:
            numbers[canonical], decisions[canonical] = _parse_numbers(
                _blank_missing(renamed[canonical]), column=raw_of[canonical], source=source, decimal=decimal,
                thousands=thousands, file_decimal=None)
        except AmbiguousDecimal as error:
            pending[canonical] = error
    settled = next((d for d in map(_decimal_of, decisions.values()) if d), None)
    for canonical, error in pending.items():
        if settled is None:
            raise error
        numbers[canonical], decisions[canonical] = _parse_numbers(
            _blank_missing(renamed[canonical]), column=raw_of[canonical], source=source, decimal=None,
            thousands=thousands, file_decimal=settled)
    return numbers, [decisions[c] for c in NUMERIC if c in decisions]


def _money(numbers: dict[str, pd.Series]) -> tuple[pd.Series, pd.Series, pd.Series, list[Decision]]:
    """Quantity, unit price and line amount from what the file has; decisions for what it lacks."""
    decisions = []
    amount = numbers.get("amount")
    quantity = numbers.get("quantity")
    price = numbers.get("unit_price")
    if quantity is None:
        quantity = pd.Series(np.where(amount < 0, -1.0, 1.0), index=amount.index)
        decisions.append(Decision("file", "quantity", "1 per line; -1 for a negative amount (a refund)",
                                  "the file has no quantity column"))
    if amount is None:
        amount = quantity * price
        decisions.append(Decision("file", "amount", "quantity × unit price", "the file has no line amount column"))
    if price is None:
        price = pd.Series(np.nan, index=amount.index)
        decisions.append(Decision("file", "unit price", "none (not invented)",
                                  "the file has no unit price column; line amounts are used as they are"))
    return quantity.astype(float), price.astype(float), amount.astype(float), decisions


def load_transactions(source: str | os.PathLike | pd.DataFrame, **options) -> pd.DataFrame:
    """Read order lines from a file or DataFrame into segkit's canonical layout.

    Takes the options of :func:`read_transactions`, which also returns the reading decisions.

    Returns
    -------
    DataFrame
        ``customer_id`` (string, missing for guest orders), ``order_id`` (string),
        ``order_date`` (datetime64, missing where the file has no date), ``quantity``,
        ``unit_price`` (missing when the file has none), ``amount`` (line revenue,
        ``quantity * unit_price`` unless the file has its own), plus ``product_id``,
        ``description``, ``country``, ``channel``, ``category``, ``discount`` where present,
        and any other columns as they were.

    Examples
    --------
    >>> raw = pd.DataFrame({"Invoice": ["1", "1"], "Customer ID": [7.0, 7.0],
    ...                     "InvoiceDate": ["2024-01-02", "2024-01-02"],
    ...                     "Quantity": [2, 1], "Price": [3.5, 10.0]})
    >>> load_transactions(raw)[["customer_id", "order_id", "amount"]].values.tolist()
    [['7', '1', 7.0], ['7', '1', 10.0]]
    """
    return read_transactions(source, **options).lines
