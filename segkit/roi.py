"""Campaign ROI: what each segment earns, what a campaign really earned, where the next budget goes.

Four questions, four parts:

1. **Segment economics** (:func:`segment_economics`): revenue, profit, marketing cost and ROI per
   segment, and the break-even response rate of one more contact.
2. **Campaign measurement** (:class:`CampaignLift`): from a randomised campaign (treatment vs
   control) estimate per segment and overall the response rates, absolute and relative lift with
   confidence intervals (two-proportion test), revenue per customer lift with a seeded, vectorised
   bootstrap interval, incremental revenue and profit and the campaign's ROI with its interval.
3. **Targeted vs mass** (:meth:`CampaignLift.targeting`): what the campaign would have earned sent to
   everyone versus only to the segments whose measured incremental profit is positive.
4. **Budget allocation** (:func:`planning_table`, :func:`allocate_budget`, :func:`budget_curve`):
   spread a budget over segments to maximise expected incremental profit, capped at segment size.

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

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import optimize, stats
from sklearn.base import BaseEstimator

from segkit.data import check_customer_table
from segkit.errors import DataError
from segkit.plots import PALETTE

DEFAULT_MARGIN: float = 0.30
DEFAULT_CONTACT_COST: float = 1.50
DEFAULT_COST_PER_ORDER: float = 0.0
DEFAULT_CONTACTS_PER_CUSTOMER: float = 8.0

GROUP_LABELS: tuple[str, str] = ("treatment", "control")
CAMPAIGN_COLUMNS: tuple[str, ...] = ("customer_id", "group", "responded", "revenue")
TOTAL_LABEL: str = "All customers"
_MAX_EXAMPLES = 5


# --------------------------------------------------------------------------------------------
# Boundary checks
# --------------------------------------------------------------------------------------------


def _examples(values) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:_MAX_EXAMPLES])
    return shown + (f" (and {len(values) - _MAX_EXAMPLES} more)" if len(values) > _MAX_EXAMPLES else "")


def _check_costs(**costs: float | Mapping[str, float] | pd.Series) -> None:
    """Raise DataError for a negative or missing cost; costs are amounts of money, >= 0."""
    for name, value in costs.items():
        raw = value.values() if isinstance(value, Mapping) else np.ravel(value)
        values = np.asarray(list(raw), dtype=float)
        bad = values[~(values >= 0)]
        if bad.size:
            raise DataError(
                f"{name} must be a non-negative amount of money, got {_examples(bad)}; "
                "pass 0 or a positive cost (a saving is not a negative cost: leave it out)"
            )


def _check_margin(margin: float) -> None:
    if not 0.0 < margin <= 1.0:
        raise DataError(f"margin is the share of revenue kept after cost of goods, in (0, 1]; got {margin}")


def _check_columns(frame: pd.DataFrame, needed, what: str, fix: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"{what} lacks column(s) {missing} (found {list(frame.columns)}); {fix}")


def _segments(customers: pd.DataFrame, segment_col: str) -> pd.Series:
    """The segment column as an ordered categorical indexed by customer id (as strings)."""
    check_customer_table(
        customers, [segment_col],
        fix="add a per-customer segment column (e.g. segkit.rfm.rfm_segments) or pass segment_col=",
    )
    labels = customers[segment_col]
    n_missing = int(labels.isna().sum())
    if n_missing:
        raise DataError(
            f"{n_missing} customer(s) have no value in segment column {segment_col!r}; "
            "give them a segment (e.g. 'Unassigned') or drop them before the analysis"
        )
    if isinstance(labels.dtype, pd.CategoricalDtype):
        order = [str(c) for c in labels.cat.categories if (labels == c).any()]
    else:
        order = sorted(labels.astype(str).unique())
    out = pd.Categorical(labels.astype(str), categories=order)
    return pd.Series(out, index=customers.index.astype(str), name="segment")


SEGMENTATIONS: tuple[str, ...] = ("rfm", "cluster", "clv_tier")


def segment_customers(
    customers: pd.DataFrame,
    *,
    by: str = "rfm",
    n_clusters: int = 5,
    margin: float = DEFAULT_MARGIN,
    random_state: int = 0,
) -> pd.Series:
    """One segment label per customer, from the segmentation named by ``by``.

    - ``"rfm"``: named RFM segments (:func:`segkit.rfm.rfm_segments`), the default and the
      segmentation the default campaign was planted on;
    - ``"cluster"``: k-means on the preprocessed RFM features (:class:`segkit.cluster.SegmentKMeans`),
      clusters named from their profile (:func:`segkit.cluster.name_clusters`);
    - ``"clv_tier"``: top 20% / middle 60% / bottom 20% of historical CLV (:mod:`segkit.clv`), ranked
      by :func:`annual_values` (the lifetime factor is the same for everyone).

    Parameters
    ----------
    customers : DataFrame
        Customer table from :func:`segkit.data.customer_table`.
    by : {"rfm", "cluster", "clv_tier"}, default "rfm"
        Segmentation.
    n_clusters : int, default 5
        Clusters for ``by="cluster"``.
    margin : float, default 0.30
        Margin of the historical CLV for ``by="clv_tier"``.
    random_state : int, default 0
        Seed of k-means.

    Returns
    -------
    Series
        Categorical ``segment`` indexed like ``customers``.

    Raises
    ------
    DataError
        Unknown ``by``, or the module it needs is not installed.
    """
    if by not in SEGMENTATIONS:
        raise DataError(f"segmentation {by!r} is unknown; use one of {list(SEGMENTATIONS)}")
    module = {"rfm": "segkit.rfm", "cluster": "segkit.cluster", "clv_tier": "segkit.clv"}[by]
    try:
        __import__(module)
    except ImportError as error:
        raise DataError(
            f"segmentation {by!r} needs {module}, which is not available ({error}); use by='rfm'"
        ) from error
    if by == "rfm":
        from segkit.rfm import rfm_segments

        labels = rfm_segments(customers, warn=False)["segment"]
    elif by == "cluster":
        labels = _cluster_segments(customers, n_clusters=n_clusters, random_state=random_state)
    else:
        from segkit.clv import value_tiers

        labels = value_tiers(annual_values(customers, margin=margin))
    return labels.rename("segment")


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


def _cluster_segments(customers: pd.DataFrame, *, n_clusters: int, random_state: int) -> pd.Series:
    from segkit.cluster import SegmentKMeans, name_clusters, standardised_means
    from segkit.features import prepare_features

    scaled = prepare_features(customers).scaled
    model = SegmentKMeans(n_clusters, random_state=random_state).fit(scaled, order_by=customers["revenue"])
    names = name_clusters(standardised_means(scaled, model.labels_))
    ordered = [str(names[k]) for k in range(n_clusters)]
    return pd.Series(pd.Categorical.from_codes(model.labels_, categories=ordered), index=customers.index)


# --------------------------------------------------------------------------------------------
# 1. Segment economics
# --------------------------------------------------------------------------------------------


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
    check_customer_table(customers, ["n_orders", "revenue"])
    _check_costs(cost_per_order=cost_per_order, contact_cost=contact_cost, contacts_per_customer=contacts_per_customer)
    _check_margin(margin)
    frame = pd.DataFrame(
        {"segment": _segments(customers, segment_col).array,
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


# --------------------------------------------------------------------------------------------
# 2. Campaign file: loading and validation
# --------------------------------------------------------------------------------------------


def validate_campaign(campaign: pd.DataFrame, *, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Check a campaign results file and return it in canonical form.

    Parameters
    ----------
    campaign : DataFrame
        One row per customer of the campaign: customer id, group (``"treatment"`` = contacted,
        ``"control"`` = held out; case and surrounding spaces are ignored), responded (0/1 or
        True/False) and revenue in the response window (blank = 0).
    column_map : mapping, optional
        Raw column name -> canonical name (``customer_id``, ``group``, ``responded``, ``revenue``).

    Returns
    -------
    DataFrame
        ``customer_id`` (string), ``group`` (string), ``responded`` (int 0/1), ``revenue`` (float).

    Raises
    ------
    DataError
        Missing columns, missing or duplicated customer ids, unknown group labels (listed),
        responded values other than 0/1, non-numeric or negative revenue.

    Examples
    --------
    >>> raw = pd.DataFrame({"id": [1, 2], "group": ["Treatment ", "control"],
    ...                     "responded": [True, False], "revenue": [25.0, None]})
    >>> validate_campaign(raw, column_map={"id": "customer_id"}).to_dict("list")
    {'customer_id': ['1', '2'], 'group': ['treatment', 'control'], 'responded': [1, 0], 'revenue': [25.0, 0.0]}
    """
    frame = campaign.rename(columns=dict(column_map or {}))
    _check_columns(
        frame, CAMPAIGN_COLUMNS, "campaign file",
        "rename your columns or pass column_map={'your name': 'customer_id', ...}",
    )
    frame = frame[list(CAMPAIGN_COLUMNS)]
    ids = frame["customer_id"].astype("string").str.strip()
    n_missing = int((ids.isna() | (ids == "")).sum())
    if n_missing:
        raise DataError(f"{n_missing} campaign row(s) have no customer_id; drop them or fill in the id")
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise DataError(
            f"{len(duplicated)} customer_id(s) appear more than once in the campaign file, e.g. "
            f"{_examples(duplicated.unique())}; keep one row per customer (sum revenue over the window)"
        )
    group = frame["group"].astype("string").str.strip().str.lower()
    unknown = group[~group.isin(GROUP_LABELS)].fillna("<missing>").value_counts()
    if len(unknown):
        listed = ", ".join(f"{label!r} ({count} rows)" for label, count in unknown.items())
        raise DataError(
            f"unknown group label(s) in the campaign file: {listed}; the group must be 'treatment' "
            "(contacted) or 'control' (held out). Map yours first, e.g. "
            "campaign['group'].replace({'test': 'treatment', 'holdout': 'control'})"
        )
    responded = _as_binary(frame["responded"])
    revenue = _as_revenue(frame["revenue"])
    return pd.DataFrame(
        {"customer_id": ids.astype(str).to_numpy(), "group": group.astype(str).to_numpy(),
         "responded": responded, "revenue": revenue}
    )


