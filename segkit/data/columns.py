"""Which raw column is which: the canonical columns, the names recognised for each, the mapping.

Names are compared after lower-casing and dropping spaces, underscores, dashes, dots and
slashes. Each canonical column lists its recognised names in order of preference, so a file
with both 下单时间 (order time) and 付款时间 (payment time) takes the order time, and says so.
Known shop-system layouts whose names would be unsafe in general (Shopify's ``Name`` is the
order number) are recognised by a signature of columns that only that layout has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from segkit.data.decisions import Decision
from segkit.errors import DataError

#: The canonical columns and the raw names recognised for each, most preferred first: the UCI
#: "Online Retail" (I and II) layouts, WooCommerce and generic English export names, common
#: Chinese (simplified and traditional) and Russian (1C, marketplace) export headers.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customerid", "customer", "custid", "clientid", "client", "memberid", "userid", "buyerid",
        "customeruserid", "customernumber", "customerno", "customeremail", "billingemail", "email",
        "客户id", "客户编号", "客户号", "会员id", "会员编号", "会员号", "买家id", "买家", "买家会员名", "用户id",
        "顾客id", "客戶id", "客戶編號", "會員id", "會員編號",
        "клиент", "покупатель", "контрагент", "кодклиента", "idклиента", "кодпокупателя", "idпокупателя",
    ),
    "order_id": (
        "orderid", "invoiceno", "invoice", "invoiceid", "ordernumber", "orderno", "transactionid",
        "订单号", "订单编号", "订单id", "交易号", "单号", "訂單編號", "訂單號",
        "номерзаказа", "заказ", "документ", "номердокумента", "номер",
    ),
    "order_date": (
        "orderdate", "invoicedate", "transactiondate", "purchasedate", "orderdatetime", "createdat",
        "ordercreated", "date", "datetime",
        "下单时间", "下单日期", "订单创建时间", "创建时间", "付款时间", "支付时间", "成交时间", "日期", "订单日期",
        "下單時間", "訂單日期",
        "датазаказа", "датадокумента", "дата", "датаивремя",
    ),
    "product_id": (
        "productid", "stockcode", "sku", "itemid", "productcode", "product", "itemsku",
        "商品编码", "商品编号", "商品id", "货号", "商家编码", "商品代碼",
        "артикул", "кодтовара", "код",
    ),
    "description": (
        "description", "productname", "itemname", "商品名称", "宝贝标题", "商品名稱",
        "номенклатура", "товар", "наименование",
    ),
    "quantity": ("quantity", "qty", "units", "numberofitems", "items", "numberofcds", "数量", "购买数量", "數量", "количество", "колво"),
    "unit_price": (
        "unitprice", "price", "itemprice", "priceeach", "itemcost", "单价", "商品单价", "單價", "цена",
    ),
    "amount": (
        "amount", "revenue", "sales", "linetotal", "lineamount", "totalprice", "linesubtotal", "netamount",
        "salesamount", "dollarvalue", "dollars", "value", "spend",
        "实付金额", "金额", "应付金额", "商品总价", "小计", "實付金額", "金額",
        "сумма", "суммасндс", "стоимость",
    ),
    "country": ("country", "shippingcountry", "国家", "國家", "страна"),
    "channel": ("channel", "saleschannel", "渠道", "销售渠道", "канал"),
    "category": ("category", "productcategory", "类目", "商品类目", "分类", "категория"),
    "discount": ("discount", "discountrate"),
}
#: A customer and a date are the minimum; without an order id, one order is one customer at one timestamp.
REQUIRED: tuple[str, ...] = ("customer_id", "order_date")
NUMERIC: tuple[str, ...] = ("quantity", "unit_price", "amount", "discount")


@dataclass(frozen=True)
class Layout:
    """A shop system's export, recognised by columns only it has, with its own column names."""

    name: str
    signature: tuple[str, ...]
    columns: Mapping[str, str]


#: Shopify's order export: one row per line item; ``Name`` is the order number (#1001) and the
#: order-level money columns (Subtotal, Total) are filled on the first row of an order only, so
#: line revenue is ``Lineitem quantity × Lineitem price``.
LAYOUTS: tuple[Layout, ...] = (
    Layout(
        name="Shopify order export",
        signature=("Lineitem quantity", "Lineitem price", "Name"),
        columns={
            "Name": "order_id", "Email": "customer_id", "Created at": "order_date",
            "Lineitem quantity": "quantity", "Lineitem price": "unit_price", "Lineitem sku": "product_id",
            "Lineitem name": "description", "Billing Country": "country", "Source": "channel",
        },
    ),
)


