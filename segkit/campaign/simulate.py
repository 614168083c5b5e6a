"""Simulate a past marketing campaign: a randomised experiment with planted, segment-specific uplift.

Every customer of the customer table is randomly assigned, within their segment, to the
``"treatment"`` group (contacted) or the ``"control"`` group (held out). In a response window
after the send, each customer buys or not; the campaign file records the outcome:

``customer_id, group, responded, revenue``

The segment at send time is deliberately *not* in the file (a real export would not have it):
the analyst recomputes segments from the transactions, as :class:`~segkit.campaign.lift.CampaignLift` does.

How the outcomes are generated (all vectorised, one seeded generator):

- **Baseline response** (what a customer would do without the campaign) comes from the
  customer's history: ``p_control = 0.01 + alive × (1 − exp(−rate × window_days))`` with
  ``rate = n_orders / max(tenure_days, window_days)`` (orders per day so far) and
  ``alive = exp(−days_since_last_purchase / recency_scale_days)``, capped at 0.9.
- **Planted uplift**: the campaign adds a segment-specific number of percentage points to the
  response probability, ``p_treatment = clip(p_control + uplift[segment], 0, 1)``. The default
  profile (:data:`DEFAULT_UPLIFT`) follows the uplift-modelling quadrants: "persuadables" who
  respond to the contact, "sure things" who buy anyway (lift too small to pay for the contact),
  "lost causes", and "sleeping dogs" whom the contact annoys (a slightly negative lift).
- **Spend**: a responder spends ``Gamma(shape=4, scale=avg_order_value / 4)``, centred on the
  customer's historical average order value, whether contacted or not.

The ground truth is written per customer (``segment`` at send time, ``scenario``,
``planted_uplift``, ``p_control``, ``p_treatment``, ``order_value``), so the true lift of any
segmentation is a group-by away (:func:`truth_by_segment`).

Run ``python -m segkit.campaign`` to write ``data/raw/campaign.csv`` and
``data/raw/campaign_truth.csv`` from the default transactions and RFM segments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from segkit.data import check_customer_table
from segkit.errors import DataError
from segkit.paths import DEFAULT_TRANSACTIONS, RAW_DIR

#: Planted absolute uplift (change in response probability, 0.05 = +5 points) and uplift-modelling
#: scenario per RFM segment name (the names of ``segkit/resources/rfm_segments.csv``, which are the
#: published table's, and of ``rfm_segments_lattice.csv``, which spells two of them its own way). Whether a
#: lift "pays" is judged at the default economics of :mod:`segkit.campaign.economics` (margin 0.30,
#: contact cost 1.50): a contact pays when ``uplift × avg order value × 0.30 > 1.50``. Segments not
#: listed get :data:`FALLBACK_UPLIFT`.
DEFAULT_UPLIFT: dict[str, tuple[float, str]] = {
    "Champions": (-0.02, "sleeping dogs: buy anyway, the contact backfires slightly"),
    "Loyal Customers": (0.02, "sure things: buy anyway, lift too small to pay"),
    "Can't Lose Them": (0.20, "persuadables: win-back pays"),
    "At Risk": (0.15, "persuadables: win-back pays"),
    "New Customers": (0.12, "persuadables: second-order nudge, pays a little"),
    "Promising": (0.06, "real lift, too small to pay"),
    "Potential Loyalist": (0.15, "persuadables: pays"),
    "Potential Loyalists": (0.15, "persuadables: pays"),
    "Need Attention": (0.07, "real lift, too small to pay"),
    "About To Sleep": (0.12, "persuadables: pays"),
    "About to Sleep": (0.12, "persuadables: pays"),
    "Hibernating": (0.02, "lost causes: lift too small to pay"),
    "Lost": (0.01, "lost causes: lift too small to pay"),
}
#: Uplift (and scenario) of a segment that :data:`DEFAULT_UPLIFT` does not name.
FALLBACK_UPLIFT: tuple[float, str] = (0.03, "unlisted segment: weak lift")

WINDOW_DAYS: int = 30
RECENCY_SCALE_DAYS: float = 180.0
ORDER_SHAPE: float = 4.0  # gamma shape of a responder's spend around their average order value
HISTORY_COLUMNS: tuple[str, ...] = ("n_orders", "days_since_last_purchase", "tenure_days", "avg_order_value")
TRUTH_COLUMNS: tuple[str, ...] = (
    "customer_id", "segment", "scenario", "planted_uplift", "p_control", "p_treatment", "order_value",
)
DEFAULT_CAMPAIGN_PATH = RAW_DIR / "campaign.csv"
DEFAULT_CAMPAIGN_TRUTH_PATH = RAW_DIR / "campaign_truth.csv"


@dataclass(frozen=True)
class SimulatedFiles:
    """A simulated campaign file, its planted truth and the transactions its customers were drawn from.

    :func:`~segkit.campaign.io.match_campaign` (its ``simulated`` parameter) measures such a
    campaign only on those transactions (other data may share its numeric customer ids by chance)
    and reads that truth only with that campaign.
    """

    campaign: Path
    truth: Path
    transactions: Path


class SimulatedCampaign(NamedTuple):
    """The pair :func:`simulate_campaign` returns: the campaign file and its per-customer truth."""

    campaign: pd.DataFrame
    truth: pd.DataFrame


@dataclass(frozen=True)
class Outcomes:
    """Replications of a campaign experiment from :func:`draw_outcomes`, each of shape ``(n_reps, customers)``.

    Attributes
    ----------
    treated : ndarray of bool
        True = treatment (contacted).
    responded : ndarray of int
        1 = bought in the response window.
    revenue : ndarray of float
        Spend in the response window (0 without a response).
    """

    treated: np.ndarray
    responded: np.ndarray
    revenue: np.ndarray


def _check_history(customers: pd.DataFrame, segment_col: str) -> None:
    """Raise DataError unless ``customers`` has the history columns and a complete segment column."""
    check_customer_table(
        customers, [*HISTORY_COLUMNS, segment_col],
        fix=(f"build it with segkit.data.customer_table(clean) and add the segment column {segment_col!r} "
             "(e.g. segkit.rfm.rfm_segments)"),
    )
    n_missing = int(customers[segment_col].isna().sum())
    if n_missing:
        raise DataError(
            f"{n_missing} customer(s) have no value in segment column {segment_col!r}; "
            "assign every customer a segment before simulating"
        )


def baseline_response(
    customers: pd.DataFrame,
    *,
    window_days: int = WINDOW_DAYS,
    recency_scale_days: float = RECENCY_SCALE_DAYS,
) -> pd.Series:
    """Probability that each customer buys in the response window without any campaign.

    ``0.01 + exp(−days_since_last_purchase / recency_scale_days) × (1 − exp(−rate × window_days))``
    with ``rate = n_orders / max(tenure_days, window_days)``, capped at 0.9: frequent, recent
    buyers are likely to buy anyway; long-lapsed ones are not.

    Parameters
    ----------
    customers : DataFrame
        Customer table with ``n_orders``, ``days_since_last_purchase`` and ``tenure_days``.
    window_days : int, default 30
        Length of the response window in days.
    recency_scale_days : float, default 180
        Days of inactivity after which the chance that a customer is still active falls to 1/e.

    Returns
    -------
    Series
        ``p_control`` per customer, same index as ``customers``.

    Examples
    --------
    >>> table = pd.DataFrame({"n_orders": [12, 1], "days_since_last_purchase": [5, 400],
    ...                       "tenure_days": [360, 400]})
    >>> baseline_response(table).round(3).tolist()
    [0.625, 0.018]
    """
    rate = customers["n_orders"].to_numpy(float) / np.maximum(customers["tenure_days"].to_numpy(float), window_days)
    alive = np.exp(-customers["days_since_last_purchase"].to_numpy(float) / recency_scale_days)
    p = 0.01 + alive * (1.0 - np.exp(-rate * window_days))
    return pd.Series(np.minimum(p, 0.9), index=customers.index, name="p_control")


def planted_uplift(
    segments: pd.Series, *, uplift: Mapping[str, float | tuple[float, str]] | None = None
) -> pd.DataFrame:
    """The planted uplift and scenario label of each customer's segment.

    Parameters
    ----------
    segments : Series
        Segment label per customer.
    uplift : mapping, optional
        Segment -> absolute uplift (or ``(uplift, scenario)``). Default :data:`DEFAULT_UPLIFT`;
        segments it does not name get :data:`FALLBACK_UPLIFT`.

    Returns
    -------
    DataFrame
        ``planted_uplift`` and ``scenario``, same index as ``segments``.

    Examples
    --------
    >>> planted_uplift(pd.Series(["Champions", "Odd"]))["planted_uplift"].tolist()
    [-0.02, 0.03]
    """
    table = DEFAULT_UPLIFT if uplift is None else uplift
    entries = {k: v if isinstance(v, tuple) else (float(v), "user-planted uplift") for k, v in table.items()}
    labels = segments.astype(str)
    lift = labels.map({k: v[0] for k, v in entries.items()}).astype(float).fillna(FALLBACK_UPLIFT[0])
    scenario = labels.map({k: v[1] for k, v in entries.items()}).astype(object).fillna(FALLBACK_UPLIFT[1])
    return pd.DataFrame({"planted_uplift": lift, "scenario": scenario.astype(str)}, index=segments.index)


def campaign_truth(
    customers: pd.DataFrame,
    *,
    segment_col: str = "segment",
    uplift: Mapping[str, float | tuple[float, str]] | None = None,
    window_days: int = WINDOW_DAYS,
    recency_scale_days: float = RECENCY_SCALE_DAYS,
) -> pd.DataFrame:
    """Per-customer ground truth of the simulated campaign (before any random draw).

    Parameters
    ----------
    customers : DataFrame
        Customer table indexed by ``customer_id`` with the history columns and ``segment_col``.
    segment_col : str, default "segment"
        Column holding each customer's segment at send time.
    uplift : mapping, optional
        Planted uplift per segment, see :func:`planted_uplift`.
    window_days, recency_scale_days
        Passed to :func:`baseline_response`.

    Returns
    -------
    DataFrame
        Columns :data:`TRUTH_COLUMNS`: ``p_treatment − p_control`` is the customer's true uplift and
        ``order_value`` the expected spend of a response, so the true revenue per customer is
        ``p × order_value`` in each arm.

    Raises
    ------
    DataError
        If a history column or the segment column is missing or incomplete.
    """
    _check_history(customers, segment_col)
    p_control = baseline_response(customers, window_days=window_days, recency_scale_days=recency_scale_days)
    planted = planted_uplift(customers[segment_col], uplift=uplift)
    p_treatment = (p_control + planted["planted_uplift"]).clip(0.0, 1.0)
    truth = pd.DataFrame(
        {
            "customer_id": customers.index.astype(str),
            "segment": customers[segment_col].astype(str).to_numpy(),
            "scenario": planted["scenario"].to_numpy(),
            "planted_uplift": planted["planted_uplift"].to_numpy(),
            "p_control": p_control.to_numpy(),
            "p_treatment": p_treatment.to_numpy(),
            "order_value": customers["avg_order_value"].to_numpy(float),
        }
    )
    return truth.sort_values("customer_id", kind="stable").reset_index(drop=True)


def _assign_groups(
    strata: np.ndarray, *, treatment_share: float, rng: np.random.Generator, n_reps: int = 1
) -> np.ndarray:
    """Complete randomisation within strata: exactly ``round(share × n)`` treated per stratum.

    Returns a boolean array of shape ``(n_reps, len(strata))``, True = treatment. Every stratum
    with at least two members gets at least one customer in each group.

    Examples
    --------
    >>> treated = _assign_groups(np.array([0, 0, 0, 0, 1, 1]), treatment_share=0.5,
    ...                         rng=np.random.default_rng(0))
    >>> treated.shape, int(treated[0, :4].sum()), int(treated[0, 4:].sum())
    ((1, 6), 2, 1)
    """
    codes = np.unique(np.asarray(strata), return_inverse=True)[1].ravel()
    sizes = np.bincount(codes)
    n_treated = np.round(treatment_share * sizes)
    n_treated = np.where(sizes >= 2, n_treated.clip(1, sizes - 1), n_treated)
    keys = rng.random((n_reps, len(codes)))
    # rank of each customer's random key within its stratum, per replicate
    order = np.lexsort((keys, np.broadcast_to(codes, keys.shape)), axis=1)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank_sorted = np.arange(len(codes)) - starts[codes[order]]
    treated = np.empty(keys.shape, dtype=bool)
    np.put_along_axis(treated, order, rank_sorted < n_treated[codes[order]], axis=1)
    return treated


def draw_outcomes(
    truth: pd.DataFrame,
    *,
    treatment_share: float = 0.5,
    seed: int = 0,
    n_reps: int = 1,
) -> Outcomes:
    """Draw ``n_reps`` independent replications of the experiment from the per-customer truth.

    Assignment is re-randomised within segments in every replication; responses and spend are
    redrawn. Used by :func:`simulate_campaign` (one replication) and by coverage studies.

    Returns
    -------
    Outcomes
        ``treated``, ``responded`` and ``revenue``, each of shape ``(n_reps, len(truth))`` in the
        row order of ``truth``.
    """
    if not 0.0 < treatment_share < 1.0:
        raise DataError(f"treatment_share must be strictly between 0 and 1, got {treatment_share}")
    rng = np.random.default_rng(seed)
    treated = _assign_groups(truth["segment"].to_numpy(), treatment_share=treatment_share, rng=rng, n_reps=n_reps)
    p = np.where(treated, truth["p_treatment"].to_numpy(), truth["p_control"].to_numpy())
    responded = (rng.random(p.shape) < p).astype(np.int64)
    spend = rng.gamma(ORDER_SHAPE, truth["order_value"].to_numpy() / ORDER_SHAPE, size=p.shape)
    return Outcomes(treated, responded, np.round(responded * spend, 2))


def simulate_campaign(
    customers: pd.DataFrame,
    *,
    segment_col: str = "segment",
    treatment_share: float = 0.5,
    uplift: Mapping[str, float | tuple[float, str]] | None = None,
    window_days: int = WINDOW_DAYS,
    recency_scale_days: float = RECENCY_SCALE_DAYS,
    seed: int = 7,
) -> SimulatedCampaign:
    """Simulate one past campaign experiment on a segmented customer table.

    Parameters
    ----------
    customers : DataFrame
        Customer table indexed by ``customer_id`` with ``n_orders``, ``days_since_last_purchase``,
        ``tenure_days``, ``avg_order_value`` and ``segment_col``.
    segment_col : str, default "segment"
        The segment at send time (randomisation is stratified by it; uplift is planted by it).
    treatment_share : float, default 0.5
        Share of each segment assigned to treatment (contacted); the rest is the control group.
    uplift : mapping, optional
        Planted absolute uplift per segment; default :data:`DEFAULT_UPLIFT`.
    window_days : int, default 30
        Response window in days.
    recency_scale_days : float, default 180
        See :func:`baseline_response`.
    seed : int, default 7
        Seed of the generator; the same seed gives identical files.

    Returns
    -------
    SimulatedCampaign
        ``campaign``: ``customer_id, group, responded, revenue``, one row per customer, sorted by
        id; ``truth``: the per-customer ground truth, see :func:`campaign_truth`.

    Raises
    ------
    DataError
        If columns are missing or ``treatment_share`` is outside (0, 1).

    Examples
    --------
    >>> customers = pd.DataFrame({"n_orders": [3, 1, 8, 2], "days_since_last_purchase": [10, 300, 2, 90],
    ...     "tenure_days": [200, 300, 400, 100], "avg_order_value": [50.0, 20.0, 90.0, 35.0],
    ...     "segment": ["A", "A", "B", "B"]}, index=pd.Index(["c1", "c2", "c3", "c4"], name="customer_id"))
    >>> campaign, truth = simulate_campaign(customers, seed=1)
    >>> list(campaign.columns), campaign["group"].value_counts().sort_index().to_dict()
    (['customer_id', 'group', 'responded', 'revenue'], {'control': 2, 'treatment': 2})
    """
    truth = campaign_truth(
        customers, segment_col=segment_col, uplift=uplift, window_days=window_days,
        recency_scale_days=recency_scale_days,
    )
    draw = draw_outcomes(truth, treatment_share=treatment_share, seed=seed)
    campaign = pd.DataFrame(
        {
            "customer_id": truth["customer_id"],
            "group": np.where(draw.treated[0], "treatment", "control"),
            "responded": draw.responded[0],
            "revenue": draw.revenue[0],
        }
    )
    return SimulatedCampaign(campaign, truth)


def truth_by_segment(truth: pd.DataFrame, *, segments: pd.Series | None = None) -> pd.DataFrame:
    """True response rates, lift and revenue per customer for each segment.

    Parameters
    ----------
    truth : DataFrame
        Per-customer truth from :func:`campaign_truth` (or read from ``campaign_truth.csv``).
    segments : Series, optional
        Segment per ``customer_id`` (e.g. a recomputed segmentation); default: the segment at send time.

    Returns
    -------
    DataFrame
        Indexed by segment: ``customers``, ``response_control``, ``response_treatment``,
        ``abs_lift`` (true mean uplift), ``rel_lift``, ``revenue_control``, ``revenue_treatment``,
        ``revenue_lift`` (true incremental revenue per contacted customer) and, when the
        segmentation is the one at send time, ``planted_uplift`` and ``scenario``.
    """
    frame = truth.assign(
        customer_id=truth["customer_id"].astype(str),
        rev_c=truth["p_control"] * truth["order_value"],
        rev_t=truth["p_treatment"] * truth["order_value"],
    )
    if segments is not None:
        mapped = frame["customer_id"].map(segments.set_axis(segments.index.astype(str)))
        frame = frame.assign(segment=mapped).dropna(subset=["segment"])
    out = frame.groupby("segment", sort=True, observed=True).agg(
        customers=("customer_id", "size"),
        response_control=("p_control", "mean"),
        response_treatment=("p_treatment", "mean"),
        revenue_control=("rev_c", "mean"),
        revenue_treatment=("rev_t", "mean"),
    )
    out["abs_lift"] = out["response_treatment"] - out["response_control"]
    out["rel_lift"] = out["abs_lift"] / out["response_control"]
    out["revenue_lift"] = out["revenue_treatment"] - out["revenue_control"]
    if segments is None:
        planted = frame.groupby("segment", sort=True, observed=True).agg(
            planted_uplift=("planted_uplift", "first"), scenario=("scenario", "first")
        )
        out = out.join(planted)
    out.index.name = "segment"
    return out


def compare_with_truth(
    lift: pd.DataFrame, true_lift: pd.DataFrame, *, truth: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Estimated against true lift per segment, and whether each response-lift interval covers the truth.

    Parameters
    ----------
    lift : DataFrame
        ``segkit.campaign.CampaignLift.lift_`` (its total row is left out).
    true_lift : DataFrame
        :func:`truth_by_segment` for the same segments.
    truth : DataFrame, optional
        Per-customer truth: adds the ``planted scenario`` of each segment name (meaningful when the
        segments are the ones the campaign was planted on).

    Returns
    -------
    DataFrame
        Indexed by the segments of ``true_lift``: ``true_lift``, ``estimate``, ``low``, ``high``,
        ``covered``, ``true_revenue_lift``, ``revenue_lift`` [, ``planted scenario``].

    Examples
    --------
    >>> lift = pd.DataFrame({"abs_lift": [0.05, 0.0], "abs_lift_low": [0.01, -0.02], "abs_lift_high": [0.09, 0.02],
    ...                      "revenue_lift": [4.0, 0.1]}, index=["A", "All customers"])
    >>> true = pd.DataFrame({"abs_lift": [0.1], "revenue_lift": [5.0]}, index=["A"])
    >>> compare_with_truth(lift, true)["covered"].tolist()
    [False]
    """
    compare = pd.DataFrame({
        "true_lift": true_lift["abs_lift"],
        "estimate": lift["abs_lift"],
        "low": lift["abs_lift_low"],
        "high": lift["abs_lift_high"],
    }).reindex(true_lift.index)
    compare["covered"] = compare["low"].le(compare["true_lift"]) & compare["high"].ge(compare["true_lift"])
    compare["true_revenue_lift"], compare["revenue_lift"] = true_lift["revenue_lift"], lift["revenue_lift"]
    if truth is not None:
        compare["planted scenario"] = truth.groupby("segment", sort=True)["scenario"].first()
    return compare