def _as_binary(raw: pd.Series) -> np.ndarray:
    text = raw.astype("string").str.strip().str.lower()
    mapping = {"1": 1, "0": 0, "1.0": 1, "0.0": 0, "true": 1, "false": 0}
    values = text.map(mapping)
    bad = text[values.isna()].fillna("<missing>").unique()
    if len(bad):
        raise DataError(
            f"column 'responded' must be 0/1 (or True/False), found {_examples(bad)}; "
            "recode it so that 1 = bought in the response window"
        )
    return values.to_numpy(dtype=np.int64)


def _as_revenue(raw: pd.Series) -> np.ndarray:
    text = raw.astype("string").str.strip()
    blank = text.isna() | (text == "")
    numbers = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = text[numbers.isna() & ~blank].unique()
    if len(bad):
        raise DataError(
            f"column 'revenue' has non-numeric values {_examples(bad)}; write plain numbers (no currency signs)"
        )
    numbers = numbers.fillna(0.0).to_numpy(dtype=float)
    n_negative = int((numbers < 0).sum())
    if n_negative:
        raise DataError(
            f"{n_negative} campaign row(s) have negative revenue; revenue in the response window must be "
            ">= 0 (net returns inside the window but floor each customer at 0)"
        )
    return numbers


def load_campaign(path: str | Path, *, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a campaign results CSV and validate it (see :func:`validate_campaign`).

    Every column is read as text first, so customer ids keep leading zeros.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"campaign file {path.name!r} not found; run `python -m segkit.campaign` for the default one")
    return validate_campaign(pd.read_csv(path, dtype=str, keep_default_na=False), column_map=column_map)


