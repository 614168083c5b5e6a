"""What customers are worth from their past, and value tables: historical CLV, tiers, win-back, CRM export.

* **Historical CLV** (:func:`historical_clv`): average order value × orders per year × margin
  × expected lifetime in years, the lifetime coming from the churn rate observed in the data
  (lifetime = 1 / churn, or (1 + d) / (d + churn) with an annual discount rate d).
* **Tiers**: the customer pyramid (:func:`pyramid_tiers`: top 1%, next 4%, next 15%, rest),
  three value tiers (:func:`value_tiers`) and their summaries.
* **Win-back** (:func:`win_back_list`): valuable customers who are probably slipping away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.clv._common import DAYS_PER_YEAR, _check_customers, _check_discount_rate, _check_margin, _require
from segkit.data.customers import CleanLines, check_one_row_per_buyer
from segkit.errors import DataError

__all__ = [
    "HistoricalCLV",
    "SegmentValue",
    "crm_export",
    "historical_clv",
    "historical_clv_report",
    "observed_churn_rate",
    "pyramid_tiers",
    "segment_value",
    "tier_profile",
    "tier_summary",
    "value_tiers",
    "win_back_list",
]


#: The columns of a customer table that historical CLV reads.
HISTORY_COLUMNS: tuple[str, ...] = ("avg_order_value", "n_orders", "tenure_days", "days_since_last_purchase")

#: The customer pyramid: share of customers in each tier, from the top.
PYRAMID_SHARES: dict[str, float] = {"top 1%": 0.01, "next 4%": 0.04, "next 15%": 0.15, "rest": 0.80}


def observed_churn_rate(customers: pd.DataFrame, *, window_days: int = 365) -> float:
    """Share of customers who were already customers ``window_days`` ago and have not bought since.

    With the default window this is an observed annual churn rate: of everyone whose first
    purchase is at least a year before the snapshot, the share with no purchase in the last
    year.

    Raises
    ------
    DataError
        Missing columns, or no customer old enough (the data cover less than the window).

    Examples
    --------
    >>> table = pd.DataFrame({"tenure_days": [400, 500, 600, 30], "days_since_last_purchase": [10, 380, 20, 5]})
    >>> observed_churn_rate(table)
    0.3333333333333333
    """
    _check_customers(customers, ["tenure_days", "days_since_last_purchase"], "observed_churn_rate")
    _check_window(customers, window_days)
    return _observed_churn_rate(customers, window_days=window_days)


def _check_window(customers: pd.DataFrame, window_days: int) -> None:
    if window_days <= 0:
        raise DataError(f"window_days must be positive, got {window_days}.")
    if not (customers["tenure_days"] >= window_days).any():
        raise DataError(
            f"No customer is {window_days} days old (the longest tenure is {customers['tenure_days'].max()} days), "
            "so churn over that window cannot be observed. Use a shorter window_days, or pass churn_rate."
        )


def _observed_churn_rate(customers: pd.DataFrame, *, window_days: int) -> float:
    """:func:`observed_churn_rate` without the checks: some customer is ``window_days`` old."""
    old = customers["tenure_days"] >= window_days
    return float((customers.loc[old, "days_since_last_purchase"] >= window_days).mean())


def historical_clv(
    customers: pd.DataFrame,
    *,
    margin: float = 1.0,
    churn_rate: float | None = None,
    window_days: int = 365,
    discount_rate: float = 0.0,
) -> pd.DataFrame:
    """Textbook CLV from past behaviour: AOV × orders per year × margin × expected lifetime (years).

    * ``orders_per_year`` = n_orders / max(tenure_days, window_days) × 365.25, so a customer
      seen for a week is not annualised from a single order;
    * ``lifetime_years`` = 1 / churn without discounting, (1 + d) / (d + churn) with an annual
      discount rate d (the sum of retention^k / (1 + d)^k over years k = 0, 1, 2, ...);
    * the churn rate is :func:`observed_churn_rate` unless given.

    Parameters
    ----------
    customers : DataFrame
        :func:`segkit.data.customer_table` (needs ``avg_order_value``, ``n_orders``,
        ``tenure_days``, ``days_since_last_purchase``).
    margin : float, default 1.0
        Gross margin as a fraction of revenue (1.0 = value in revenue).
    churn_rate : float, optional
        Annual churn rate in (0, 1]; default observed from the data.
    window_days : int, default 365
        Churn observation window and the minimum annualisation period.
    discount_rate : float, default 0
        Annual discount rate.

    Returns
    -------
    DataFrame indexed like ``customers``: ``avg_order_value``, ``orders_per_year``,
    ``annual_value``, ``lifetime_years``, ``historical_clv``. The churn rate used is the
    ``churn_rate`` given or :func:`observed_churn_rate` (:func:`historical_clv_report` states it).

    Examples
    --------
    >>> table = pd.DataFrame({"avg_order_value": [50.0, 20.0], "n_orders": [4, 1],
    ...                       "tenure_days": [730, 100], "days_since_last_purchase": [10, 90]})
    >>> historical_clv(table, margin=0.5, churn_rate=0.25)["historical_clv"].round(2).tolist()
    [200.14, 40.03]
    """
    _check_customers(customers, HISTORY_COLUMNS, "historical_clv")
    _check_margin(margin)
    _check_discount_rate(discount_rate)
    if churn_rate is None:
        _check_window(customers, window_days)
    churn = _observed_churn_rate(customers, window_days=window_days) if churn_rate is None else float(churn_rate)
    if not 0 < churn <= 1:
        raise DataError(
            f"The churn rate must be in (0, 1]; got {churn}. A churn of 0 means an infinite lifetime: "
            "pass churn_rate explicitly or use a longer window_days."
        )
    return _historical_clv(customers, margin=margin, churn=churn, window_days=window_days,
                           discount_rate=discount_rate)


def _historical_clv(customers: pd.DataFrame, *, margin: float, churn: float, window_days: int,
                    discount_rate: float) -> pd.DataFrame:
    """:func:`historical_clv` without the input checks, for a churn rate in (0, 1]."""
    years = np.maximum(customers["tenure_days"], window_days) / DAYS_PER_YEAR
    out = pd.DataFrame(index=customers.index)
    out["avg_order_value"] = customers["avg_order_value"].astype(float)
    out["orders_per_year"] = customers["n_orders"] / years
    out["annual_value"] = out["avg_order_value"] * out["orders_per_year"] * margin
    out["lifetime_years"] = (1 + discount_rate) / (discount_rate + churn)
    out["historical_clv"] = out["annual_value"] * out["lifetime_years"]
    return out


@dataclass(frozen=True)
class HistoricalCLV:
    """What :func:`historical_clv_report` found: the table (None when it cannot be computed) and a sentence
    on the churn it used, or on why there is no table."""

    table: pd.DataFrame | None
    note: str


def historical_clv_report(
    customers: pd.DataFrame,
    *,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    window_days: int = 365,
) -> HistoricalCLV:
    """:func:`historical_clv` with a sentence on the churn it used, or None and why it cannot be computed.

    The formula needs a churn rate observed over ``window_days``: data in which no customer is
    that old, or in which nobody that old has lapsed (churn 0, an infinite lifetime), give
    a ``table`` of None and a sentence saying so, instead of an error.

    Returns
    -------
    HistoricalCLV: ``table`` (DataFrame or None) and ``note``.

    Examples
    --------
    >>> young = pd.DataFrame({"avg_order_value": [10.0], "n_orders": [2], "tenure_days": [90],
    ...                       "days_since_last_purchase": [5]})
    >>> historical_clv_report(young).note.split(":**")[0]
    '**Not enough history for the historical CLV'
    """
    _check_customers(customers, HISTORY_COLUMNS, "historical_clv_report")
    _check_margin(margin)
    _check_discount_rate(discount_rate)
    if window_days <= 0:
        raise DataError(f"window_days must be positive, got {window_days}.")
    return _historical_clv_report(customers, margin=margin, discount_rate=discount_rate, window_days=window_days)


def _historical_clv_report(customers: pd.DataFrame, *, margin: float, discount_rate: float,
                           window_days: int) -> HistoricalCLV:
    """:func:`historical_clv_report` without the input checks."""
    from segkit.clv import text  # text reads value's tiers: imported here, not at the top

    if not (customers["tenure_days"] >= window_days).any():
        return HistoricalCLV(None, text._history_too_short(window_days, customers["tenure_days"].max()))
    churn = _observed_churn_rate(customers, window_days=window_days)
    if churn == 0:
        return HistoricalCLV(None, text._history_no_churn(window_days))
    history = _historical_clv(customers, margin=margin, churn=churn, window_days=window_days,
                              discount_rate=discount_rate)
    return HistoricalCLV(history, text._history_churn(churn, window_days, history["lifetime_years"].iloc[0],
                                                      discount_rate))


def _rank_tiers(values: pd.Series, shares: dict[str, float]) -> pd.Series:
    """Label customers by rank (largest value first; ties broken by index) with the tier shares."""
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    if values.isna().any():
        raise DataError(f"{int(values.isna().sum())} value(s) are missing: fill or drop them before tiering.")
    if len(values) == 0:
        raise DataError("No customers to put into tiers.")
    order = pd.DataFrame({"v": values.to_numpy(), "i": np.arange(len(values))}).sort_values(
        ["v", "i"], ascending=[False, True], kind="stable")
    rank_share = np.empty(len(values))
    rank_share[order["i"].to_numpy()] = np.arange(len(values)) / len(values)
    bounds = np.cumsum(list(shares.values()))
    codes = np.searchsorted(bounds, rank_share + 1e-12, side="left").clip(0, len(shares) - 1)
    labels = pd.Categorical.from_codes(codes, categories=list(shares), ordered=True)
    return pd.Series(labels, index=values.index, name="tier")


def pyramid_tiers(values: pd.Series, *, shares: dict[str, float] | None = None) -> pd.Series:
    """The customer pyramid: "top 1%", "next 4%", "next 15%", "rest" by value, largest first.

    Examples
    --------
    >>> tiers = pyramid_tiers(pd.Series(np.arange(100.0)))
    >>> tiers.value_counts(sort=False).tolist()
    [1, 4, 15, 80]
    """
    return _rank_tiers(values, shares or PYRAMID_SHARES)


def value_tiers(values: pd.Series, *, top: float = 0.2, bottom: float = 0.2) -> pd.Series:
    """Three value tiers: "top 20%", "middle 60%", "bottom 20%" (shares adjustable).

    Examples
    --------
    >>> value_tiers(pd.Series([5.0, 1.0, 3.0, 2.0, 4.0])).tolist()
    ['top 20%', 'bottom 20%', 'middle 60%', 'middle 60%', 'middle 60%']
    """
    if not (0 < top < 1 and 0 < bottom < 1 and top + bottom < 1):
        raise DataError(f"top and bottom are shares in (0, 1) summing to less than 1; got {top}, {bottom}.")
    middle = 1 - top - bottom
    shares = {f"top {top:.0%}": top, f"middle {middle:.0%}": middle, f"bottom {bottom:.0%}": bottom}
    return _rank_tiers(values, shares)


def tier_summary(values: pd.Series, tiers: pd.Series) -> pd.DataFrame:
    """Customers, value and their shares per tier (or any segment label).

    Examples
    --------
    >>> values = pd.Series([10.0, 5.0, 5.0])
    >>> tier_summary(values, pd.Series(["a", "b", "b"]))["value_share"].tolist()
    [0.5, 0.5]
    """
    labels = tiers.array if isinstance(tiers, pd.Series) else np.asarray(tiers)  # keep a category order
    frame = pd.DataFrame({"value": np.asarray(values, dtype=float), "tier": labels})
    out = frame.groupby("tier", observed=True, sort=True)["value"].agg(customers="size", value="sum", mean_value="mean")
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["value_share"] = out["value"] / out["value"].sum()
    return out[["customers", "customer_share", "value", "value_share", "mean_value"]]


def tier_profile(predictions: pd.DataFrame) -> pd.DataFrame:
    """:func:`tier_summary` of predicted CLV by ``tier``, plus the mean CLV, P(alive), purchases and spend.

    Parameters
    ----------
    predictions : DataFrame
        :func:`predict_clv` output with a ``tier`` column (e.g. from :func:`value_tiers`).
    """
    _require(predictions, ["tier", "clv", "p_alive", "predicted_purchases", "expected_spend"], "tier_profile")
    profile = predictions.groupby("tier", observed=True).agg(
        mean_clv=("clv", "mean"), mean_p_alive=("p_alive", "mean"),
        mean_purchases=("predicted_purchases", "mean"), mean_spend=("expected_spend", "mean"))
    return tier_summary(predictions["clv"], predictions["tier"]).join(profile)


@dataclass(frozen=True)
class SegmentValue:
    """What :func:`segment_value` found: the table per segment and a sentence on it."""

    table: pd.DataFrame

    @property
    def note(self) -> str:
        """Which segment holds the most future value, and which loses the most from past to future."""
        from segkit.clv import text

        return text._segment_note(self.table)


def segment_value(predictions: pd.DataFrame, segment: pd.Series, revenue: pd.Series) -> SegmentValue:
    """Past revenue against predicted CLV per segment (e.g. RFM segments), largest total CLV first.

    Returns
    -------
    SegmentValue: ``table`` indexed by segment, with ``customers``, ``past_revenue``,
    ``total_clv``, ``mean_clv``, ``mean_p_alive``, ``clv_share``, ``revenue_share``; and ``note``.
    """
    _require(predictions, ["clv", "p_alive"], "segment_value")
    frame = predictions.join(segment.rename("segment")).join(revenue.rename("revenue"))
    table = frame.groupby("segment", observed=True).agg(
        customers=("clv", "size"), past_revenue=("revenue", "sum"), total_clv=("clv", "sum"),
        mean_clv=("clv", "mean"), mean_p_alive=("p_alive", "mean"))
    table["clv_share"] = table["total_clv"] / table["total_clv"].sum()
    table["revenue_share"] = table["past_revenue"] / table["past_revenue"].sum()
    return SegmentValue(table.sort_values("total_clv", ascending=False))


def win_back_list(
    predictions: pd.DataFrame,
    *,
    value: str = "revenue",
    top_share: float = 0.2,
    max_p_alive: float = 0.5,
) -> pd.DataFrame:
    """Valuable customers who are probably slipping away: top ``top_share`` by ``value``, P(alive) below a cut.

    Parameters
    ----------
    predictions : DataFrame
        One row per customer with the ``value`` column and ``p_alive``.
    value : str, default "revenue"
        What "valuable" means: past revenue by default (predicted CLV is low for exactly these
        customers, because they are probably gone).
    top_share : float, default 0.2
        Share of customers counted as high value.
    max_p_alive : float, default 0.5
        P(alive) below which a customer is slipping away.

    Returns
    -------
    The matching rows, most valuable first.

    Examples
    --------
    >>> table = pd.DataFrame({"revenue": [900.0, 800.0, 10.0, 700.0, 5.0], "p_alive": [0.2, 0.9, 0.1, 0.4, 0.3]})
    >>> win_back_list(table, top_share=0.6).index.tolist()
    [0, 3]
    """
    _require(predictions, [value, "p_alive"], "win_back_list")
    _check_win_back(top_share, max_p_alive)
    return _win_back_list(predictions, value=value, top_share=top_share, max_p_alive=max_p_alive)


def _check_win_back(top_share: float, max_p_alive: float) -> None:
    if not 0 < top_share <= 1 or not 0 < max_p_alive <= 1:
        raise DataError(f"top_share and max_p_alive must be in (0, 1]; got {top_share}, {max_p_alive}.")


def _win_back_list(predictions: pd.DataFrame, *, value: str, top_share: float, max_p_alive: float) -> pd.DataFrame:
    """:func:`win_back_list` without the input checks."""
    threshold = predictions[value].quantile(1 - top_share)
    chosen = predictions[(predictions[value] >= threshold) & (predictions["p_alive"] < max_p_alive)]
    return chosen.sort_values(value, ascending=False, kind="stable")


def crm_export(predictions: pd.DataFrame, clean: CleanLines, *, snapshot_date: pd.Timestamp) -> pd.DataFrame:
    """One row per customer for a CRM: predictions, CLV and tier, with ``customer_id`` as a column.

    ``clean`` (a frame of clean lines or their Parquet file, :func:`segkit.engine.clean_lines`)
    proves that no customer is lost: the rows must be exactly its buyers before ``snapshot_date``.

    Raises
    ------
    DataError
        The rows are not exactly the customers with a purchase in ``clean`` before ``snapshot_date``.
    """
    export = predictions[["predicted_purchases", "p_alive", "expected_spend", "clv", "tier"]].round(6).reset_index()
    check_one_row_per_buyer(export["customer_id"], clean, snapshot_date=snapshot_date, what="The CLV export")
    return export