def normalise_name(name: object) -> str:
    """A column name compared loosely: lower case, no spaces, underscores, dashes, dots, slashes, ``#`` or ``№``.

    >>> normalise_name("Customer ID"), normalise_name("Кол-во"), normalise_name("客户ID")
    ('customerid', 'колво', '客户id')
    """
    return re.sub(r"[\s_\-./#№:()（）]+", "", str(name)).lower()


def _known_layout(frame: pd.DataFrame) -> Layout | None:
    present = {normalise_name(c) for c in frame.columns}
    for layout in LAYOUTS:
        if all(normalise_name(c) in present for c in layout.signature):
            return layout
    return None


def _check_explicit(frame: pd.DataFrame, columns: dict[str, str], source: str) -> None:
    unknown = [raw for raw in columns if raw not in frame.columns]
    if unknown:
        raise DataError(
            f"{source}: the column mapping names {unknown}, which the file does not have. "
            f"Columns found: {list(frame.columns)}. Fix the mapping's keys (raw names) to match."
        )
    bad_targets = sorted(set(columns.values()) - set(COLUMN_ALIASES))
    if bad_targets:
        raise DataError(
            f"{source}: the column mapping maps to {bad_targets}, which are not segkit columns. "
            f"Map raw names to one of: {sorted(COLUMN_ALIASES)}."
        )


def map_columns(
    frame: pd.DataFrame, columns: Mapping[str, str] | None, *, source: str = "the data"
) -> tuple[dict[str, str], list[Decision]]:
    """Return ``{raw column: canonical name}`` and the decisions behind it.

    The explicit mapping comes first, then a recognised shop-system layout, then the aliases
    in order of preference. Two raw columns with the same, most preferred name for one
    canonical column are ambiguous and refused.
    """
    explicit = dict(columns or {})
    _check_explicit(frame, explicit, source)
    mapping = dict(explicit)
    decisions = [Decision("column " + repr(raw), "meaning", canonical, "given in the column map", given=True)
                 for raw, canonical in explicit.items()]
    layout = _known_layout(frame)
    if layout is not None:
        by_name = {normalise_name(c): c for c in frame.columns}
        for raw_name, canonical in layout.columns.items():
            raw = by_name.get(normalise_name(raw_name))
            if raw is not None and raw not in mapping and canonical not in mapping.values():
                mapping[raw] = canonical
        decisions.append(Decision("file", "layout", layout.name,
                                  f"it has the columns {', '.join(layout.signature)}"))
    for canonical, aliases in COLUMN_ALIASES.items():
        if canonical in mapping.values():
            continue
        free = [c for c in frame.columns if c not in mapping]
        names = {c: normalise_name(c) for c in free}
        for alias in (canonical.replace("_", ""), *aliases):
            matches = [c for c in free if names[c] == alias]
            if len(matches) > 1:
                raise DataError(
                    f"{source}: ambiguous columns for '{canonical}': {matches} all look like it. "
                    f"Say which one to use with column_map: {{'{matches[0]}': '{canonical}'}}."
                )
            if matches:
                mapping[matches[0]] = canonical
                others = [c for c in free if c != matches[0] and names[c] in aliases]
                if others:
                    decisions.append(Decision(
                        f"column {matches[0]!r}", "meaning", canonical,
                        f"preferred to {others} (set column_map to choose another)"))
                break
    return mapping, decisions


def check_required(mapping: dict[str, str], frame: pd.DataFrame, *, source: str = "the data") -> None:
    """Refuse a file without a customer, a date, and an amount or quantity × price."""
    present = set(mapping.values())
    missing = [c for c in REQUIRED if c not in present]
    if not ({"quantity", "unit_price"} <= present or "amount" in present):
        missing.append("amount (or quantity and unit_price)")
    if missing:
        raise DataError(
            f"{source}: missing required column(s): {', '.join(missing)}. Columns found: {list(frame.columns)}. "
            "Rename them, or map them with the column_map parameter, e.g. column_map: {'MyCustomerCol': 'customer_id'} "
            "(in Python: columns={'MyCustomerCol': 'customer_id'})."
        )
