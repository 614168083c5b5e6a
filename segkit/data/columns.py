"""Which raw column is which: the canonical columns, the names recognised for each, the mapping."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from segkit.errors import DataError

#: The canonical columns and the raw names recognised for each, compared after lower-casing
#: and dropping spaces, underscores and dashes. Covers the UCI "Online Retail" and
#: "Online Retail II" layouts and the usual e-commerce export names.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": ("customerid", "customer", "custid", "clientid", "memberid", "userid", "buyerid"),
    "order_id": ("orderid", "invoiceno", "invoice", "invoiceid", "ordernumber", "orderno", "transactionid"),
    "order_date": ("orderdate", "invoicedate", "date", "transactiondate", "purchasedate", "orderdatetime"),
    "product_id": ("productid", "stockcode", "sku", "itemid", "productcode", "product"),
    "description": ("description", "productname", "itemname"),
    "quantity": ("quantity", "qty", "units"),
    "unit_price": ("unitprice", "price", "itemprice", "priceeach"),
    "amount": ("amount", "revenue", "sales", "linetotal", "lineamount", "totalprice"),
    "country": ("country",),
    "channel": ("channel", "saleschannel"),
    "category": ("category", "productcategory"),
    "discount": ("discount", "discountrate"),
}
REQUIRED: tuple[str, ...] = ("customer_id", "order_id", "order_date")
NUMERIC: tuple[str, ...] = ("quantity", "unit_price", "amount", "discount")


def _normalise_name(name: object) -> str:
    return re.sub(r"[\s_\-./]+", "", str(name)).lower()



def _map_columns(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> dict[str, str]:
    """Return {raw column: canonical name}, from the explicit mapping first, then the aliases."""
    columns = dict(columns or {})
    unknown = [raw for raw in columns if raw not in frame.columns]
    if unknown:
        raise DataError(
            f"The column mapping names {unknown}, which the data does not have. "
            f"Columns found: {list(frame.columns)}. Fix the mapping's keys (raw names) to match."
        )
    bad_targets = sorted(set(columns.values()) - set(COLUMN_ALIASES))
    if bad_targets:
        raise DataError(
            f"The column mapping maps to {bad_targets}, which are not segkit columns. "
            f"Map raw names to one of: {sorted(COLUMN_ALIASES)}."
        )
    mapping = dict(columns)
    taken = set(columns.values())
    for canonical, aliases in COLUMN_ALIASES.items():
        if canonical in taken:
            continue
        matches = [c for c in frame.columns if c not in mapping and _normalise_name(c) in (_normalise_name(canonical), *aliases)]
        if len(matches) > 1:
            raise DataError(
                f"Ambiguous columns for '{canonical}': {matches} all look like it. "
                f"Say which one to use with columns={{'{matches[0]}': '{canonical}'}}."
            )
        if matches:
            mapping[matches[0]] = canonical
    return mapping


def _check_required(mapping: dict[str, str], frame: pd.DataFrame) -> None:
    present = set(mapping.values())
    missing = [c for c in REQUIRED if c not in present]
    if not ({"quantity", "unit_price"} <= present or "amount" in present):
        missing.append("amount (or quantity and unit_price)")
    if missing:
        raise DataError(
            f"Missing required column(s): {', '.join(missing)}. Columns found: {list(frame.columns)}. "
            "Rename them, or pass a mapping such as columns={'MyCustomerCol': 'customer_id'} "
            "(in the notebooks: the column_map parameter)."
        )

