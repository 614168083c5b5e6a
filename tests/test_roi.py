"""Tests for segkit.campaign: campaign ROI (as ``roi``) and its simulator (``sim``).

All data is generated here: a segmented customer table with known history, and campaign
experiments simulated from it with planted uplift, so estimates can be checked against truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathlib import Path

from segkit import campaign as roi
from segkit.campaign import simulate as sim
from segkit.campaign import text as roi_text
from segkit.campaign.budget import compare_allocations
from segkit.campaign.economics import DEFAULT_CONTACT_COST, DEFAULT_MARGIN, TOTAL_LABEL
from segkit.campaign.export import plan_export
from segkit.campaign.io import campaign_coverage, load_campaign
from segkit.campaign.simulate import SimulatedFiles
from segkit.campaign.stats import bootstrap_mean_difference, two_proportion_test
from segkit.campaign.text import budget_curve_words, campaign_actions, multiple_testing_words
from segkit.errors import DataError

# segment -> (mean orders, mean days since last purchase, mean order value); names as in RFM
PROFILES = {
    "Champions": (18.0, 12.0, 95.0),
    "Loyal Customers": (9.0, 40.0, 65.0),
    "Can't Lose Them": (10.0, 300.0, 85.0),
    "At Risk": (5.0, 250.0, 60.0),
    "Potential Loyalists": (3.0, 30.0, 45.0),
    "Lost": (1.5, 500.0, 55.0),
}


def make_customers(n_per_segment: int = 600, seed: int = 0) -> pd.DataFrame:
    """A customer table (segkit.data.customer_table columns used here) with a segment column."""
    rng = np.random.default_rng(seed)
    params = np.repeat(np.array(list(PROFILES.values())), n_per_segment, axis=0)
    n = len(params)
    n_orders = 1 + rng.poisson(params[:, 0] - 1)
    days_since = np.minimum(1 + rng.exponential(params[:, 1]), 730).astype(int)
    tenure = days_since + rng.integers(0, 400, size=n)
    aov = rng.gamma(4.0, params[:, 2] / 4.0)
    segment = pd.Categorical(np.repeat(list(PROFILES), n_per_segment), categories=list(PROFILES))
    return pd.DataFrame(
        {"days_since_last_purchase": days_since, "n_orders": n_orders, "revenue": n_orders * aov,
         "avg_order_value": aov, "tenure_days": tenure, "segment": segment},
        index=pd.Index([f"C{i:05d}" for i in range(n)], name="customer_id"),
    )


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return make_customers()


@pytest.fixture(scope="module")
def experiment(customers):
    return sim.simulate_campaign(customers, seed=11)


@pytest.fixture(scope="module")
def fitted(experiment, customers) -> roi.CampaignLift:
    campaign, _ = experiment
    return roi.CampaignLift(n_boot=1000, random_state=0).fit(campaign, customers)


# ---------------------------------------------------------------------------------------------
# simulator
# ---------------------------------------------------------------------------------------------


def test_simulator_is_seeded_and_writes_the_user_layout(customers):
    a, truth_a = sim.simulate_campaign(customers, seed=3)
    b, truth_b = sim.simulate_campaign(customers, seed=3)
    c, _ = sim.simulate_campaign(customers, seed=4)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(truth_a, truth_b)
    assert not a.equals(c)
    assert list(a.columns) == ["customer_id", "group", "responded", "revenue"]  # no segment column
    assert set(a["group"]) == {"treatment", "control"}
    assert set(a["responded"]) == {0, 1}
    assert ((a["revenue"] > 0) == (a["responded"] == 1)).all()
    assert list(truth_a.columns) == list(sim.TRUTH_COLUMNS)


def test_assignment_is_balanced_within_every_segment(customers, experiment):
    campaign, truth = experiment
    share = (campaign["group"] == "treatment").groupby(truth["segment"]).mean()
    assert share.between(0.49, 0.51).all()


def test_baseline_response_follows_history(customers):
    p = sim.baseline_response(customers)
    assert p.between(0.01, 0.9).all()
    assert p.corr(customers["n_orders"] / customers["tenure_days"], method="spearman") > 0.3
    assert p.corr(customers["days_since_last_purchase"], method="spearman") < -0.5


def test_default_plant_has_a_backfire_and_a_segment_that_does_not_pay(customers):
    truth = sim.truth_by_segment(sim.campaign_truth(customers))
    assert (truth["abs_lift"] < 0).any(), "one segment must backfire"
    profit = truth["revenue_lift"] * DEFAULT_MARGIN - DEFAULT_CONTACT_COST
    assert ((truth["abs_lift"] > 0) & (profit < 0)).any(), "a positive lift that does not pay"
    assert (profit > 0).any()
    # clipping p_treatment to [0, 1] moves the true mean lift only slightly off the planted value
    assert np.allclose(truth["abs_lift"], truth["planted_uplift"], atol=0.005)


def test_truth_by_any_segmentation(customers):
    truth = sim.campaign_truth(customers)
    coarse = pd.Series(np.where(customers["n_orders"] > 5, "many", "few"), index=customers.index)
    by = sim.truth_by_segment(truth, segments=coarse)
    assert by["customers"].sum() == len(customers)
    assert set(by.index) == {"few", "many"}


# ---------------------------------------------------------------------------------------------
# measurement: recovers planted truth, intervals cover at the nominal rate
# ---------------------------------------------------------------------------------------------


def test_estimated_lift_recovers_planted_truth(fitted, experiment):
    _, truth = experiment
    true = sim.truth_by_segment(truth)
    lift = fitted.lift_.drop(index=TOTAL_LABEL)
    t = true.reindex(lift.index)
    covered = (lift["abs_lift_low"] <= t["abs_lift"]) & (t["abs_lift"] <= lift["abs_lift_high"])
    assert covered.sum() >= len(lift) - 1
    covered_rev = (lift["revenue_lift_low"] <= t["revenue_lift"]) & (t["revenue_lift"] <= lift["revenue_lift_high"])
    assert covered_rev.sum() >= len(lift) - 1
    # the strongest planted effect is found and flagged
    assert bool(lift.loc["Can't Lose Them", "significant"])
    assert lift.loc["Can't Lose Them", "abs_lift_low"] > 0


def test_total_row_is_the_size_weighted_average(fitted):
    per = fitted.lift_.drop(index=TOTAL_LABEL)
    total = fitted.lift_.loc[TOTAL_LABEL]
    w = per["customers"] / per["customers"].sum()
    assert total["abs_lift"] == pytest.approx((w * per["abs_lift"]).sum())
    assert total["incremental_revenue"] == pytest.approx(per["incremental_revenue"].sum())
    assert total["abs_lift_low"] < total["abs_lift"] < total["abs_lift_high"]


def _cell_sums(draw: sim.Outcomes, codes: np.ndarray, n_segments: int):
    """Per replicate, segment and group: customers, responders and revenue (vectorised)."""
    n_reps = draw.treated.shape[0]
    cell = (np.arange(n_reps)[:, None] * n_segments * 2 + 2 * codes[None, :] + draw.treated).ravel()
    size = n_reps * n_segments * 2
    shape = (n_reps, n_segments, 2)
    n = np.bincount(cell, minlength=size).reshape(shape)
    x = np.bincount(cell, weights=draw.responded.ravel(), minlength=size).reshape(shape)
    rev = np.bincount(cell, weights=draw.revenue.ravel(), minlength=size).reshape(shape)
    return n, x, rev


def test_response_interval_coverage_is_near_nominal(customers):
    truth = sim.campaign_truth(customers)
    codes = pd.Categorical(truth["segment"]).codes.astype(np.int64)
    true = sim.truth_by_segment(truth)["abs_lift"].to_numpy()  # sorted like the categorical codes
    draw = sim.draw_outcomes(truth, n_reps=200, seed=5)
    n, x, _ = _cell_sums(draw, codes, len(true))
    out = two_proportion_test(x[..., 1], n[..., 1], x[..., 0], n[..., 0], alpha=0.05)
    covered = (out.low <= true) & (true <= out.high)
    assert 0.90 <= covered.mean() <= 0.99
    assert covered.mean(axis=0).min() >= 0.85  # no segment badly off


def test_revenue_bootstrap_coverage_is_near_nominal():
    small = make_customers(n_per_segment=250, seed=1)
    truth = sim.campaign_truth(small)
    codes = pd.Categorical(truth["segment"]).codes.astype(np.int64)
    true = sim.truth_by_segment(truth)["revenue_lift"].to_numpy()
    draw = sim.draw_outcomes(truth, n_reps=200, seed=6)
    rng = np.random.default_rng(0)
    covered = np.empty((200, len(true)), dtype=bool)
    for rep in range(200):  # replications of the experiment; the bootstrap inside is vectorised
        boot = bootstrap_mean_difference(draw.revenue[rep], draw.treated[rep], codes, n_boot=300,
                                             random_state=rng)
        low, high = np.quantile(boot, [0.025, 0.975], axis=0)
        covered[rep] = (low <= true) & (true <= high)
    assert 0.90 <= covered.mean() <= 0.99


def test_bootstrap_is_seeded(experiment, customers):
    campaign, _ = experiment
    a = roi.CampaignLift(n_boot=200, random_state=1).fit(campaign, customers).lift_
    b = roi.CampaignLift(n_boot=200, random_state=1).fit(campaign, customers).lift_
    pd.testing.assert_frame_equal(a, b)


def test_money_columns_are_consistent(fitted):
    lift = fitted.lift_
    cost = lift["n_treatment"] * fitted.contact_cost
    assert np.allclose(lift["incremental_profit"], lift["incremental_revenue"] * fitted.margin - cost)
    assert np.allclose(lift["roi"], lift["incremental_profit"] / cost)
    assert (lift["incremental_profit_low"] <= lift["incremental_profit_high"]).all()
    nonsig = lift[~lift["significant"]]
    assert nonsig["verdict"].str.startswith("not significant").all()


def test_targeting_compares_mass_and_positive_segments(fitted):
    table = fitted.targeting()
    per = fitted.lift_.drop(index=TOTAL_LABEL)
    unit = per["revenue_lift"] * fitted.margin - fitted.contact_cost
    assert table.loc["mass: every customer", "incremental_profit"] == pytest.approx((unit * per["customers"]).sum())
    targeted = table.loc["targeted: positive segments"]
    assert targeted["incremental_profit"] == pytest.approx((unit.clip(lower=0) * per["customers"]).sum())
    assert targeted["segments"] == (unit > 0).sum() == len(fitted.targeted_segments())
    assert targeted["incremental_profit"] >= table.loc["mass: every customer", "incremental_profit"]
    # naive attribution credits all treatment revenue, far more than the incremental view
    assert table.loc["as run (naive attribution)", "incremental_revenue"] > table.loc[
        "as run (incremental)", "incremental_revenue"]


# ---------------------------------------------------------------------------------------------
# bad input -> clear DataError
# ---------------------------------------------------------------------------------------------


def test_unknown_group_labels_are_listed(experiment, customers):
    campaign, _ = experiment
    bad = campaign.copy()
    bad.loc[:4, "group"] = "holdout"
    bad.loc[5:6, "group"] = "Test"
    with pytest.raises(DataError, match=r"'holdout' \(5 rows\).*'test' \(2 rows\)"):
        roi.CampaignLift().fit(bad, customers)


def test_segment_without_controls_is_named(experiment, customers):
    campaign, _ = experiment
    lost = customers.index[customers["segment"] == "Lost"]
    bad = campaign.assign(group=np.where(campaign["customer_id"].isin(lost), "treatment", campaign["group"]))
    with pytest.raises(DataError, match="'Lost'.*no held-out control"):
        roi.CampaignLift().fit(bad, customers)


def test_negative_costs_are_refused(experiment, customers, fitted):
    campaign, _ = experiment
    with pytest.raises(DataError, match="contact_cost must be a non-negative"):
        roi.CampaignLift(contact_cost=-1.0).fit(campaign, customers)
    with pytest.raises(DataError, match="cost_per_order must be a non-negative"):
        roi.segment_economics(customers, cost_per_order=-2.0)
    costs = dict.fromkeys(PROFILES, 1.0) | {"Lost": -0.5}
    with pytest.raises(DataError, match="contact_cost must be a non-negative"):
        roi.planning_table(customers, uplift=fitted.lift_["abs_lift"], contact_cost=costs)
    plan = roi.planning_table(customers, uplift=fitted.lift_["abs_lift"])
    with pytest.raises(DataError, match="budget must be a non-negative"):
        roi.allocate_budget(plan, budget=-10)


def test_missing_columns_duplicates_and_bad_values(experiment, customers):
    campaign, _ = experiment
    with pytest.raises(DataError, match=r"lacks column\(s\) \['revenue'\]"):
        roi.validate_campaign(campaign.drop(columns="revenue"))
    with pytest.raises(DataError, match="more than once"):
        roi.validate_campaign(pd.concat([campaign, campaign.head(2)]))
    with pytest.raises(DataError, match="must be 0/1"):
        roi.validate_campaign(campaign.assign(responded=campaign["responded"] * 2))
    with pytest.raises(DataError, match="negative revenue"):
        roi.validate_campaign(campaign.assign(revenue=-campaign["revenue"]))
    with pytest.raises(DataError, match=r"lacks column\(s\) \['tier'\]"):
        roi.CampaignLift(segment_col="tier").fit(campaign, customers)
    with pytest.raises(DataError, match="uplift has no value for segment"):
        roi.planning_table(customers, uplift={"Lost": 0.1})


def test_unknown_customer_ids_are_counted_and_dropped(experiment, customers):
    campaign, _ = experiment
    extra = pd.DataFrame({"customer_id": ["X1", "X2", "X3"], "group": "control", "responded": 0, "revenue": 0.0})
    model = roi.CampaignLift(n_boot=200, random_state=0).fit(pd.concat([campaign, extra]), customers)
    assert model.n_unknown_customers_ == 3
    assert model.report_.unknown_examples == ("X1", "X2", "X3")
    assert model.lift_.loc[TOTAL_LABEL, "customers"] == len(campaign)
    assert model.report_.match_share == pytest.approx(len(campaign) / (len(campaign) + 3))
    with pytest.raises(DataError, match="only 0 of 3 campaign customers"):
        roi.CampaignLift().fit(extra, customers)
    with pytest.raises(DataError, match="none of the 3 campaign customer ids"):
        roi.CampaignLift(min_match=0.0).fit(extra, customers)


# ---------------------------------------------------------------------------------------------
# does a campaign file belong to these customers?
# ---------------------------------------------------------------------------------------------


def _foreign(campaign: pd.DataFrame, n_foreign: int) -> pd.DataFrame:
    """The campaign with its first ``n_foreign`` customers replaced by ids the customer table lacks."""
    ids = campaign["customer_id"].copy()
    ids.iloc[:n_foreign] = [f"Z{i}" for i in range(n_foreign)]
    return campaign.assign(customer_id=ids)


def test_campaign_coverage_counts_matches(experiment, customers):
    campaign, _ = experiment
    half = customers.iloc[: len(customers) // 2]
    cov = campaign_coverage(_foreign(campaign, 100), half)
    in_half = campaign["customer_id"].iloc[100:].isin(half.index).sum()
    assert cov.campaign_rows == len(campaign)
    assert cov.matched == in_half and cov.unknown_customer_ids == len(campaign) - in_half
    assert cov.match_share == pytest.approx(in_half / len(campaign))
    assert cov.customers_not_in_campaign == len(half) - in_half
    padded = campaign.assign(customer_id=" " + campaign["customer_id"] + " ")
    assert campaign_coverage(padded, customers).match_share == 1.0


def test_fit_refuses_a_campaign_of_other_customers_and_keeps_a_mostly_matching_one(experiment, customers):
    campaign, _ = experiment
    n = len(campaign)
    mostly = roi.CampaignLift(n_boot=200, random_state=0).fit(_foreign(campaign, n // 4), customers)
    assert mostly.n_unknown_customers_ == n // 4
    assert mostly.report_.match_share == pytest.approx(1 - (n // 4) / n)
    other = r"only 1,440 of 3,600 campaign customers \(40\.0%\).*does not belong"
    with pytest.raises(DataError, match=other):
        roi.CampaignLift(n_boot=200).fit(_foreign(campaign, int(0.6 * n)), customers)
    with pytest.raises(DataError, match="at least 90% needed"):
        roi.CampaignLift(n_boot=200, min_match=0.9).fit(_foreign(campaign, n // 4), customers)


def _write(campaign: pd.DataFrame, path) -> str:
    campaign.to_csv(path, index=False)
    return str(path)


def test_match_campaign_uses_a_campaign_of_these_customers(experiment, customers, tmp_path):
    campaign, truth = experiment
    path = _write(_foreign(campaign, 50), tmp_path / "campaign.csv")
    truth_path = _write(truth, tmp_path / "truth.csv")
    choice = roi.match_campaign(path, customers, truth_path=truth_path)
    assert choice.used and choice.reason == "used"
    assert len(choice.campaign) == len(campaign) and choice.truth is not None
    assert f"{len(campaign) - 50:,} of {len(campaign):,} campaign customers" in choice.note
    # the truth of another campaign is not used
    other_truth = _write(truth.assign(customer_id="Y" + truth["customer_id"]), tmp_path / "other_truth.csv")
    assert roi.match_campaign(path, customers, truth_path=other_truth).truth is None


@pytest.mark.parametrize("n_foreign, used", [(0, True), (360, True), (361, False), (3600, False)])
def test_match_campaign_threshold(experiment, customers, tmp_path, n_foreign, used):
    campaign, _ = experiment  # 3,600 customers: 360 foreign is exactly 10%
    choice = roi.match_campaign(_write(_foreign(campaign, n_foreign), tmp_path / "c.csv"), customers)
    assert choice.used is used
    assert choice.reason == ("used" if used else "other customers")
    assert ("No campaign is measured" in choice.note) is not used


def test_match_campaign_without_a_file_does_not_raise(customers, tmp_path):
    for path, reason in [("", "no file"), (None, "no file"), (tmp_path / "missing.csv", "not found")]:
        choice = roi.match_campaign(path, customers, truth_path=tmp_path / "missing_truth.csv")
        assert not choice.used and choice.reason == reason and choice.truth is None
        assert "planned_uplift" in choice.note


def test_match_campaign_refuses_a_simulated_campaign_on_other_data(experiment, customers, tmp_path):
    """A simulated campaign named in ``simulated`` is measured only on the transactions it was drawn
    from, and its truth is read only with it; without ``simulated`` nothing is special."""
    campaign, truth = experiment
    path, truth_path = _write(campaign, tmp_path / "sample.csv"), _write(truth, tmp_path / "sample_truth.csv")
    orders = tmp_path / "orders.csv"
    orders.write_text("x\n")
    simulated = {"campaign": path, "truth": truth_path, "transactions": orders}
    other = roi.match_campaign(path, customers, data_path=tmp_path / "their_orders.csv", simulated=simulated)
    assert not other.used and other.reason == "sample campaign" and "coincide by chance" in other.note
    assert other.coverage.match_share == 1.0
    same = roi.match_campaign(path, customers, data_path=str(orders), truth_path=truth_path, simulated=simulated)
    assert same.used and same.truth is not None
    unguarded = roi.match_campaign(path, customers, data_path=tmp_path / "their_orders.csv")
    assert unguarded.used  # no simulated files named: the guard is off
    no_data_path = roi.match_campaign(path, customers, simulated=simulated)
    assert no_data_path.used  # without data_path the guard cannot tell, so it does not refuse
    # the truth of the simulated campaign is not read with another campaign file, even if ids coincide
    copy = _write(campaign, tmp_path / "real.csv")
    real = roi.match_campaign(copy, customers, truth_path=truth_path, data_path=tmp_path / "their_orders.csv",
                              simulated=SimulatedFiles(Path(path), Path(truth_path), orders))
    assert real.used and real.truth is None
    assert roi.match_campaign(copy, customers, truth_path=truth_path).truth is not None


def test_a_malformed_campaign_of_these_customers_still_raises(experiment, customers, tmp_path):
    campaign, _ = experiment
    path = _write(campaign.assign(group=campaign["group"].replace({"control": "holdout"})), tmp_path / "c.csv")
    with pytest.raises(DataError, match="unknown group label"):
        roi.match_campaign(path, customers)


def test_assumed_plan_is_labelled_in_headline_actions_and_export(customers):
    plan = roi.planning_table(customers, uplift=0.08)
    allocation = roi.allocate_budget(plan, budget=2000)
    choices = compare_allocations(plan, budget=2000)
    text = roi_text.campaign_headline(None, choices, budget=2000, assumed_uplift=0.08)
    assert text.startswith("**No campaign was measured") and "8.0 percentage points" in text
    assert f"{choices['expected_profit'].iloc[0]:,.0f}" in text
    with pytest.raises(DataError, match="assumed_uplift"):
        roi_text.campaign_headline(None, choices, budget=2000)
    actions = campaign_actions(None, allocation)
    assert (actions["verdict"] == "not measured").all()
    funded = actions["contacts"] > 0
    assert funded.any() and (~funded).any()
    assert actions.loc[funded, "action"].str.startswith("contact (assumed uplift)").all()
    export = plan_export(allocation, actions)
    assert (export["uplift_source"] == "assumed").all() and export["abs_lift_low"].isna().all()
    assert export["spend"].sum() <= 2000 and (export["contacts"] == actions["contacts"]).all()
    # an uplift too small to pay for anything: nothing is spent and the headline says so
    none = compare_allocations(roi.planning_table(customers, uplift=0.001), budget=2000)
    assert none["spend"].iloc[0] == 0
    assert "the plan spends nothing" in roi_text.campaign_headline(None, none, budget=2000, assumed_uplift=0.001)


def test_measured_export_keeps_the_lift(fitted, customers):
    plan = roi.planning_table(customers, uplift=fitted.lift_["abs_lift"])
    allocation = roi.allocate_budget(plan, budget=2000)
    export = plan_export(allocation, campaign_actions(fitted.lift_, allocation), lift=fitted.lift_)
    assert (export["uplift_source"] == "measured").all()
    assert export["abs_lift_low"].tolist() == fitted.lift_["abs_lift_low"].reindex(export.index).tolist()


def test_load_campaign_keeps_leading_zeros_and_maps_columns(tmp_path):
    path = tmp_path / "campaign.csv"
    path.write_text("cust,arm,bought,sales\n007,Treatment,1,12.5\n008,control,0,\n")
    out = load_campaign(path, column_map={"cust": "customer_id", "arm": "group", "bought": "responded",
                                              "sales": "revenue"})
    assert out["customer_id"].tolist() == ["007", "008"]
    assert out["revenue"].tolist() == [12.5, 0.0]


# ---------------------------------------------------------------------------------------------
# segment economics
# ---------------------------------------------------------------------------------------------


def test_segment_economics_adds_up(customers):
    econ = roi.segment_economics(customers, margin=0.4, cost_per_order=1.0, contact_cost=2.0,
                                 contacts_per_customer=4)
    per = econ.drop(index=TOTAL_LABEL)
    assert list(per.index) == list(PROFILES)  # segment order kept
    assert per["customers"].sum() == econ.loc[TOTAL_LABEL, "customers"] == len(customers)
    assert per["net_profit"].sum() == pytest.approx(econ.loc[TOTAL_LABEL, "net_profit"])
    expected_gross = customers["revenue"].sum() * 0.4 - customers["n_orders"].sum()
    assert econ.loc[TOTAL_LABEL, "gross_profit"] == pytest.approx(expected_gross)
    assert np.allclose(econ["roi"], (econ["gross_profit"] - econ["marketing_cost"]) / econ["marketing_cost"])
    # break-even: an extra order from that share of contacted customers pays exactly the contacts
    be = econ["break_even_response_rate"]
    assert np.allclose(be * econ["avg_profit_per_transaction"], 2.0)


# ---------------------------------------------------------------------------------------------
# budget allocation
# ---------------------------------------------------------------------------------------------


def _plan(sizes, costs, profits) -> pd.DataFrame:
    sizes, costs, profits = (np.asarray(v, float) for v in (sizes, costs, profits))
    return pd.DataFrame(
        {"size": sizes, "contact_cost": costs, "uplift": 0.1, "profit_per_contact": profits,
         "roi_per_contact": profits / costs},
        index=pd.Index([f"s{i}" for i in range(len(sizes))], name="segment"),
    )


plans = st.integers(min_value=1, max_value=8).flatmap(
    lambda k: st.tuples(
        st.lists(st.integers(0, 2000), min_size=k, max_size=k),
        st.lists(st.floats(0.2, 5.0), min_size=k, max_size=k),
        st.lists(st.floats(-4.0, 6.0), min_size=k, max_size=k),
        st.floats(0.0, 8000.0),
    )
)


@settings(max_examples=60, deadline=None)
@given(plans)
def test_allocation_is_feasible_optimal_and_agrees_with_greedy(args):
    sizes, costs, profits, budget = args
    plan = _plan(sizes, costs, profits)
    lp = allocate = roi.allocate_budget(plan, budget=budget)
    greedy = roi.allocate_budget(plan, budget=budget, method="greedy").reindex(lp.index)
    tol = 1e-6 * (1 + budget + np.abs(plan["profit_per_contact"] * plan["size"]).sum())
    assert allocate["spend"].sum() <= budget + tol
    assert (allocate["contacts"] >= -1e-9).all()
    assert (allocate["contacts"] <= allocate["size"] + 1e-9).all()
    assert lp["expected_profit"].sum() == pytest.approx(greedy["expected_profit"].sum(), abs=tol)
    best = lp["expected_profit"].sum()
    strategies = compare_allocations(plan, budget=budget)["expected_profit"]
    optimal, mass, single = strategies.iloc[0], strategies.iloc[1], strategies.iloc[2]
    assert optimal == pytest.approx(best, abs=tol)
    assert best >= mass - tol
    assert best >= single - tol
    assert best >= -tol
    curve = roi.budget_curve(plan, budgets=[budget]).table
    assert curve.loc[0, "optimal_profit"] == pytest.approx(best, abs=tol)
    assert curve.loc[0, "mass_profit"] == pytest.approx(mass, abs=tol)


def test_allocation_on_measured_lift(fitted, customers):
    plan = roi.planning_table(customers, uplift=fitted.lift_["abs_lift"])
    assert np.allclose(plan["value_per_response"],
                       customers.groupby("segment", observed=True)["avg_order_value"].mean() * DEFAULT_MARGIN)
    budget = 0.3 * (plan["size"] * plan["contact_cost"]).sum()
    table = compare_allocations(plan, budget=budget)
    optimal, mass, single = table["expected_profit"]
    assert optimal >= mass and optimal >= single
    lp = roi.allocate_budget(plan, budget=budget)
    greedy = roi.allocate_budget(plan, budget=budget, method="greedy")
    pd.testing.assert_series_equal(lp["contacts"].round(6), greedy["contacts"].round(6))
    assert (lp.loc[lp["profit_per_contact"] < 0, "contacts"] == 0).all()
    curve = roi.budget_curve(plan, budgets=np.linspace(0, 2 * budget, 21)).table
    assert (np.diff(curve["optimal_profit"]) >= -1e-9).all()  # more budget never hurts the optimum
    assert (curve["optimal_profit"] >= curve["mass_profit"] - 1e-9).all()


def test_value_column_overrides_order_value(customers):
    with_clv = customers.assign(clv=10.0)
    plan = roi.planning_table(with_clv, uplift=0.05, value_col="clv", contact_cost=0.25)
    assert np.allclose(plan["value_per_response"], 10.0)
    assert np.allclose(plan["profit_per_contact"], 0.25)


def test_segment_customers_dispatches_and_refuses_unknown(customers):
    labels = roi.segment_customers(customers.drop(columns="segment"), by="rfm")
    assert labels.index.equals(customers.index) and labels.notna().all()
    with pytest.raises(DataError, match="segmentation 'kmeans' is unknown"):
        roi.segment_customers(customers, by="kmeans")


def test_segment_customers_matches_the_segmentations_it_names(customers):
    table = customers.drop(columns="segment")
    from segkit.rfm import rfm_segments

    rfm_labels = roi.segment_customers(table, by="rfm")
    assert rfm_labels.astype(str).tolist() == rfm_segments(table, warn=False)["segment"].astype(str).tolist()
    tiers = roi.segment_customers(table, by="clv_tier")
    assert tiers.index.equals(table.index) and tiers.nunique() == 3
    assert tiers.value_counts(normalize=True).max() == pytest.approx(0.6, abs=0.01)


def test_customer_table_checks_are_the_shared_ones(customers):
    with pytest.raises(DataError, match=r"0 rows"):
        roi.segment_economics(customers.iloc[:0])
    with pytest.raises(DataError, match=r"lacks column\(s\) \['n_orders'\].*customer_table"):
        roi.segment_economics(customers.drop(columns="n_orders"))
    with pytest.raises(DataError, match=r"lacks column\(s\) \['tenure_days'\].*segment column"):
        sim.simulate_campaign(customers.drop(columns="tenure_days"))


def test_segment_economics_matches_an_independent_groupby(customers):
    econ = roi.segment_economics(customers, margin=0.4, cost_per_order=1.0, contact_cost=2.0, contacts_per_customer=4)
    grouped = customers.groupby("segment", observed=True).agg(n=("revenue", "size"), revenue=("revenue", "sum"),
                                                              orders=("n_orders", "sum"))
    per = econ.drop(index=TOTAL_LABEL)
    assert np.allclose(per["gross_profit"], grouped["revenue"] * 0.4 - grouped["orders"])
    assert np.allclose(per["net_profit"], grouped["revenue"] * 0.4 - grouped["orders"] - grouped["n"] * 4 * 2.0)
    assert np.allclose(per["share_of_customers"], grouped["n"] / len(customers))


def test_budget_curve_default_budgets_and_limits():
    plan = _plan([100, 50, 10], [1.0, 2.0, 1.0], [2.0, 1.0, -1.0])
    result = roi.budget_curve(plan, n_points=11)
    assert result.full_cost == 210.0 and result.saturation == 200.0
    curve = result.table
    assert curve["budget"].tolist() == pytest.approx(np.linspace(0, 210, 11).tolist())
    assert curve["optimal_profit"].iloc[-1] == pytest.approx(250.0)  # 100 × 2 + 50 × 1; the loser left out


def test_campaign_study_measures_once_and_plans(experiment, customers, tmp_path):
    campaign, truth = experiment
    path = _write(campaign, tmp_path / "c.csv")
    choice = roi.match_campaign(path, customers, truth_path=_write(truth, tmp_path / "t.csv"))
    study = roi.campaign_study(choice, customers, budget=2000, planned_uplift=0.02, n_boot=200, random_state=0)
    direct = roi.CampaignLift(n_boot=200, random_state=0).fit(choice.campaign, customers)
    pd.testing.assert_frame_equal(study.lift, direct.lift_)
    assert "true_incremental_profit" in study.targeting.columns
    plan = roi.planning_table(customers, uplift=direct.lift_["abs_lift"])
    pd.testing.assert_frame_equal(study.choices, compare_allocations(plan, budget=2000))
    pd.testing.assert_frame_equal(study.allocation, roi.allocate_budget(plan, budget=2000))
    assert study.headline == roi_text.campaign_headline(direct.targeting(), study.choices, budget=2000)
    compare = study.comparison
    pd.testing.assert_frame_equal(compare, sim.compare_with_truth(study.lift, study.true_lift, truth=choice.truth))
    covered = (compare["low"] <= compare["true_lift"]) & (compare["true_lift"] <= compare["high"])
    assert compare["covered"].equals(covered) and compare["planted scenario"].notna().all()
    assumed = roi.campaign_study(roi.match_campaign("", customers), customers, budget=2000, planned_uplift=0.08)
    assert assumed.model is None and assumed.headline.startswith("**No campaign was measured")
    assert "8.0 percentage points" in assumed.headline


def test_nothing_pays_gives_a_zero_plan_in_words_and_numbers():
    """An uplift too small for any segment: ROI 0 (not NaN) when nothing is spent, and the curve's
    sentence says that the best budget is 0 instead of "stops growing at a budget of 0"."""
    plan = _plan([100, 50], [1.5, 1.5], [-1.1, -0.4])
    choices = compare_allocations(plan, budget=100)
    assert choices.loc["optimal (targeted)", "spend"] == 0
    assert choices["roi"].notna().all() and choices.loc["optimal (targeted)", "roi"] == 0
    text = budget_curve_words(roi.budget_curve(plan))
    assert text.startswith("No segment pays") and "a loss of 130" in text and "nan" not in text.lower()


def test_budget_curve_words_when_some_segments_pay():
    plan = _plan([100, 50, 10], [1.0, 2.0, 1.0], [2.0, 1.0, -1.0])
    text = budget_curve_words(roi.budget_curve(plan))
    assert "stops growing at a budget of 200" in text and "cost 210" in text and "a profit of 240" in text


def test_multiple_testing_words_with_and_without_a_measured_campaign(fitted):
    text = multiple_testing_words(fitted)
    n = len(fitted.lift_) - 1
    assert text.startswith(f"{n} segments were tested at once at the 5% level")
    assert f"{n * 0.05:.1f} of them" in text
    none = multiple_testing_words(None)
    assert none.startswith("No campaign was measured") and "control group" in none


def _short_history_customers(n: int = 60, *, max_tenure: int = 62) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    tenure = rng.integers(1, max_tenure, n)
    days = (tenure * rng.uniform(0, 1, n)).astype(int)
    orders = rng.integers(1, 5, n)
    revenue = orders * rng.gamma(2.0, 30.0, n)
    return pd.DataFrame({"days_since_last_purchase": days, "n_orders": orders, "revenue": revenue,
                         "avg_order_value": revenue / orders, "tenure_days": tenure},
                        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"))


@pytest.mark.parametrize("max_tenure", [62, 1000])
def test_clv_tiers_need_no_churn_rate(max_tenure):
    """Tiers rank one year of value; the churn rate (unobservable in 2 months of data, or 0 when nobody
    churned) scales every customer alike, so the segmentation must not depend on estimating it."""
    customers = _short_history_customers(max_tenure=max_tenure)
    if max_tenure > 365:
        customers["days_since_last_purchase"] = np.minimum(customers["days_since_last_purchase"], 30)  # churn 0
    tiers = roi.segment_customers(customers, by="clv_tier")
    assert tiers.notna().all() and tiers.nunique() == 3
    values = roi.annual_values(customers, margin=0.3)
    top = values.nlargest(int(0.2 * len(customers))).index
    assert (tiers[top] == tiers[values.idxmax()]).all()