def attach_segments(
    campaign: pd.DataFrame, customers: pd.DataFrame, *, segment_col: str = "segment"
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Join the recomputed segment of every campaign customer and check each segment is measurable.

    Campaign customers missing from the customer table are dropped, counted and reported.

    Returns
    -------
    joined : DataFrame
        The validated campaign with a categorical ``segment`` column.
    report : dict
        ``campaign_rows``, ``matched``, ``unknown_customer_ids`` (count), ``unknown_examples``,
        ``customers_not_in_campaign``.

    Raises
    ------
    DataError
        If no campaign id is in the customer table, or a segment has no control (or no treatment) customers.
    """
    segments = _segments(customers, segment_col)
    mapped = campaign["customer_id"].map(segments)
    unknown = mapped.isna().to_numpy()
    if unknown.all():
        raise DataError(
            f"none of the {len(campaign)} campaign customer ids is in the customer table (campaign ids e.g. "
            f"{_examples(campaign['customer_id'].head(3))}, table ids e.g. {_examples(segments.index[:3])}); "
            "check the id format (leading zeros, '.0' suffixes) and that both files cover the same customers"
        )
    joined = campaign.loc[~unknown].assign(segment=pd.Categorical(mapped[~unknown], categories=segments.cat.categories))
    joined["segment"] = joined["segment"].cat.remove_unused_categories()
    counts = pd.crosstab(joined["segment"], joined["group"]).reindex(columns=list(GROUP_LABELS), fill_value=0)
    for label, role in (("control", "held-out control"), ("treatment", "contacted treatment")):
        empty = counts.index[counts[label] == 0]
        if len(empty):
            raise DataError(
                f"segment(s) {_examples(map(str, empty))} have no {role} customers, so their lift cannot be "
                "measured; merge them into a neighbouring segment (a coarser segmentation) or drop them "
                "from the campaign file"
            )
    report = {
        "campaign_rows": len(campaign),
        "matched": int((~unknown).sum()),
        "unknown_customer_ids": int(unknown.sum()),
        "unknown_examples": campaign.loc[unknown, "customer_id"].head(_MAX_EXAMPLES).tolist(),
        "customers_not_in_campaign": int(len(segments) - (~unknown).sum()),
    }
    return joined.reset_index(drop=True), report


# --------------------------------------------------------------------------------------------
# Does the campaign file belong to these customers?
# --------------------------------------------------------------------------------------------

#: A campaign file is measured in a report only when at least this share of its customers is in the
#: customer table. A campaign run on these customers loses only the few that cleaning removes (test
#: accounts, customers whose only purchases were returned or were outliers): a few percent at most
#: (none on the default data). 90% leaves room for that and for a file exported a little before or
#: after the transactions, while a file run on other customers whose numeric ids overlap these by
#: accident (the sample campaign on another shop's data matches about 7%) stays well below it.
MIN_CAMPAIGN_MATCH: float = 0.9
#: :class:`CampaignLift` refuses to fit below this share (its ``min_match``). Below one half most of
#: the campaign was run on other customers, so no estimate from it describes these customers;
#: between this and :data:`MIN_CAMPAIGN_MATCH` an analyst calling the estimator directly may have a
#: reason (a strict cleaning, a snapshot before the campaign) and gets the unknown ids reported.
FIT_MIN_MATCH: float = 0.5


def campaign_coverage(campaign: pd.DataFrame, customers: pd.DataFrame) -> dict[str, int | float]:
    """How many customers of a campaign file are in the customer table.

    Ids are compared as text with surrounding spaces removed (as :func:`validate_campaign` does).

    Parameters
    ----------
    campaign : DataFrame
        Campaign file with a ``customer_id`` column (raw or validated).
    customers : DataFrame
        Customer table indexed by ``customer_id``.

    Returns
    -------
    dict
        ``campaign_rows``, ``matched`` (campaign customers in the table), ``unknown_customer_ids``,
        ``customers_not_in_campaign`` and ``match_share = matched / campaign_rows`` (0 for an empty file).

    Raises
    ------
    DataError
        If the campaign has no ``customer_id`` column.

    Examples
    --------
    >>> table = pd.DataFrame({"n_orders": [1, 2, 3]}, index=pd.Index(["1", "2", "3"], name="customer_id"))
    >>> campaign_coverage(pd.DataFrame({"customer_id": [1, 2, 9, 8]}), table)
    {'campaign_rows': 4, 'matched': 2, 'unknown_customer_ids': 2, 'customers_not_in_campaign': 1, 'match_share': 0.5}
    """
    _check_columns(campaign, ["customer_id"], "campaign file",
                   "rename its customer column or pass column_map={'your name': 'customer_id'}")
    ids = campaign["customer_id"].astype("string").str.strip()
    known = pd.Index(customers.index.astype(str))
    matched = int(ids.isin(known).sum())
    rows = len(campaign)
    return {
        "campaign_rows": rows,
        "matched": matched,
        "unknown_customer_ids": rows - matched,
        "customers_not_in_campaign": int((~known.isin(ids.dropna())).sum()),
        "match_share": matched / rows if rows else 0.0,
    }


def _coverage_words(coverage: Mapping[str, float]) -> str:
    return (f"{coverage['matched']:,} of {coverage['campaign_rows']:,} campaign customers "
            f"({coverage['match_share']:.1%})")


def check_campaign_match(coverage: Mapping[str, float], *, min_match: float = FIT_MIN_MATCH) -> None:
    """Raise DataError when fewer than ``min_match`` of the campaign customers are in the customer table.

    Examples
    --------
    >>> check_campaign_match({"campaign_rows": 10, "matched": 3, "match_share": 0.3})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    segkit.errors.DataError: only 3 of 10 campaign customers (30.0%) are in the customer table (at least 50% ...
    """
    if not 0.0 <= min_match <= 1.0:
        raise DataError(f"min_match is a share of campaign customers, within [0, 1]; got {min_match}")
    if coverage["match_share"] < min_match:
        raise DataError(
            f"only {_coverage_words(coverage)} are in the customer table (at least {min_match:.0%} needed): "
            "this campaign file does not belong to these transactions; pass the campaign run on these "
            "customers (campaign_path) or leave it empty"
        )


@dataclass(frozen=True)
class CampaignChoice:
    """Which campaign (if any) a report measures, and why, from :func:`match_campaign`.

    Attributes
    ----------
    campaign : DataFrame or None
        The validated campaign when it belongs to the customers, else None.
    truth : DataFrame or None
        Per-customer planted truth (simulations), only when the campaign is used and the truth covers it.
    coverage : dict or None
        :func:`campaign_coverage` of the file (None when there is no file).
    reason : str
        ``"used"``, ``"no file"``, ``"not found"``, ``"other customers"`` or ``"sample campaign"``.
    note : str
        One Markdown paragraph for the reader saying what was decided and why.
    """

    campaign: pd.DataFrame | None
    truth: pd.DataFrame | None
    coverage: dict | None
    reason: str
    note: str

    @property
    def used(self) -> bool:
        """True when a campaign is measured."""
        return self.campaign is not None


_NOT_MEASURED = (
    " **No campaign is measured:** the measurement, the comparison with a planted truth and the targeting "
    "sections are skipped, and the budget plan rests on an assumed uplift per contact (parameter "
    "`planned_uplift`), not on a measurement. To measure a campaign, pass the results of one run on these "
    "customers, with a random control group, as `campaign_path`."
)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def _load_truth(truth_path: Path | None, campaign: pd.DataFrame, campaign_path: Path, min_match: float):
    """The planted truth when it exists and describes this campaign, else None."""
    from segkit.campaign import DEFAULT_CAMPAIGN_PATH, DEFAULT_CAMPAIGN_TRUTH_PATH

    if truth_path is None or not truth_path.is_file():
        return None
    if _same_file(truth_path, DEFAULT_CAMPAIGN_TRUTH_PATH) and not _same_file(campaign_path, DEFAULT_CAMPAIGN_PATH):
        return None  # the shipped truth describes the shipped campaign only
    truth = pd.read_csv(truth_path, dtype={"customer_id": str})
    covered = campaign["customer_id"].isin(truth["customer_id"].astype(str).str.strip()).mean()
    return truth if covered >= min_match else None


def match_campaign(
    campaign_path: str | Path | None,
    customers: pd.DataFrame,
    *,
    column_map: Mapping[str, str] | None = None,
    truth_path: str | Path | None = None,
    data_path: str | Path | None = None,
    min_match: float = MIN_CAMPAIGN_MATCH,
) -> CampaignChoice:
    """Decide whether a campaign file belongs to the customers of a report, and load it if it does.

    The rule: a campaign is measured only when the file exists and at least ``min_match`` of its
    customers are in the customer table (:func:`campaign_coverage`). One more guard catches ids that
    coincide by accident: the simulated sample campaign shipped in ``data/raw`` is used only with the
    sample transactions it was simulated from (when ``data_path`` is given). Otherwise the report says
    why in :attr:`CampaignChoice.note` and plans from an assumed uplift; nothing is raised, so a report
    on data without a campaign still runs. A file that exists and belongs but is malformed still raises.

    Parameters
    ----------
    campaign_path : str, Path or None
        Campaign results file; empty or None means no campaign.
    customers : DataFrame
        Customer table indexed by ``customer_id``.
    column_map : mapping, optional
        Passed to :func:`load_campaign`.
    truth_path : str or Path, optional
        Planted truth of a simulated campaign; loaded only when the campaign is used and the truth
        covers at least ``min_match`` of its customers.
    data_path : str or Path, optional
        The transactions file the customer table was built from (for the sample-campaign guard).
    min_match : float, default 0.9
        Smallest share of campaign customers that must be in the customer table, see
        :data:`MIN_CAMPAIGN_MATCH` for why 0.9.

    Returns
    -------
    CampaignChoice

    Raises
    ------
    DataError
        If the file is used but malformed (see :func:`validate_campaign`), or ``min_match`` is outside [0, 1].
    """
    from segkit.campaign import DEFAULT_CAMPAIGN_PATH
    from segkit.paths import DEFAULT_TRANSACTIONS

    if not 0.0 <= min_match <= 1.0:
        raise DataError(f"min_match is a share of campaign customers, within [0, 1]; got {min_match}")
    if not campaign_path or not str(campaign_path).strip():
        return CampaignChoice(None, None, None, "no file", "No campaign file was given (`campaign_path` is empty)."
                              + _NOT_MEASURED)
    path = Path(campaign_path)
    if not path.is_file():
        return CampaignChoice(None, None, None, "not found",
                              f"The campaign file `{path.name}` does not exist." + _NOT_MEASURED)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns=dict(column_map or {}))
    coverage = campaign_coverage(raw, customers)
    if coverage["match_share"] < min_match:
        note = (f"Only {_coverage_words(coverage)} in `{path.name}` are in the customer table; a campaign is "
                f"measured only when at least {min_match:.0%} are, so this file was run on other customers.")
        return CampaignChoice(None, None, coverage, "other customers", note + _NOT_MEASURED)
    if (data_path is not None and _same_file(path, DEFAULT_CAMPAIGN_PATH)
            and not _same_file(Path(data_path), DEFAULT_TRANSACTIONS)):
        note = (f"{_coverage_words(coverage)} in `{path.name}` match customer ids of these transactions, but "
                "this file is the simulated campaign of the sample transactions: the ids coincide by chance.")
        return CampaignChoice(None, None, coverage, "sample campaign", note + _NOT_MEASURED)
    campaign = validate_campaign(raw)
    truth = _load_truth(Path(truth_path) if truth_path else None, campaign, path, min_match)
    note = (f"{_coverage_words(coverage)} in `{path.name}` are in the customer table (at least {min_match:.0%} "
            "needed), so the campaign belongs to these customers and is measured below.")
    return CampaignChoice(campaign, truth, coverage, "used", note)


# --------------------------------------------------------------------------------------------
# Statistics (vectorised over segments and replications)
# --------------------------------------------------------------------------------------------


def wilson_interval(x, n, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``x / n`` (arrays broadcast).

    Examples
    --------
    >>> [round(float(v), 3) for v in wilson_interval(10, 100)]
    [0.055, 0.174]
    """
    x, n = np.asarray(x, float), np.asarray(n, float)
    z = stats.norm.ppf(1 - alpha / 2)
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def two_proportion_test(x1, n1, x0, n0, *, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """Difference of two proportions ``x1/n1 − x0/n0``: Newcombe interval and pooled z-test.

    The interval is Newcombe's hybrid score interval (method 10 of Newcombe 1998), built from the
    two Wilson intervals; it keeps close to nominal coverage for small response rates, where the
    textbook Wald interval does not. The p-value is the two-sided pooled two-proportion z-test.

    Returns
    -------
    dict
        ``diff``, ``low``, ``high``, ``p_value`` (arrays of the broadcast shape).

    Examples
    --------
    >>> out = two_proportion_test(30, 200, 15, 200)
    >>> {k: round(float(v), 4) for k, v in out.items()}
    {'diff': 0.075, 'low': 0.0128, 'high': 0.1381, 'p_value': 0.0176}
    """
    x1, n1, x0, n0 = (np.asarray(v, float) for v in (x1, n1, x0, n0))
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson_interval(x1, n1, alpha=alpha)
    l0, u0 = wilson_interval(x0, n0, alpha=alpha)
    diff = p1 - p0
    low = diff - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = diff + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    pooled = (x1 + x0) / (n1 + n0)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / se, 0.0)
    return {"diff": diff, "low": low, "high": high, "p_value": 2 * stats.norm.sf(np.abs(z))}


def bootstrap_mean_difference(
    values: np.ndarray,
    treated: np.ndarray,
    strata: np.ndarray,
    *,
    n_boot: int = 2000,
    random_state: int | np.random.Generator | None = None,
    chunk: int = 250,
) -> np.ndarray:
    """Bootstrap draws of (treatment mean − control mean) within each stratum.

    Resamples customers with replacement within every stratum × group cell (a stratified
    bootstrap that keeps the group sizes of the experiment), vectorised over replicates in chunks.

    Parameters
    ----------
    values : array
        Outcome per customer (e.g. revenue in the response window).
    treated : array of bool
        True for the treatment group.
    strata : array of int
        Stratum (segment) code per customer, 0..S-1; every stratum needs both groups.
    n_boot : int, default 2000
        Number of bootstrap replicates.
    random_state : int or Generator, optional
        Seed.
    chunk : int, default 250
        Replicates drawn at once (memory ~ 16 × chunk × n bytes).

    Returns
    -------
    ndarray
        Shape ``(n_boot, S)``.

    Examples
    --------
    >>> draws = bootstrap_mean_difference(np.array([1.0, 2.0, 0.0, 0.0]), np.array([True, True, False, False]),
    ...                                   np.zeros(4, int), n_boot=50, random_state=0)
    >>> draws.shape, bool(draws.min() >= 1.0), bool(draws.max() <= 2.0)
    ((50, 1), True, True)
    """
    rng = np.random.default_rng(random_state)
    values = np.asarray(values, float)
    cell = 2 * np.asarray(strata, np.int64) + np.asarray(treated, bool)
    n_cells = 2 * (int(cell.max()) // 2 + 1)
    order = np.argsort(cell, kind="stable")
    sorted_values, sorted_cell = values[order], cell[order]
    counts = np.bincount(sorted_cell, minlength=n_cells)
    if (counts == 0).any():
        raise DataError("every stratum needs at least one treatment and one control customer to bootstrap")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    base, size = starts[sorted_cell], counts[sorted_cell]
    means = np.empty((n_boot, n_cells))
    for first in range(0, n_boot, chunk):  # loop over chunks of replicates, never over customers
        m = min(chunk, n_boot - first)
        idx = base + (rng.random((m, len(values))) * size).astype(np.int64)
        means[first:first + m] = np.add.reduceat(sorted_values[idx], starts, axis=1) / counts
    return means[:, 1::2] - means[:, 0::2]


# --------------------------------------------------------------------------------------------
# 2. Campaign measurement
# --------------------------------------------------------------------------------------------


class CampaignLift(BaseEstimator):
    """Measure a randomised campaign per segment: lift, incremental revenue and profit, ROI.

    Parameters
    ----------
    segment_col : str, default "segment"
        Segment column of the customer table passed to :meth:`fit`.
    margin : float, default 0.30
        Gross margin on revenue.
    contact_cost : float, default 1.50
        Cost of one contact (paid for every treatment customer).
    alpha : float, default 0.05
        1 − confidence level of all intervals and the significance level of the flag.
    n_boot : int, default 2000
        Bootstrap replicates for revenue intervals.
    random_state : int, optional
        Seed of the bootstrap.
    min_match : float, default 0.5
        Smallest share of the campaign's customers that must be in the customer table
        (:data:`FIT_MIN_MATCH`); below it :meth:`fit` raises, because the file was run on other
        customers. Reports apply the stricter :data:`MIN_CAMPAIGN_MATCH` before fitting
        (:func:`match_campaign`).

    Attributes
    ----------
    lift_ : DataFrame
        One row per segment plus :data:`TOTAL_LABEL` (segment-size weighted, i.e. post-stratified):
        ``customers, n_treatment, n_control, response_treatment, response_control, abs_lift,
        abs_lift_low, abs_lift_high, rel_lift, rel_lift_low, rel_lift_high, p_value, significant,
        revenue_treatment, revenue_control, revenue_lift, revenue_lift_low, revenue_lift_high,
        attributed_revenue, incremental_revenue, incremental_profit, incremental_profit_low,
        incremental_profit_high, roi, roi_low, roi_high, verdict, pays``. Revenue columns are per
        customer; ``attributed_revenue`` is all revenue of the treatment group (what a naive report
        credits), ``incremental_*`` is the campaign as run (treatment group only).
    revenue_lift_draws_ : DataFrame
        Bootstrap draws (n_boot × segments, plus the total) of the revenue lift per customer.
    campaign_ : DataFrame
        The validated campaign joined to segments.
    report_ : dict
        Validation report; ``unknown_customer_ids`` counts campaign ids not in the customer table and
        ``match_share`` is the share that is in it.
    n_unknown_customers_ : int
        Same count, as an attribute.
    """

    def __init__(
        self,
        *,
        segment_col: str = "segment",
        margin: float = DEFAULT_MARGIN,
        contact_cost: float = DEFAULT_CONTACT_COST,
        alpha: float = 0.05,
        n_boot: int = 2000,
        random_state: int | None = None,
        min_match: float = FIT_MIN_MATCH,
    ) -> None:
        self.segment_col = segment_col
        self.margin = margin
        self.contact_cost = contact_cost
        self.alpha = alpha
        self.n_boot = n_boot
        self.random_state = random_state
        self.min_match = min_match

    def _check_params(self) -> None:
        _check_costs(contact_cost=self.contact_cost)
        _check_margin(self.margin)
        if not 0.0 < self.alpha < 0.5:
            raise DataError(f"alpha must be in (0, 0.5), got {self.alpha}; 0.05 gives 95% intervals")
        if self.n_boot < 100:
            raise DataError(f"n_boot must be at least 100 for stable intervals, got {self.n_boot}")

    def fit(self, campaign: pd.DataFrame, customers: pd.DataFrame) -> CampaignLift:
        """Validate the campaign, join segments and estimate lift per segment and overall.

        Parameters
        ----------
        campaign : DataFrame
            ``customer_id, group, responded, revenue`` (see :func:`validate_campaign`).
        customers : DataFrame
            Customer table indexed by ``customer_id`` with the segment column.

        Returns
        -------
        CampaignLift
            self.

        Raises
        ------
        DataError
            A malformed campaign, a segment without treatment or control customers, or fewer than
            ``min_match`` of the campaign customers in the customer table.
        """
        self._check_params()
        valid = validate_campaign(campaign)
        coverage = campaign_coverage(valid, customers)
        check_campaign_match(coverage, min_match=self.min_match)
        joined, report = attach_segments(valid, customers, segment_col=self.segment_col)
        self.campaign_, self.report_ = joined, {**report, "match_share": coverage["match_share"]}
        self.n_unknown_customers_ = report["unknown_customer_ids"]
        labels = [str(s) for s in joined["segment"].cat.categories]
        codes = joined["segment"].cat.codes.to_numpy()
        treated = (joined["group"] == "treatment").to_numpy()
        cell = 2 * codes + treated
        n_cells = 2 * len(labels)
        n = np.bincount(cell, minlength=n_cells).reshape(-1, 2).astype(float)
        x = np.bincount(cell, weights=joined["responded"].to_numpy(float), minlength=n_cells).reshape(-1, 2)
        rev = np.bincount(cell, weights=joined["revenue"].to_numpy(), minlength=n_cells).reshape(-1, 2)
        draws = bootstrap_mean_difference(
            joined["revenue"].to_numpy(), treated, codes, n_boot=self.n_boot, random_state=self.random_state
        )
        weights = n.sum(axis=1) / n.sum()
        draws = np.column_stack([draws, draws @ weights])
        self.revenue_lift_draws_ = pd.DataFrame(draws, columns=[*labels, TOTAL_LABEL])
        self.lift_ = self._table(labels, n, x, rev, draws)
        return self

    def _table(self, labels, n, x, rev, draws) -> pd.DataFrame:
        z = stats.norm.ppf(1 - self.alpha / 2)
        n0, n1, x0, x1 = n[:, 0], n[:, 1], x[:, 0], x[:, 1]
        w = (n0 + n1) / (n0 + n1).sum()
        p1, p0 = x1 / n1, x0 / n0
        test = two_proportion_test(x1, n1, x0, n0, alpha=self.alpha)
        var1, var0 = p1 * (1 - p1) / n1, p0 * (1 - p0) / n0
        # overall: post-stratified (segment-size weighted) rates, Wald interval and z-test
        P1, P0 = w @ p1, w @ p0
        V1, V0 = w**2 @ var1, w**2 @ var0
        diff_all, se_all = P1 - P0, np.sqrt(V1 + V0)
        table = pd.DataFrame(
            {
                "customers": np.append(n0 + n1, (n0 + n1).sum()).astype(int),
                "n_treatment": np.append(n1, n1.sum()).astype(int),
                "n_control": np.append(n0, n0.sum()).astype(int),
                "response_treatment": np.append(p1, P1),
                "response_control": np.append(p0, P0),
                "abs_lift": np.append(test["diff"], diff_all),
                "abs_lift_low": np.append(test["low"], diff_all - z * se_all),
                "abs_lift_high": np.append(test["high"], diff_all + z * se_all),
                "p_value": np.append(test["p_value"], 2 * stats.norm.sf(abs(diff_all) / se_all) if se_all > 0 else 1.0),
            },
            index=pd.Index([*labels, TOTAL_LABEL], name="segment"),
        )
        rate_t, rate_c = table["response_treatment"], table["response_control"]
        var_t, var_c = np.append(var1, V1), np.append(var0, V0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_rr = np.log(rate_t / rate_c)
            se_log = np.sqrt(var_t / rate_t**2 + var_c / rate_c**2)
        finite = np.isfinite(log_rr) & np.isfinite(se_log)
        table["rel_lift"] = (rate_t / rate_c - 1).where(rate_c > 0)
        table["rel_lift_low"] = np.where(finite, np.exp(log_rr - z * se_log) - 1, np.nan)
        table["rel_lift_high"] = np.where(finite, np.exp(log_rr + z * se_log) - 1, np.nan)
        table["significant"] = table["p_value"] < self.alpha
        return self._money(table, n, rev, draws)

    def _money(self, table: pd.DataFrame, n, rev, draws) -> pd.DataFrame:
        n0, n1 = n[:, 0], n[:, 1]
        w = (n0 + n1) / (n0 + n1).sum()
        m1, m0 = rev[:, 1] / n1, rev[:, 0] / n0
        table["revenue_treatment"] = np.append(m1, w @ m1)
        table["revenue_control"] = np.append(m0, w @ m0)
        table["revenue_lift"] = table["revenue_treatment"] - table["revenue_control"]
        low, high = np.quantile(draws, [self.alpha / 2, 1 - self.alpha / 2], axis=0)
        table["revenue_lift_low"], table["revenue_lift_high"] = low, high
        table["attributed_revenue"] = np.append(rev[:, 1], rev[:, 1].sum())
        # the campaign as run: revenue lift × treatment customers, per segment and summed
        segment_lift = table["revenue_lift"].to_numpy()[:-1]
        inc_revenue = np.append(segment_lift * n1, segment_lift @ n1)
        inc_draws = draws[:, :-1] * n1
        inc_draws = np.column_stack([inc_draws, inc_draws.sum(axis=1)])
        cost = table["n_treatment"].to_numpy(float) * self.contact_cost
        table["incremental_revenue"] = inc_revenue
        table["incremental_profit"] = inc_revenue * self.margin - cost
        q_low, q_high = np.quantile(inc_draws, [self.alpha / 2, 1 - self.alpha / 2], axis=0)
        table["incremental_profit_low"] = q_low * self.margin - cost
        table["incremental_profit_high"] = q_high * self.margin - cost
        safe_cost = np.where(cost > 0, cost, np.nan)
        table["roi"] = table["incremental_profit"] / safe_cost
        table["roi_low"] = table["incremental_profit_low"] / safe_cost
        table["roi_high"] = table["incremental_profit_high"] / safe_cost
        table["verdict"] = np.select(
            [~table["significant"], table["abs_lift"] > 0], ["not significant: could be zero", "lift"], "backfires"
        )
        table["pays"] = np.select(
            [table["incremental_profit_low"] > 0, table["incremental_profit_high"] < 0], ["yes", "no"], "unclear"
        )
        return table

    def targeting(
        self, *, sizes: pd.Series | None = None, true_revenue_lift: pd.Series | None = None
    ) -> pd.DataFrame:
        """What the campaign earned as run, and would have earned sent to everyone or only to winners.

        Policies (rows):

        - ``as run (naive attribution)``: all revenue of contacted responders credited to the campaign
          (what a campaign report without a control group shows);
        - ``as run (incremental)``: the treatment group, counting only revenue above the control group's;
        - ``mass: every customer``: every customer of every segment contacted;
        - ``targeted: positive segments``: only the segments whose measured incremental profit per
          contact is positive (``revenue_lift × margin > contact_cost``); ``segments`` says how many.

        Parameters
        ----------
        sizes : Series, optional
            Customers per segment who could be contacted; default: the campaign population per segment.
        true_revenue_lift : Series, optional
            True revenue lift per customer by segment (simulations only): adds
            ``true_incremental_profit``, the value of each policy under the truth. Because the targeted
            segments are chosen on the same data that measures them, the measured value of the
            targeted policy is optimistic (winner's curse); the truth column shows by how much.

        Returns
        -------
        DataFrame
            Indexed by ``policy``: ``segments``, ``contacts``, ``cost``, ``incremental_revenue``,
            ``incremental_profit`` with ``_low``/``_high`` interval (bootstrap, not for naive
            attribution), ``roi`` and optionally ``true_incremental_profit``.
        """
        per = self.lift_.drop(index=TOTAL_LABEL)
        labels = per.index
        size = per["customers"] if sizes is None else sizes.reindex(labels).fillna(0)
        chosen = (per["revenue_lift"] * self.margin > self.contact_cost).to_numpy()
        draws = self.revenue_lift_draws_[list(labels)].to_numpy()
        policies = {
            "as run (incremental)": per["n_treatment"].to_numpy(float),
            "mass: every customer": size.to_numpy(float),
            "targeted: positive segments": np.where(chosen, size.to_numpy(float), 0.0),
        }
        rows = {}
        q = [self.alpha / 2, 1 - self.alpha / 2]
        for policy, contacts in policies.items():  # three policies, not customers
            cost = contacts.sum() * self.contact_cost
            inc = per["revenue_lift"].to_numpy() @ contacts
            low, high = np.quantile(draws @ contacts, q) * self.margin - cost
            rows[policy] = {"segments": int((contacts > 0).sum()), "contacts": contacts.sum(), "cost": cost,
                            "incremental_revenue": inc, "incremental_profit": inc * self.margin - cost,
                            "incremental_profit_low": low, "incremental_profit_high": high}
            if true_revenue_lift is not None:
                truth = true_revenue_lift.reindex(labels).to_numpy(float)
                rows[policy]["true_incremental_profit"] = truth @ contacts * self.margin - cost
        n1 = per["n_treatment"].sum()
        naive = {"segments": len(labels), "contacts": float(n1), "cost": n1 * self.contact_cost,
                 "incremental_revenue": per["attributed_revenue"].sum(),
                 "incremental_profit": per["attributed_revenue"].sum() * self.margin - n1 * self.contact_cost}
        out = pd.DataFrame({"as run (naive attribution)": naive, **rows}).T
        out["segments"] = out["segments"].astype(int)
        out["roi"] = out["incremental_profit"] / out["cost"].where(out["cost"] > 0)
        out.index.name = "policy"
        return out

    def targeted_segments(self) -> list[str]:
        """Segments whose measured incremental profit per contact is positive."""
        per = self.lift_.drop(index=TOTAL_LABEL)
        return per.index[per["revenue_lift"] * self.margin > self.contact_cost].tolist()


# --------------------------------------------------------------------------------------------
# 4. Budget allocation
# --------------------------------------------------------------------------------------------


def _per_segment(value, labels: pd.Index, name: str) -> pd.Series:
    """Broadcast a scalar or look a mapping/Series up by segment; DataError for missing segments."""
    if np.isscalar(value):
        return pd.Series(float(value), index=labels, name=name)
    series = pd.Series(value, dtype=float)
    series.index = series.index.astype(str)
    missing = labels.difference(series.index)
    if len(missing):
        raise DataError(
            f"{name} has no value for segment(s) {_examples(missing)}; give every segment a value "
            f"(e.g. from CampaignLift.lift_ or a documented assumption)"
        )
    return series.reindex(labels).rename(name)


def planning_table(
    customers: pd.DataFrame,
    *,
    uplift: float | Mapping[str, float] | pd.Series,
    segment_col: str = "segment",
    contact_cost: float | Mapping[str, float] | pd.Series = DEFAULT_CONTACT_COST,
    margin: float = DEFAULT_MARGIN,
    value_per_response: float | Mapping[str, float] | pd.Series | None = None,
    value_col: str | None = None,
) -> pd.DataFrame:
    """Per-segment inputs of a budget allocation.

    ``profit_per_contact = uplift × value_per_response − contact_cost``; a segment is worth
    contacting when it is positive, and the best segments have the highest
    ``roi_per_contact = profit_per_contact / contact_cost``.

    Parameters
    ----------
    customers : DataFrame
        Customer table with ``segment_col`` (and ``avg_order_value`` unless a value is given).
    uplift : float, mapping or Series
        Expected extra responses per contact by segment: measured
        (``CampaignLift.lift_["abs_lift"]``) or assumed. Extra labels (e.g. the total row) are ignored.
    segment_col : str, default "segment"
        Segment column.
    contact_cost : float, mapping or Series, default 1.50
        Cost of one contact, one value or one per segment.
    margin : float, default 0.30
        Gross margin; the default value of a response is ``margin × mean avg_order_value`` of the segment.
    value_per_response : float, mapping or Series, optional
        Profit of one extra response by segment, overriding the default.
    value_col : str, optional
        A per-customer value column (e.g. expected CLV profit from segkit.clv): its segment mean
        is the value of a response.

    Returns
    -------
    DataFrame
        Indexed by segment: ``size``, ``contact_cost``, ``uplift``, ``value_per_response``,
        ``profit_per_contact``, ``roi_per_contact``.

    Raises
    ------
    DataError
        Negative costs, missing segments in ``uplift``/costs/values, uplift outside [-1, 1].
    """
    segments = _segments(customers, segment_col)
    labels = pd.Index(segments.cat.categories.astype(str), name="segment")
    size = segments.value_counts().reindex(labels).astype(int)
    cost = _per_segment(contact_cost, labels, "contact_cost")
    _check_costs(contact_cost=cost)
    _check_margin(margin)
    lift = _per_segment(uplift, labels, "uplift")
    if (lift.abs() > 1).any() or lift.isna().any():
        bad = lift[~(lift.abs() <= 1)]
        raise DataError(f"uplift is a change in response probability, within [-1, 1]; got {_examples(bad)}")
    if value_per_response is not None:
        value = _per_segment(value_per_response, labels, "value_per_response")
    else:
        column = value_col or "avg_order_value"
        check_customer_table(customers, [column], fix="pass value_col= or value_per_response=")
        scale = 1.0 if value_col else margin
        values = pd.Series(customers[column].to_numpy(float), index=segments.to_numpy())
        means = values.groupby(level=0).mean()
        value = means.reindex(labels) * scale
    plan = pd.DataFrame({"size": size, "contact_cost": cost, "uplift": lift, "value_per_response": value})
    plan["profit_per_contact"] = plan["uplift"] * plan["value_per_response"] - plan["contact_cost"]
    plan["roi_per_contact"] = plan["profit_per_contact"] / plan["contact_cost"].where(plan["contact_cost"] > 0)
    return plan


def _check_plan(plan: pd.DataFrame, budget: float | np.ndarray) -> None:
    _check_columns(plan, ["size", "contact_cost", "profit_per_contact"], "plan", "build it with planning_table()")
    _check_costs(budget=budget, contact_cost=plan["contact_cost"])
    if (plan["size"] < 0).any() or plan["profit_per_contact"].isna().any():
        raise DataError(
            "plan needs sizes >= 0 and a profit_per_contact for every segment; build it with planning_table()"
        )


def _by_return(profit: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Segment order by decreasing profit per unit of cost (free contacts first), ties in plan order."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost > 0, profit / cost, np.inf)
    return np.argsort(-ratio, kind="stable")


def _greedy(profit: np.ndarray, cost: np.ndarray, size: np.ndarray, budget: float) -> np.ndarray:
    """Fractional knapsack: fill segments in decreasing profit per unit of cost while profit > 0."""
    order = _by_return(profit, cost)
    worth = profit[order] > 0
    spend_full = np.where(worth, size[order] * cost[order], 0.0)
    spent_before = np.cumsum(spend_full) - spend_full
    with np.errstate(divide="ignore", invalid="ignore"):
        affordable = np.where(cost[order] > 0, (budget - spent_before) / cost[order], np.inf)
    x = np.zeros_like(profit)
    x[order] = np.where(worth, np.clip(affordable, 0, size[order]), 0.0)
    return x


def allocate_budget(plan: pd.DataFrame, *, budget: float, method: str = "linprog") -> pd.DataFrame:
    """Contacts per segment that maximise expected incremental profit within a budget.

    Maximise ``Σ_s x_s × profit_per_contact_s`` subject to ``Σ_s x_s × contact_cost_s ≤ budget`` and
    ``0 ≤ x_s ≤ size_s``. This is a linear programme, solved by ``scipy.optimize.linprog`` (HiGHS).
    It is also a *fractional knapsack*: one resource (budget), items (contacts) that can be taken in
    any amount up to a cap, a linear value. For such problems the greedy rule "fill segments in
    decreasing profit per unit of cost, skip those with negative profit" is exactly optimal (an
    exchange argument: moving budget from a lower-ratio to a higher-ratio segment never lowers
    profit), so ``method="greedy"`` gives the same answer in closed form and explains *why* the LP
    picks what it picks. The LP stays the general tool once constraints are added (minimum
    contacts per segment, channel capacities), where greedy is no longer optimal.

    Contacts are expected numbers (continuous, at most one segment fractional); round down for a
    send list, which costs at most one contact's profit.

    Parameters
    ----------
    plan : DataFrame
        From :func:`planning_table`.
    budget : float
        Money available for contacts (>= 0).
    method : {"linprog", "greedy"}, default "linprog"
        Solver.

    Returns
    -------
    DataFrame
        ``plan`` plus ``contacts``, ``share_contacted``, ``spend``, ``expected_responses``
        (incremental) and ``expected_profit``, sorted by ``roi_per_contact``.

    Examples
    --------
    >>> plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0],
    ...                      "profit_per_contact": [2.0, 0.5], "uplift": [0.1, 0.05]},
    ...                     index=pd.Index(["A", "B"], name="segment"))
    >>> allocate_budget(plan, budget=150)["contacts"].round(6).tolist()
    [100.0, 50.0]
    """
    _check_plan(plan, budget)
    profit = plan["profit_per_contact"].to_numpy(float)
    cost = plan["contact_cost"].to_numpy(float)
    size = plan["size"].to_numpy(float)
    if method == "linprog":
        result = optimize.linprog(
            -profit, A_ub=cost[None, :], b_ub=[budget], bounds=list(zip(np.zeros_like(size), size)), method="highs"
        )
        if result.status != 0:
            raise DataError(f"linprog failed ({result.message}); check the plan for infinite values")
        x = np.clip(result.x, 0.0, size)
    elif method == "greedy":
        x = _greedy(profit, cost, size, float(budget))
    else:
        raise DataError(f"method must be 'linprog' or 'greedy', got {method!r}")
    out = plan.copy()
    out["contacts"] = x
    out["share_contacted"] = np.divide(x, size, out=np.zeros_like(x), where=size > 0)
    out["spend"] = x * cost
    if "uplift" in out:
        out["expected_responses"] = x * out["uplift"].to_numpy(float) + 0.0  # + 0.0 turns -0.0 into 0.0
    out["expected_profit"] = x * profit + 0.0
    sort_key = out["roi_per_contact"] if "roi_per_contact" in out else out["profit_per_contact"] / out["contact_cost"]
    return out.iloc[np.argsort(-sort_key.fillna(np.inf).to_numpy(), kind="stable")]


def mass_allocation(plan: pd.DataFrame, *, budget: float) -> pd.DataFrame:
    """The same budget spent without segments: the same share of every segment is contacted.

    ``share = min(1, budget / Σ_s size_s × contact_cost_s)``: a mass campaign to a random sample of the base.
    """
    _check_plan(plan, budget)
    full = float((plan["size"] * plan["contact_cost"]).sum())
    share = 1.0 if full <= budget else budget / full
    out = plan.copy()
    out["contacts"] = share * plan["size"].to_numpy(float)
    out["share_contacted"] = share
    out["spend"] = out["contacts"] * plan["contact_cost"]
    out["expected_profit"] = out["contacts"] * plan["profit_per_contact"] + 0.0
    return out


def single_segment_allocations(plan: pd.DataFrame, *, budget: float) -> pd.DataFrame:
    """For each segment alone: contact as many of it as the budget allows; the expected profit."""
    _check_plan(plan, budget)
    cost = plan["contact_cost"].to_numpy(float)
    with np.errstate(divide="ignore"):
        affordable = np.where(cost > 0, budget / cost, np.inf)
    contacts = np.minimum(plan["size"].to_numpy(float), affordable)
    return pd.DataFrame(
        {"contacts": contacts, "spend": contacts * cost, "expected_profit": contacts * plan["profit_per_contact"]},
        index=plan.index,
    )


def compare_allocations(
    plan: pd.DataFrame, *, budget: float, optimal: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Optimal allocation vs a mass campaign and the best single-segment campaign, same budget.

    Parameters
    ----------
    plan : DataFrame
        From :func:`planning_table`.
    budget : float
        Money available for contacts.
    optimal : DataFrame, optional
        :func:`allocate_budget` of ``plan`` at ``budget`` when already computed (it is not solved twice).

    Returns
    -------
    DataFrame
        Indexed by ``strategy``: ``segments``, ``contacts``, ``spend``, ``expected_profit``, ``roi``
        (expected profit per unit spent; 0 for a strategy that spends nothing).

    Examples
    --------
    >>> plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0],
    ...                      "profit_per_contact": [2.0, -0.5]}, index=pd.Index(["A", "B"], name="segment"))
    >>> compare_allocations(plan, budget=100)["expected_profit"].tolist()
    [200.0, 75.0, 200.0]
    """
    if optimal is None:
        optimal = allocate_budget(plan, budget=budget)
    mass = mass_allocation(plan, budget=budget)
    single = single_segment_allocations(plan, budget=budget)
    best = single["expected_profit"].idxmax()
    rows = {
        "optimal (targeted)": optimal,
        "mass (same budget, every segment alike)": mass,
        f"best single segment: {best}": single.loc[[best]],
    }
    out = pd.DataFrame(
        {name: {"segments": int((t["contacts"] > 1e-9).sum()), "contacts": t["contacts"].sum(),
                "spend": t["spend"].sum(), "expected_profit": t["expected_profit"].sum()}
         for name, t in rows.items()}
    ).T
    out["segments"] = out["segments"].astype(int)
    # nothing spent, nothing earned: ROI 0 rather than 0/0 (the plan that contacts nobody)
    out["roi"] = (out["expected_profit"] / out["spend"].where(out["spend"] > 0)).fillna(0.0)
    out.index.name = "strategy"
    return out


def budget_curve(
    plan: pd.DataFrame, *, budgets: np.ndarray | list[float] | None = None, n_points: int = 301
) -> pd.DataFrame:
    """Expected incremental profit of the optimal and the mass allocation for many budgets at once.

    The optimal profit is the concave, piecewise-linear curve through the cumulative (spend,
    profit) of the segments in decreasing ROI (only segments that pay), flat once they are all
    contacted; the mass profit is linear in the budget until everyone is contacted.

    Parameters
    ----------
    plan : DataFrame
        From :func:`planning_table`.
    budgets : array-like, optional
        Budgets to evaluate; default ``n_points`` evenly spaced from 0 to the cost of contacting everyone.
    n_points : int, default 301
        Number of budgets when ``budgets`` is not given.

    Returns
    -------
    DataFrame
        ``budget``, ``optimal_profit``, ``optimal_spend``, ``mass_profit``; ``attrs`` hold
        ``full_cost`` (contacting every customer) and ``saturation`` (the budget at which every
        segment that pays is fully contacted, beyond which the optimum stops growing).

    Examples
    --------
    >>> plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0],
    ...                      "profit_per_contact": [2.0, -0.5]}, index=["A", "B"])
    >>> budget_curve(plan, budgets=[0, 50, 200])[["optimal_profit", "mass_profit"]].values.tolist()
    [[0.0, 0.0], [100.0, 37.5], [200.0, 150.0]]
    """
    given = None if budgets is None else np.asarray(budgets, dtype=float)
    _check_plan(plan, 0.0 if given is None else given)
    profit = plan["profit_per_contact"].to_numpy(float)
    cost = plan["contact_cost"].to_numpy(float)
    size = plan["size"].to_numpy(float)
    full = float((size * cost).sum())
    budgets = np.linspace(0.0, full, n_points) if given is None else given
    order = _by_return(profit, cost)
    worth = order[profit[order] > 0]
    free = worth[cost[worth] == 0]
    paid = worth[cost[worth] > 0]
    knots_spend = np.concatenate([[0.0], np.cumsum(size[paid] * cost[paid])])
    knots_profit = (size[free] * profit[free]).sum() + np.concatenate([[0.0], np.cumsum(size[paid] * profit[paid])])
    share = np.ones_like(budgets) if full == 0 else np.minimum(1.0, budgets / full)
    curve = pd.DataFrame(
        {
            "budget": budgets,
            "optimal_profit": np.interp(budgets, knots_spend, knots_profit),
            "optimal_spend": np.minimum(budgets, knots_spend[-1]),
            "mass_profit": share * (size * profit).sum(),
        }
    )
    curve.attrs = {"full_cost": full, "saturation": float(knots_spend[-1])}
    return curve


# --------------------------------------------------------------------------------------------
# Words: headline and per-segment actions
# --------------------------------------------------------------------------------------------


def _result(amount: float) -> str:
    return f"a loss of {-amount:,.0f}" if amount < 0 else f"a profit of {amount:,.0f}"


def budget_curve_words(curve: pd.DataFrame) -> str:
    """One sentence on a :func:`budget_curve`: where the optimum stops growing and what contacting everyone earns.

    Examples
    --------
    >>> plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0],
    ...                      "profit_per_contact": [2.0, -0.5]}, index=["A", "B"])
    >>> budget_curve_words(budget_curve(plan))  # doctest: +NORMALIZE_WHITESPACE
    'The expected profit stops growing at a budget of 100, when every segment that pays is fully contacted;
     contacting every customer would cost 200 and is expected to bring a profit of 150.'
    """
    everyone = (f"contacting every customer would cost {curve.attrs['full_cost']:,.0f} and is expected to bring "
                f"{_result(float(curve['mass_profit'].iloc[-1]))}")
    if curve.attrs["saturation"] <= 0:
        return (f"No segment pays at this uplift and these costs, so the best budget is 0: contact nobody; "
                f"{everyone}.")
    return (f"The expected profit stops growing at a budget of {curve.attrs['saturation']:,.0f}, when every "
            f"segment that pays is fully contacted; {everyone}.")


def multiple_testing_words(model: CampaignLift | None) -> str:
    """The caution that goes with testing many segments at once, for the recommendations.

    ``model`` is the fitted :class:`CampaignLift`, or None when no campaign was measured.
    """
    if model is None:
        return ("No campaign was measured, so no segment's lift has been tested yet. Measure one with a random "
                "control group, and remember that at the 5% level one segment in twenty without any real lift "
                "looks \"significant\" by chance alone.")
    n_tested = len(model.lift_) - 1
    return (f"{n_tested} segments were tested at once at the {model.alpha:.0%} level: even if the campaign did "
            f"nothing, {n_tested * model.alpha:.1f} of them would be expected to look \"significant\" by chance "
            "alone. Act firmly on large, clear lifts and re-test borderline ones.")


def _plan_words(allocations: pd.DataFrame, budget: float) -> str:
    k = int(allocations["segments"].iloc[0])
    where = f"{k} segment{'s' if k != 1 else ''}"
    spent = allocations["spend"].iloc[0] if "spend" in allocations else budget
    return (f"a budget of {budget:,.0f} spread over {where}" if spent >= budget - 0.5 else
            f"spending {spent:,.0f} of the {budget:,.0f} budget on {where} (more would only buy losses)")


def _uplift_words(assumed_uplift: float | Mapping[str, float] | pd.Series) -> str:
    if np.isscalar(assumed_uplift):
        return f"an assumed uplift of {100 * float(assumed_uplift):.1f} percentage points of response per contact"
    return "an assumed uplift per segment"


def assumed_headline(
    allocations: pd.DataFrame, *, budget: float, assumed_uplift: float | Mapping[str, float] | pd.Series
) -> str:
    """The headline when no campaign was measured: the plan, labelled as resting on an assumption.

    Examples
    --------
    >>> allocations = pd.DataFrame({"expected_profit": [0.0, -120.0], "segments": [0, 5], "spend": [0.0, 500.0]})
    >>> print(assumed_headline(allocations, budget=500, assumed_uplift=0.02))  # doctest: +NORMALIZE_WHITESPACE
    **No campaign was measured for these customers: the budget plan rests on an assumed uplift of 2.0
    percentage points of response per contact (parameter `planned_uplift`), not on a measurement.** At
    that uplift no segment earns back its contact cost, so the plan spends nothing; a mass campaign of
    500 is expected to bring a loss of 120. Measure the real uplift with a campaign that keeps a random control group.
    """
    first = (f"**No campaign was measured for these customers: the budget plan rests on "
             f"{_uplift_words(assumed_uplift)} (parameter `planned_uplift`), not on a measurement.**")
    optimal, mass = allocations["expected_profit"].iloc[0], allocations["expected_profit"].iloc[1]
    if int(allocations["segments"].iloc[0]) == 0:
        plan = (f"At that uplift no segment earns back its contact cost, so the plan spends nothing; a mass "
                f"campaign of {budget:,.0f} is expected to bring {_result(mass)}.")
    else:
        plan = (f"At that uplift, {_plan_words(allocations, budget)} is expected to bring {_result(optimal)}, "
                f"against {_result(mass)} from a mass campaign of the same budget.")
    return f"{first} {plan} Measure the real uplift with a campaign that keeps a random control group."


def headline(
    targeting: pd.DataFrame | None,
    allocations: pd.DataFrame,
    *,
    budget: float,
    assumed_uplift: float | Mapping[str, float] | pd.Series | None = None,
) -> str:
    """The notebook's headline, in words, from :meth:`CampaignLift.targeting` and :func:`compare_allocations`.

    With ``targeting=None`` (no campaign measured) the headline is :func:`assumed_headline` for
    ``assumed_uplift``.

    Examples
    --------
    >>> targeting = pd.DataFrame({"incremental_profit": [900.0, -50.0, -100.0, 300.0], "segments": [5, 5, 5, 2]},
    ...     index=["as run (naive attribution)", "as run (incremental)", "mass: every customer",
    ...            "targeted: positive segments"])
    >>> allocations = pd.DataFrame({"expected_profit": [250.0, 20.0, 200.0], "segments": [2, 5, 1]})
    >>> print(headline(targeting, allocations, budget=500))  # doctest: +NORMALIZE_WHITESPACE
    **Targeting only the 2 segments with a profitable measured lift would have turned a loss of 100 into a
    profit of 300.** The campaign as run made a loss of 50 once the control group's purchases are netted out;
    a report without a control group would have claimed a profit of 900. For the next campaign, a budget of
    500 spread over 2 segments is expected to bring a profit of 250, against a profit of 20 from a mass
    campaign of the same budget.
    """
    if targeting is None:
        if assumed_uplift is None:
            raise DataError("no campaign was measured (targeting is None): pass the assumed_uplift the plan used")
        return assumed_headline(allocations, budget=budget, assumed_uplift=assumed_uplift)
    mass = targeting.loc["mass: every customer", "incremental_profit"]
    targeted = targeting.loc["targeted: positive segments"]
    n, targeted_profit = int(targeted["segments"]), targeted["incremental_profit"]
    who = f"the {n} segment{'s' if n != 1 else ''} with a profitable measured lift"
    if mass < 0 < targeted_profit:
        first = f"Targeting only {who} would have turned {_result(mass)} into {_result(targeted_profit)}."
    else:
        first = (f"Targeting only {who} would have changed the result of contacting everyone from "
                 f"{_result(mass)} to {_result(targeted_profit)}.")
    run = targeting.loc["as run (incremental)", "incremental_profit"]
    naive = targeting.loc["as run (naive attribution)", "incremental_profit"]
    optimal, mass_budget = allocations["expected_profit"].iloc[0], allocations["expected_profit"].iloc[1]
    plan = _plan_words(allocations, budget)
    return (
        f"**{first}** The campaign as run made {_result(run)} once the control group's purchases are netted "
        f"out; a report without a control group would have claimed {_result(naive)}. For the next campaign, "
        f"{plan} is expected to bring {_result(optimal)}, against {_result(mass_budget)} from a mass campaign of the "
        f"same budget."
    )


def _assumed_actions(allocation: pd.DataFrame) -> pd.DataFrame:
    """Actions when the allocation rests on an assumed uplift (no campaign measured)."""
    contacts = np.floor(allocation["contacts"].to_numpy(float) + 1e-6)
    worth = allocation["profit_per_contact"].to_numpy(float) > 0
    value = allocation["value_per_response"].where(allocation["value_per_response"] > 0)
    needed = (100 * allocation["contact_cost"] / value).round(1)
    cannot = "do not contact at the assumed uplift: a contact pays from an uplift of " + needed.astype(str) + " points"
    action = np.select(
        [contacts > 0, worth],
        ["contact (assumed uplift): keep a random control group to measure the real lift",
         "next in line if the budget grows (assumed uplift)"],
        cannot.fillna("do not contact: a response brings no profit").to_numpy(object),
    )
    return pd.DataFrame(
        {"verdict": "not measured", "pays": "assumed", "contacts": contacts.astype(int),
         "size": allocation["size"].astype(int), "action": action},
        index=allocation.index,
    )


def segment_actions(lift: pd.DataFrame | None, allocation: pd.DataFrame) -> pd.DataFrame:
    """A plain-language action per segment from the measured lift and the budget allocation.

    Parameters
    ----------
    lift : DataFrame or None
        ``CampaignLift.lift_``; None when no campaign was measured and ``allocation`` rests on an
        assumed uplift: then ``verdict`` is "not measured", ``pays`` is "assumed" and the action of a
        segment left out names the uplift from which its contact would pay
        (``contact_cost / value_per_response``).
    allocation : DataFrame
        :func:`allocate_budget` output for the same segments.

    Returns
    -------
    DataFrame
        Indexed by segment: ``verdict``, ``pays``, ``contacts`` (rounded down), ``size``, ``action``.
    """
    if lift is None:
        return _assumed_actions(allocation)
    per = lift.drop(index=TOTAL_LABEL, errors="ignore")
    alloc = allocation.reindex(per.index)
    contacts = np.floor(alloc["contacts"].to_numpy(float) + 1e-6)
    worth = alloc["profit_per_contact"].to_numpy(float) > 0
    sig = per["significant"].to_numpy(bool)
    backfires = sig & (per["abs_lift"].to_numpy(float) < 0)
    action = np.select(
        [
            (contacts > 0) & (per["pays"] == "yes").to_numpy(),
            contacts > 0,
            worth,
            backfires,
            sig,
        ],
        [
            "contact: the lift is measured and pays for the contact",
            "contact, keeping a control group: expected to pay, but the interval still includes a loss",
            "next in line if the budget grows: expected to pay, less than the segments funded first",
            "do not contact: the campaign backfires here",
            "do not contact: a real lift, too small to pay for the contact (try a cheaper channel)",
        ],
        "do not contact: no lift shown; re-test with a larger sample if the segment matters",
    )
    return pd.DataFrame(
        {"verdict": per["verdict"], "pays": per["pays"], "contacts": contacts.astype(int),
         "size": alloc["size"].astype(int), "action": action},
        index=per.index,
    )


MEASURED_EXPORT_COLUMNS: tuple[str, ...] = ("abs_lift_low", "abs_lift_high", "revenue_lift", "significant")


def plan_export(allocation: pd.DataFrame, actions: pd.DataFrame, *, lift: pd.DataFrame | None = None) -> pd.DataFrame:
    """The campaign plan a CRM needs: one row per segment, whole contacts, spend and expected profit.

    Columns: the :func:`allocate_budget` plan, ``uplift_source`` ("measured" from the campaign in
    ``lift``, or "assumed" when ``lift`` is None), the measured interval columns
    :data:`MEASURED_EXPORT_COLUMNS` (empty when assumed), then ``verdict``, ``pays``, ``contacts``
    (rounded down to whole customers) and ``action`` from :func:`segment_actions`; ``spend`` and
    ``expected_profit`` are recomputed for the whole contacts.
    """
    export = allocation.drop(columns=["contacts"])
    export.insert(export.columns.get_loc("uplift") + 1, "uplift_source", "measured" if lift is not None else "assumed")
    if lift is not None:
        export = export.join(lift[list(MEASURED_EXPORT_COLUMNS)])
    else:
        export = export.assign(**{c: np.nan for c in MEASURED_EXPORT_COLUMNS})
    export = export.join(actions[["verdict", "pays", "contacts", "action"]])
    export["spend"] = export["contacts"] * export["contact_cost"]
    export["expected_profit"] = export["contacts"] * export["profit_per_contact"] + 0.0  # no -0.0 in the file
    return export


# --------------------------------------------------------------------------------------------
# The one call: measure (when a campaign belongs to the customers) and plan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignStudy:
    """Everything a campaign report shows, from :func:`campaign_study`.

    Attributes
    ----------
    model : CampaignLift or None
        The fitted measurement; None when no campaign belongs to the customers.
    lift : DataFrame or None
        ``model.lift_``.
    true_lift : DataFrame or None
        :func:`segkit.campaign.truth_by_segment` for the recomputed segments (simulations only).
    targeting : DataFrame or None
        :meth:`CampaignLift.targeting`, with ``true_incremental_profit`` when the truth is known.
    plan, allocation, choices : DataFrame
        :func:`planning_table` (measured or assumed uplift), :func:`allocate_budget` and
        :func:`compare_allocations` at the budget.
    headline : str
        :func:`headline` in Markdown.
    """

    model: CampaignLift | None
    lift: pd.DataFrame | None
    true_lift: pd.DataFrame | None
    targeting: pd.DataFrame | None
    plan: pd.DataFrame
    allocation: pd.DataFrame
    choices: pd.DataFrame
    headline: str


def campaign_study(
    choice: CampaignChoice,
    customers: pd.DataFrame,
    *,
    budget: float,
    planned_uplift: float | Mapping[str, float] | pd.Series,
    value_col: str | None = None,
    segment_col: str = "segment",
    margin: float = DEFAULT_MARGIN,
    contact_cost: float = DEFAULT_CONTACT_COST,
    n_boot: int = 2000,
    random_state: int | None = None,
) -> CampaignStudy:
    """Measure the campaign of ``choice`` (if it is used) and plan the next budget, each step once.

    With a campaign: :class:`CampaignLift` is fitted, the plan uses the measured ``abs_lift``, and
    the planted truth (when ``choice.truth`` exists) is summarised per recomputed segment and added
    to the targeting table. Without one: the plan uses ``planned_uplift`` and the headline says so.

    Parameters
    ----------
    choice : CampaignChoice
        From :func:`match_campaign`.
    customers : DataFrame
        Customer table with ``segment_col`` (and ``value_col`` when given).
    budget : float
        Money available for the next campaign's contacts.
    planned_uplift : float, mapping or Series
        Assumed uplift per contact, used only when no campaign is measured.
    value_col, segment_col, margin, contact_cost
        See :func:`planning_table` and :class:`CampaignLift`.
    n_boot, random_state
        Bootstrap replicates and seed of :class:`CampaignLift`.

    Returns
    -------
    CampaignStudy
    """
    from segkit.campaign import truth_by_segment

    economics = {"margin": margin, "contact_cost": contact_cost}
    model = lift = true_lift = targeting = None
    if choice.used:
        model = CampaignLift(segment_col=segment_col, n_boot=n_boot, random_state=random_state, **economics)
        lift = model.fit(choice.campaign, customers).lift_
        if choice.truth is not None:
            true_lift = truth_by_segment(choice.truth, segments=customers[segment_col])
            true_lift = true_lift.reindex(lift.index.drop(TOTAL_LABEL))
        targeting = model.targeting(true_revenue_lift=None if true_lift is None else true_lift["revenue_lift"])
    uplift = planned_uplift if lift is None else lift["abs_lift"]
    plan = planning_table(customers, uplift=uplift, segment_col=segment_col, value_col=value_col, **economics)
    allocation = allocate_budget(plan, budget=budget)
    choices = compare_allocations(plan, budget=budget, optimal=allocation)
    text = headline(targeting, choices, budget=budget, assumed_uplift=None if model else planned_uplift)
    return CampaignStudy(model, lift, true_lift, targeting, plan, allocation, choices, text)


# --------------------------------------------------------------------------------------------
# Plots (axes-level)
# --------------------------------------------------------------------------------------------


def plot_lift(
    lift: pd.DataFrame,
    *,
    truth: pd.Series | None = None,
    column: str = "abs_lift",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Forest plot: estimated lift per segment with its interval, optionally the true lift.

    Parameters
    ----------
    lift : DataFrame
        ``CampaignLift.lift_`` (or any frame with ``column``, ``column_low``, ``column_high``).
    truth : Series, optional
        True value per segment (simulations), drawn as crosses.
    column : str, default "abs_lift"
        ``abs_lift`` (percentage points of response) or ``revenue_lift`` (money per customer).
    ax : Axes, optional
        Axes to draw on; default the current axes.
    """
    ax = ax or plt.gca()
    if column == "abs_lift":
        scale, unit = 100.0, "percentage points of response rate"
    else:
        scale, unit = 1.0, "revenue per customer"
    y = np.arange(len(lift))[::-1]
    est = lift[column].to_numpy(float) * scale
    low = lift[f"{column}_low"].to_numpy(float) * scale
    high = lift[f"{column}_high"].to_numpy(float) * scale
    ax.errorbar(est, y, xerr=np.vstack([est - low, high - est]), fmt="o", color=PALETTE[0], ecolor=PALETTE[0],
                capsize=3, label="estimate and confidence interval")
    if truth is not None:
        true = truth.reindex(lift.index).to_numpy(float) * scale
        ax.scatter(true, y, marker="x", color=PALETTE[5], zorder=3, label="planted truth")
    ax.axvline(0, color="grey", linewidth=1, linestyle="--")
    ax.set_yticks(y, lift.index)
    ax.set_xlabel(f"lift ({unit})")
    ax.set_title("Campaign lift by segment (treatment − control)")
    ax.legend(loc="best")
    return ax