def _default_segmented_customers() -> pd.DataFrame:
    """The default customer table with RFM segments (needs segkit.data and segkit.rfm)."""
    from segkit import data, rfm

    clean, _ = data.load_clean(DEFAULT_TRANSACTIONS)
    customers = data.customer_table(clean)
    segments = rfm.rfm_segments(customers, warn=False)["segment"]
    return customers.assign(segment=segments.reindex(customers.index))


def main(argv: Sequence[str] | None = None) -> dict[str, int]:
    """Write ``data/raw/campaign.csv`` and ``data/raw/campaign_truth.csv`` from the default data."""
    customers = _default_segmented_customers()
    campaign, truth = simulate_campaign(customers)
    RAW_DIR.mkdir(parents=True, exist_ok=True)
    campaign.to_csv(DEFAULT_CAMPAIGN_PATH, index=False)
    truth.round({"p_control": 6, "p_treatment": 6, "order_value": 4}).to_csv(DEFAULT_CAMPAIGN_TRUTH_PATH, index=False)
    summary = {"customers": len(campaign), "treatment": int((campaign["group"] == "treatment").sum()),
               "responders": int(campaign["responded"].sum())}
    print(summary)
    table = truth_by_segment(truth)[["customers", "response_control", "abs_lift", "revenue_lift", "scenario"]]
    print(table.round(3).to_string())
    return summary
