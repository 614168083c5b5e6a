"""Constants and input checks shared by the CLV functions that read customer tables."""

from __future__ import annotations

import pandas as pd

from segkit.data import check_customer_table
from segkit.errors import DataError


#: Days in a year, used to turn annual rates into daily ones (and back).
DAYS_PER_YEAR: float = 365.25


#: The buy-till-you-die columns of a customer table that the CLV models read.
BTYD_COLUMNS: tuple[str, ...] = ("frequency", "recency", "T", "monetary_value")


def _check_margin(margin: float) -> None:
    if not 0 < margin <= 1:
        raise DataError(f"margin is a fraction of revenue in (0, 1]; got {margin}. For 35% pass 0.35.")


def _check_discount_rate(discount_rate: float) -> None:
    if discount_rate < 0:
        raise DataError(f"discount_rate must be >= 0 (annual, e.g. 0.1 for 10%); got {discount_rate}.")


def _check_customers(customers: pd.DataFrame, columns: list[str] | tuple[str, ...], where: str) -> None:
    check_customer_table(customers, list(columns),
                         fix=f"{where} reads them: build the table with segkit.data.customer_table(clean)")


def _require(frame: pd.DataFrame, columns: list[str] | tuple[str, ...], where: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise DataError(f"{where} needs column(s) {missing}; got {list(frame.columns)}. "
                        "Build the table with segkit.data.customer_table (or calibration_holdout).")