def plot_allocation(allocation: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: segment size and the contacts the allocation sends to it."""
    ax = ax or plt.gca()
    y = np.arange(len(allocation))[::-1]
    ax.barh(y, allocation["size"], color="#DDDDDD", label="customers in segment")
    ax.barh(y, allocation["contacts"], color=PALETTE[2], label="contacts planned")
    ax.set_yticks(y, allocation.index)
    ax.set_xlabel("customers")
    ax.set_title("Where the budget goes")
    ax.legend(loc="upper right")
    return ax


def plot_budget_curve(curve: pd.DataFrame, *, budget: float | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Expected incremental profit against budget: optimal targeting vs a mass campaign."""
    ax = ax or plt.gca()
    ax.plot(curve["budget"], curve["optimal_profit"], color=PALETTE[2], label="optimal allocation")
    ax.plot(curve["budget"], curve["mass_profit"], color=PALETTE[5], linestyle="--", label="mass campaign")
    if budget is not None:
        ax.axvline(budget, color="grey", linewidth=1, linestyle=":", label="chosen budget")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("budget (money)")
    ax.set_ylabel("expected incremental profit (money)")
    ax.set_title("Expected return by budget")
    ax.legend(loc="best")
    return ax


def plot_segment_profit(economics: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Bars of gross profit, marketing cost and net profit per segment (the total row is left out)."""
    ax = ax or plt.gca()
    table = economics.drop(index=TOTAL_LABEL, errors="ignore")
    y = np.arange(len(table))[::-1]
    height = 0.27
    for i, (column, label) in enumerate(
        [("gross_profit", "gross profit"), ("marketing_cost", "marketing cost"), ("net_profit", "net profit")]
    ):
        ax.barh(y + (1 - i) * height, table[column], height=height, color=PALETTE[i], label=label)
    ax.set_yticks(y, table.index)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("money over the period of the data")
    ax.set_title("Segment economics")
    ax.legend(loc="lower right")
    return ax
