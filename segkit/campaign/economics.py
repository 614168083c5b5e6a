"""Segment economics: what each segment earns, and the money conventions of the campaign family.

Money conventions (all parameters, documented defaults):

- ``margin`` (:data:`DEFAULT_MARGIN` = 0.30): gross margin, the share of revenue left after the cost
  of goods. Profit of an order = ``order value × margin − cost_per_order``.
- ``contact_cost`` (:data:`DEFAULT_CONTACT_COST` = 1.50): cost of contacting one customer once
  (print and postage of a mailer).
- ``cost_per_order`` (:data:`DEFAULT_COST_PER_ORDER` = 0): handling cost per order not already in the margin.
- ``contacts_per_customer`` (:data:`DEFAULT_CONTACTS_PER_CUSTOMER` = 8): marketing contacts each
  customer received over the period of the customer table (a quarterly mailing over two years).
"""

from __future__ import annotations

import pandas as pd

from segkit.campaign._checks import _check_costs, _check_margin, _segments

DEFAULT_MARGIN: float = 0.30
DEFAULT_CONTACT_COST: float = 1.50
DEFAULT_COST_PER_ORDER: float = 0.0
DEFAULT_CONTACTS_PER_CUSTOMER: float = 8.0
TOTAL_LABEL: str = "All customers"
_TABLE_FIX = ("build it with segkit.data.customer_table(clean) and add a per-customer segment column "
              "(e.g. segkit.rfm.rfm_segments) or pass segment_col=")


def annual_values(customers: pd.DataFrame, *, margin: float = DEFAULT_MARGIN) -> pd.Series:
    """One year of historical value per customer: average order value × orders per year × margin.

    This is :func:`segkit.clv.historical_clv`'s ``annual_value``. Historical CLV multiplies it by
    an expected lifetime that is the same for every customer, so ranks, tiers and the value of a
    response do not depend on the churn rate; it is not estimated here, which keeps the CLV
    tiers and ``value_basis="clv"`` working on histories shorter than a year or without churn.

    Examples
    --------
    >>> table = pd.DataFrame({"avg_order_value": [50.0, 20.0], "n_orders": [4, 1],
    ...                       "tenure_days": [730, 100], "days_since_last_purchase": [10, 90]})
    >>> annual_values(table, margin=0.5).round(2).tolist()
    [50.03, 10.01]
    """
    from segkit.clv import historical_clv

    return historical_clv(customers, margin=margin, churn_rate=1.0)["annual_value"].rename("annual_value")


def segment_economics(
    customers: pd.DataFrame,
    *,
    segment_col: str = "segment",
    margin: float = DEFAULT_MARGIN,
    cost_per_order: float = DEFAULT_COST_PER_ORDER,
    contact_cost: float = DEFAULT_CONTACT_COST,
    contacts_per_customer: float = DEFAULT_CONTACTS_PER_CUSTOMER,
    total: bool = True,
) -> pd.DataFrame:
    """Profit and marketing ROI per segment over the period of the customer table.

    - ``avg_profit_per_transaction = revenue / transactions × margin − cost_per_order``
    - ``gross_profit = revenue × margin − cost_per_order × transactions`` (profit after cost of goods)
    - ``marketing_cost = customers × contacts_per_customer × contact_cost``
    - ``net_profit = gross_profit − marketing_cost``
    - ``roi = net_profit / marketing_cost = (gross_profit − marketing_cost) / marketing_cost``: profit
      returned per unit of marketing spend, after paying the spend back
    - ``break_even_response_rate = contact_cost / avg_profit_per_transaction``: the share of contacted
      customers who must place an (extra) order for one contact to pay for itself

    Parameters
    ----------
    customers : DataFrame
        Customer table (``segkit.data.customer_table``) with ``n_orders``, ``revenue`` and ``segment_col``.
    segment_col : str, default "segment"
        Per-customer segment column (RFM segment, cluster, CLV tier...).
    margin : float, default 0.30
        Gross margin, the share of revenue left after the cost of goods.
    cost_per_order : float, default 0
        Handling cost per order not in the margin.
    contact_cost : float, default 1.50
        Cost of one marketing contact.
    contacts_per_customer : float, default 8
        Contacts each customer received over the period of the table.
    total : bool, default True
        Append a row :data:`TOTAL_LABEL` with the whole customer base.

    Returns
    -------
    DataFrame
        Indexed by segment: ``customers``, ``transactions``, ``revenue``, ``avg_order_value``,
        ``avg_profit_per_transaction``, ``gross_profit``, ``marketing_cost``, ``net_profit``, ``roi``,
        ``break_even_response_rate``, ``share_of_customers``, ``share_of_net_profit``.

    Raises
    ------
    DataError
        Missing columns, negative costs or a margin outside (0, 1].

    Examples
    --------
    >>> table = pd.DataFrame({"n_orders": [4, 1, 1], "revenue": [400.0, 50.0, 30.0],
    ...                       "segment": ["A", "B", "B"]})
    >>> econ = segment_economics(table, contact_cost=2.0, contacts_per_customer=1)
    >>> econ["net_profit"].to_dict()
    {'A': 118.0, 'B': 20.0, 'All customers': 138.0}
    >>> econ["roi"].round(2).tolist(), econ["break_even_response_rate"].round(3).tolist()
    ([59.0, 5.0, 23.0], [0.067, 0.167, 0.083])
    """
    segments = _segments(customers, segment_col, needed=["n_orders", "revenue"], fix=_TABLE_FIX)
    _check_costs(cost_per_order=cost_per_order, contact_cost=contact_cost, contacts_per_customer=contacts_per_customer)
    _check_margin(margin)
    frame = pd.DataFrame(
        {"segment": segments.array,
         "n_orders": customers["n_orders"].to_numpy(float), "revenue": customers["revenue"].to_numpy(float)}
    )
    table = frame.groupby("segment", observed=True, sort=True).agg(
        customers=("revenue", "size"), transactions=("n_orders", "sum"), revenue=("revenue", "sum")
    )
    table.index = table.index.astype(str)
    if total:
        table.loc[TOTAL_LABEL] = table.sum()
    table["customers"] = table["customers"].astype(int)
    table["avg_order_value"] = table["revenue"] / table["transactions"]
    table["avg_profit_per_transaction"] = table["avg_order_value"] * margin - cost_per_order
    table["gross_profit"] = table["revenue"] * margin - cost_per_order * table["transactions"]
    table["marketing_cost"] = table["customers"] * contacts_per_customer * contact_cost
    table["net_profit"] = table["gross_profit"] - table["marketing_cost"]
    cost = table["marketing_cost"].where(table["marketing_cost"] > 0)
    table["roi"] = table["net_profit"] / cost
    unit_profit = table["avg_profit_per_transaction"].where(table["avg_profit_per_transaction"] > 0)
    table["break_even_response_rate"] = contact_cost / unit_profit
    base = table.drop(index=TOTAL_LABEL, errors="ignore")
    table["share_of_customers"] = table["customers"] / base["customers"].sum()
    table["share_of_net_profit"] = table["net_profit"] / base["net_profit"].sum()
    table.index.name = "segment"
    return table
