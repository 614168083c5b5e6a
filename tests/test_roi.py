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


# ---------------------------------------------------------------------------------------------
# hand-computed cases and independent references
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x1, n1, x0, n0, low, high",
    [  # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)
def test_newcombe_interval_matches_the_published_table(x1, n1, x0, n0, low, high):
    out = two_proportion_test(x1, n1, x0, n0)
    assert float(out.diff) == pytest.approx(x1 / n1 - x0 / n0)
    assert (round(float(out.low), 4), round(float(out.high), 4)) == (low, high)


@pytest.mark.parametrize(
    "x, n, low, high",
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score)
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
     (29, 29, 0.8830, 1.0)],
)
def test_wilson_interval_matches_the_published_table(x, n, low, high):
    from segkit.campaign.stats import _wilson_interval

    got = [round(float(v), 4) for v in _wilson_interval(x, n)]
    assert got == [low, high]
    wide = [float(v) for v in _wilson_interval(x, n, alpha=0.01)]
    assert wide[0] <= low + 1e-9 and wide[1] >= high - 1e-9  # 99% is wider than 95%


def test_two_proportion_p_value_is_the_chi_square_test():
    from scipy.stats import chi2_contingency

    for x1, n1, x0, n0 in [(56, 70, 48, 80), (30, 200, 15, 200), (3, 40, 9, 35)]:
        expected = chi2_contingency(np.array([[x1, n1 - x1], [x0, n0 - x0]]), correction=False)[1]
        assert float(two_proportion_test(x1, n1, x0, n0).p_value) == pytest.approx(expected, rel=1e-9)
    # no responder in either group: no evidence of a difference
    assert float(two_proportion_test(0, 10, 0, 20).p_value) == 1.0
    narrow = two_proportion_test(56, 70, 48, 80, alpha=0.2)
    assert 0.0524 < float(narrow.low) < float(narrow.high) < 0.3339


def _hand_campaign():
    """Two segments with unequal groups: A has 4 contacted and 2 held out, B 2 and 2."""
    customers = pd.DataFrame(
        {"segment": ["A"] * 6 + ["B"] * 4}, index=pd.Index([f"c{i}" for i in range(10)], name="customer_id")
    )
    campaign = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(10)],
        "group": ["treatment"] * 4 + ["control"] * 2 + ["treatment"] * 2 + ["control"] * 2,
        "responded": [1, 1, 0, 0, 0, 0, 1, 0, 1, 0],
        "revenue": [30.0, 10.0, 0.0, 0.0, 0.0, 0.0, 20.0, 0.0, 10.0, 0.0],
    })
    return campaign, customers


def test_lift_on_a_hand_computed_two_by_two_case():
    campaign, customers = _hand_campaign()
    model = roi.CampaignLift(margin=0.5, contact_cost=3.0, n_boot=200, random_state=0).fit(campaign, customers)
    lift = model.lift_
    assert lift.index.tolist() == ["A", "B", TOTAL_LABEL]
    assert lift["customers"].tolist() == [6, 4, 10]
    assert lift["n_treatment"].tolist() == [4, 2, 6] and lift["n_control"].tolist() == [2, 2, 4]
    assert lift["response_treatment"].tolist() == pytest.approx([0.5, 0.5, 0.5])
    # the total weights segments by their size (6 and 4 of 10), not by their groups
    assert lift["response_control"].tolist() == pytest.approx([0.0, 0.5, 0.2])
    assert lift["abs_lift"].tolist() == pytest.approx([0.5, 0.0, 0.3])
    assert np.isnan(lift.loc["A", "rel_lift"]) and lift.loc["B", "rel_lift"] == 0.0
    assert lift.loc[TOTAL_LABEL, "rel_lift"] == pytest.approx(1.5)
    # total: Var = Σ w² p(1-p)/n = 0.36·0.25/4 + 0.16·0.25/2 (treatment) + 0.16·0.25/2 (control) = 0.0625
    z = 1.959963984540054
    assert lift.loc[TOTAL_LABEL, "abs_lift_low"] == pytest.approx(0.3 - z * 0.25)
    assert lift.loc[TOTAL_LABEL, "abs_lift_high"] == pytest.approx(0.3 + z * 0.25)
    assert lift.loc[TOTAL_LABEL, "p_value"] == pytest.approx(0.2301393, abs=1e-6)  # 2 × (1 − Φ(1.2))
    se_log = np.sqrt(0.0425 / 0.25 + 0.02 / 0.04)  # delta method on log(0.5 / 0.2)
    assert lift.loc[TOTAL_LABEL, "rel_lift_low"] == pytest.approx(2.5 * np.exp(-z * se_log) - 1)
    assert lift.loc[TOTAL_LABEL, "rel_lift_high"] == pytest.approx(2.5 * np.exp(z * se_log) - 1)
    assert np.isnan(lift.loc["A", "rel_lift_low"]) and np.isnan(lift.loc["A", "rel_lift_high"])
    # money: revenue per customer 40/4 vs 0/2 in A, 20/2 vs 10/2 in B
    assert lift["revenue_treatment"].tolist() == pytest.approx([10.0, 10.0, 10.0])
    assert lift["revenue_control"].tolist() == pytest.approx([0.0, 5.0, 2.0])
    assert lift["revenue_lift"].tolist() == pytest.approx([10.0, 5.0, 8.0])
    assert lift["attributed_revenue"].tolist() == pytest.approx([40.0, 20.0, 60.0])
    # incremental = revenue lift × contacted customers (4 and 2), not × segment or control size
    assert lift["incremental_revenue"].tolist() == pytest.approx([40.0, 10.0, 50.0])
    assert lift["incremental_profit"].tolist() == pytest.approx([40 * 0.5 - 12, 10 * 0.5 - 6, 25 - 18])
    assert lift["roi"].tolist() == pytest.approx([8 / 12, -1 / 6, 7 / 18])
    assert lift["significant"].tolist() == [False, False, False]
    assert (lift["verdict"] == "not significant: could be zero").all()


def test_bootstrap_intervals_of_the_hand_case_follow_the_resamples():
    """In B, control revenue is {10, 0} and treatment {20, 0}: every resample mean is 0, 5 or 10 (or
    0, 10, 20), so the bootstrap revenue lift takes values on a grid; A's control is all zero."""
    campaign, customers = _hand_campaign()
    model = roi.CampaignLift(margin=0.5, contact_cost=3.0, n_boot=4000, random_state=1).fit(campaign, customers)
    draws = model.revenue_lift_draws_
    assert list(draws.columns) == ["A", "B", TOTAL_LABEL] and len(draws) == 4000
    assert set(np.round(draws["B"], 9)) <= {-10.0, -5.0, 0.0, 5.0, 10.0, 15.0, 20.0}
    assert draws["B"].mean() == pytest.approx(5.0, abs=0.3)
    a_means = {v / 4 for v in (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120)}
    assert set(np.round(draws["A"], 9)) <= a_means and draws["A"].mean() == pytest.approx(10.0, abs=0.4)
    assert np.allclose(draws[TOTAL_LABEL], 0.6 * draws["A"] + 0.4 * draws["B"])
    lift = model.lift_
    low, high = np.quantile(draws, [0.025, 0.975], axis=0)
    assert lift["revenue_lift_low"].tolist() == pytest.approx(low.tolist())
    assert lift["revenue_lift_high"].tolist() == pytest.approx(high.tolist())
    # profit intervals: the same draws × contacted customers × margin − contact cost
    inc_low, inc_high = np.quantile(np.column_stack([draws["A"] * 4, draws["B"] * 2, draws["A"] * 4 + draws["B"] * 2]),
                                    [0.025, 0.975], axis=0)
    cost = np.array([12.0, 6.0, 18.0])
    assert lift["incremental_profit_low"].tolist() == pytest.approx((inc_low * 0.5 - cost).tolist())
    assert lift["incremental_profit_high"].tolist() == pytest.approx((inc_high * 0.5 - cost).tolist())
    assert lift["roi_low"].tolist() == pytest.approx(((inc_low * 0.5 - cost) / cost).tolist())
    assert lift["roi_high"].tolist() == pytest.approx(((inc_high * 0.5 - cost) / cost).tolist())
    pays = np.where(inc_low * 0.5 - cost > 0, "yes", np.where(inc_high * 0.5 - cost < 0, "no", "unclear"))
    assert lift["pays"].tolist() == pays.tolist()


def test_targeting_on_the_hand_case():
    campaign, customers = _hand_campaign()
    model = roi.CampaignLift(margin=0.5, contact_cost=3.0, n_boot=200, random_state=0).fit(campaign, customers)
    assert model.targeted_segments() == ["A"]  # 10 × 0.5 > 3 in A; 5 × 0.5 < 3 in B
    even = roi.CampaignLift(margin=0.5, contact_cost=2.5, n_boot=200, random_state=0).fit(campaign, customers)
    assert even.targeted_segments() == ["A"]  # B's 5 × 0.5 only pays the contact back: no profit
    assert even.targeting().loc["targeted: positive segments", "segments"] == 1
    table = model.targeting(true_revenue_lift=pd.Series({"B": 4.0, "A": 8.0}))
    assert table.index.tolist() == ["as run (naive attribution)", "as run (incremental)", "mass: every customer",
                                    "targeted: positive segments"]
    assert table["segments"].tolist() == [2, 2, 2, 1]
    assert table["contacts"].tolist() == [6.0, 6.0, 10.0, 6.0]
    assert table["cost"].tolist() == [18.0, 18.0, 30.0, 18.0]
    assert table["incremental_revenue"].tolist() == pytest.approx([60.0, 50.0, 80.0, 60.0])
    assert table["incremental_profit"].tolist() == pytest.approx([12.0, 7.0, 10.0, 12.0])
    assert table["roi"].tolist() == pytest.approx([12 / 18, 7 / 18, 10 / 30, 12 / 18])
    assert table["true_incremental_profit"].iloc[1:].tolist() == pytest.approx([40 * 0.5 - 18, 64 * 0.5 - 30,
                                                                              48 * 0.5 - 18])
    draws = model.revenue_lift_draws_[["A", "B"]].to_numpy()
    low, high = np.quantile(draws @ np.array([6.0, 4.0]), [0.025, 0.975]) * 0.5 - 30
    assert table.loc["mass: every customer", "incremental_profit_low"] == pytest.approx(low)
    assert table.loc["mass: every customer", "incremental_profit_high"] == pytest.approx(high)
    sized = model.targeting(sizes=pd.Series({"A": 10, "B": 20, "Z": 5}))
    assert sized.loc["mass: every customer", ["contacts", "cost"]].tolist() == [30.0, 90.0]
    assert sized.loc["mass: every customer", "incremental_profit"] == pytest.approx(200 * 0.5 - 90)
    assert sized.loc["targeted: positive segments", "incremental_profit"] == pytest.approx(100 * 0.5 - 30)
    assert "true_incremental_profit" not in sized.columns
    # a free contact: ROI is undefined, not infinite
    free = roi.CampaignLift(margin=0.5, contact_cost=0.0, n_boot=200, random_state=0).fit(campaign, customers)
    assert free.lift_["roi"].isna().all() and free.targeting()["roi"].isna().all()


def test_bootstrap_resamples_within_each_segment_and_group():
    """Stratum 0: treatment {0, 10} vs control {4, 4, 4}: a resample of two gives 0, 5 or 10 with
    probabilities 1/4, 1/2, 1/4, so the difference is -4, 1 or 6; stratum 1 is constant: 1 − 2."""
    values = np.array([0.0, 10.0, 4.0, 4.0, 4.0, 1.0, 2.0, 2.0])
    treated = np.array([True, True, False, False, False, True, False, False])
    strata = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    draws = bootstrap_mean_difference(values, treated, strata, n_boot=4010, random_state=3, chunk=250)
    assert draws.shape == (4010, 2)
    assert (draws[:, 1] == -1.0).all()
    share = pd.Series(draws[:, 0]).round(9).value_counts(normalize=True)
    assert set(share.index) == {-4.0, 1.0, 6.0}
    assert share[-4.0] == pytest.approx(0.25, abs=0.03) and share[1.0] == pytest.approx(0.5, abs=0.03)
    again = bootstrap_mean_difference(values, treated, strata, n_boot=4010, random_state=3, chunk=250)
    assert np.array_equal(again, draws)
    one_chunk = bootstrap_mean_difference(values, treated, strata, n_boot=4010, random_state=3, chunk=5000)
    assert set(np.round(one_chunk[:, 0], 9)) == {-4.0, 1.0, 6.0} and (one_chunk[:, 1] == -1.0).all()
    with pytest.raises(DataError, match="at least one treatment and one control"):
        bootstrap_mean_difference(values, treated, np.array([0, 0, 0, 0, 0, 2, 2, 2]), n_boot=10)


def test_segment_economics_on_a_hand_table():
    table = pd.DataFrame({"n_orders": [2, 3, 1, 4], "revenue": [100.0, 200.0, 10.0, 90.0],
                          "segment": ["gold", "gold", "tin", "silver"]},
                         index=pd.Index(["a", "b", "c", "d"], name="customer_id"))
    econ = roi.segment_economics(table, margin=0.5, cost_per_order=4.0, contact_cost=2.0, contacts_per_customer=3)
    assert econ.index.tolist() == ["gold", "silver", "tin", TOTAL_LABEL]
    assert econ["customers"].tolist() == [2, 1, 1, 4]
    assert econ["transactions"].tolist() == [5, 4, 1, 10]
    assert econ["revenue"].tolist() == [300.0, 90.0, 10.0, 400.0]
    assert econ["avg_order_value"].tolist() == [60.0, 22.5, 10.0, 40.0]
    assert econ["avg_profit_per_transaction"].tolist() == [26.0, 7.25, 1.0, 16.0]
    assert econ["gross_profit"].tolist() == [130.0, 29.0, 1.0, 160.0]
    assert econ["marketing_cost"].tolist() == [12.0, 6.0, 6.0, 24.0]
    assert econ["net_profit"].tolist() == [118.0, 23.0, -5.0, 136.0]
    assert econ["roi"].tolist() == pytest.approx([118 / 12, 23 / 6, -5 / 6, 136 / 24])
    assert econ["break_even_response_rate"].tolist() == pytest.approx([2 / 26, 2 / 7.25, 2.0, 2 / 16])
    assert econ["share_of_customers"].tolist() == [0.5, 0.25, 0.25, 1.0]
    assert econ["share_of_net_profit"].tolist() == pytest.approx([118 / 136, 23 / 136, -5 / 136, 1.0])
    # no cost of contacts: ROI undefined; an order that earns nothing: no break-even rate
    free = roi.segment_economics(table, margin=0.5, cost_per_order=5.0, contact_cost=0.0, total=False)
    assert free.index.tolist() == ["gold", "silver", "tin"] and free["roi"].isna().all()
    nothing = roi.segment_economics(table, margin=0.5, cost_per_order=5.0, contact_cost=1.0)
    assert np.isnan(nothing.loc["tin", "break_even_response_rate"])  # 10 × 0.5 − 5 = 0 per order: never
    cheap = roi.segment_economics(table, contact_cost=0.1, contacts_per_customer=1)
    assert cheap.loc["tin", "marketing_cost"] == pytest.approx(0.1)
    assert cheap.loc["tin", "roi"] == pytest.approx((10 * 0.3 - 0.1) / 0.1)  # a cost below 1 still divides
    integers = table.assign(revenue=table["revenue"].astype(int))
    typed = roi.segment_economics(integers)
    assert typed["customers"].dtype == np.int64 and "XXcustomersXX" not in typed
    assert (typed.drop(columns="customers").dtypes == float).all()  # counts of orders and money as floats
    for name in ("contact_cost", "contacts_per_customer", "cost_per_order"):
        with pytest.raises(DataError, match=f"{name} must be a non-negative"):
            roi.segment_economics(table, **{name: -1.0})
    assert free["share_of_customers"].tolist() == [0.5, 0.25, 0.25]
    defaults = roi.segment_economics(table)
    assert defaults.loc[TOTAL_LABEL, "marketing_cost"] == 4 * 8 * 1.5  # 8 contacts of 1.50 per customer
    assert defaults.loc[TOTAL_LABEL, "gross_profit"] == pytest.approx(400 * 0.3)
    categorical = table.assign(segment=pd.Categorical(table["segment"], categories=["tin", "gold", "silver", "iron"]))
    assert roi.segment_economics(categorical).index.tolist() == ["tin", "gold", "silver", TOTAL_LABEL]


def _brute_force_profit(sizes, costs, profits, budget) -> float:
    """Best profit over every vertex of {0 <= x <= size, Σ cost·x <= budget}: each segment empty or
    full, and at most one filled with what the budget has left."""
    import itertools

    best = 0.0
    k = len(sizes)
    for full in itertools.product([0, 1], repeat=k):
        x = np.array(full, float) * sizes
        spent = float(x @ costs)
        if spent > budget + 1e-9:
            continue
        best = max(best, float(x @ profits))
        for j in range(k):
            if full[j] == 0 and costs[j] > 0:
                y = x.copy()
                y[j] = min(sizes[j], (budget - spent) / costs[j])
                best = max(best, float(y @ profits))
    return best


@settings(max_examples=80, deadline=None)
@given(plans)
def test_allocation_matches_a_brute_force_search(args):
    sizes, costs, profits, budget = args
    sizes, costs, profits = (np.asarray(v, float) for v in (sizes, costs, profits))
    plan = _plan(sizes, costs, profits)
    expected = _brute_force_profit(sizes, costs, profits, budget)
    tol = 1e-6 * (1 + budget + np.abs(profits * sizes).sum())
    for method in ("linprog", "greedy"):
        allocation = roi.allocate_budget(plan, budget=budget, method=method)
        assert allocation["expected_profit"].sum() == pytest.approx(expected, abs=tol)
        assert np.allclose(allocation["spend"], allocation["contacts"] * allocation["contact_cost"])
        share = np.divide(allocation["contacts"], allocation["size"], out=np.zeros(len(plan)),
                          where=allocation["size"] > 0)
        assert np.allclose(allocation["share_contacted"], share)
        assert np.allclose(allocation["expected_responses"], allocation["contacts"] * 0.1)
    assert roi.budget_curve(plan, budgets=[budget]).table.loc[0, "optimal_profit"] == pytest.approx(expected, abs=tol)


def test_allocation_on_a_hand_plan():
    # s0: 2 per unit of cost; s1: 1.5 per unit; s2: loses; s3: free contacts that pay
    plan = _plan([10, 20, 5, 4], [2.0, 1.0, 1.0, 1.0], [4.0, 1.5, -1.0, 0.5]).assign(
        contact_cost=[2.0, 1.0, 1.0, 0.0], roi_per_contact=[2.0, 1.5, -1.0, np.inf])
    for method in ("linprog", "greedy"):
        allocation = roi.allocate_budget(plan, budget=30.0, method=method)
        assert allocation.index.tolist() == ["s3", "s0", "s1", "s2"]  # by ROI per contact
        assert allocation["contacts"].round(9).tolist() == [4.0, 10.0, 10.0, 0.0]
        assert allocation["spend"].round(9).tolist() == [0.0, 20.0, 10.0, 0.0]
        assert allocation["expected_profit"].sum() == pytest.approx(2 + 40 + 15)
        assert allocation["share_contacted"].round(9).tolist() == [1.0, 1.0, 0.5, 0.0]
    with pytest.raises(DataError, match="method must be"):
        roi.allocate_budget(plan, budget=30.0, method="simplex")
    choices = compare_allocations(plan, budget=30.0)
    assert choices.index.tolist() == ["optimal (targeted)", "mass (same budget, every segment alike)",
                                      "best single segment: s0"]
    assert choices["segments"].tolist() == [3, 4, 1]
    full = 10 * 2 + 20 + 5  # every customer once: 45
    assert choices.loc["mass (same budget, every segment alike)", "expected_profit"] == pytest.approx(
        30 / full * (40 + 30 - 5 + 2))
    assert choices.loc["best single segment: s0", ["contacts", "spend", "expected_profit"]].tolist() == [10, 20, 40]
    assert choices["roi"].tolist() == pytest.approx([57 / 30, 30 / full * 67 / 30, 2.0])
    curve = roi.budget_curve(plan, budgets=[0, 10, 20, 30, 40, 100])
    assert curve.full_cost == 45.0 and curve.saturation == 40.0
    assert curve.table["optimal_profit"].tolist() == pytest.approx([2, 22, 42, 57, 72, 72])
    assert curve.table["optimal_spend"].tolist() == [0, 10, 20, 30, 40, 40]
    assert curve.table["mass_profit"].tolist() == pytest.approx([0, 67 * 10 / 45, 67 * 20 / 45, 67 * 30 / 45,
                                                                 67 * 40 / 45, 67])
    assert len(roi.budget_curve(plan).table) == 301


def test_planning_table_on_a_hand_table():
    customers = pd.DataFrame({"segment": ["A", "A", "B"], "avg_order_value": [10.0, 30.0, 50.0],
                              "clv": [100.0, 300.0, 60.0]}, index=pd.Index(["x", "y", "z"], name="customer_id"))
    plan = roi.planning_table(customers, uplift={"A": 0.1, "B": -0.05, TOTAL_LABEL: 0.5}, margin=0.5,
                              contact_cost={"A": 1.0, "B": 0.0})
    assert plan.index.tolist() == ["A", "B"] and plan["size"].tolist() == [2, 1]
    assert plan["value_per_response"].tolist() == [10.0, 25.0]  # mean order value × margin
    assert plan["profit_per_contact"].tolist() == pytest.approx([0.0, -1.25])
    assert plan.loc["A", "roi_per_contact"] == 0.0 and np.isnan(plan.loc["B", "roi_per_contact"])
    by_clv = roi.planning_table(customers, uplift=0.1, value_col="clv", margin=0.5, contact_cost=2.0)
    assert by_clv["value_per_response"].tolist() == [200.0, 60.0]  # the column's mean, no margin
    given = roi.planning_table(customers.drop(columns="avg_order_value"), uplift=0.1,
                               value_per_response=pd.Series({"A": 40.0, "B": 5.0}))
    assert given["profit_per_contact"].tolist() == pytest.approx([4 - 1.5, 0.5 - 1.5])
    with pytest.raises(DataError, match=r"uplift is a change in response probability.*1\.5"):
        roi.planning_table(customers, uplift={"A": 1.5, "B": 0.1})
    with pytest.raises(DataError, match=r"lacks column\(s\) \['avg_order_value'\]"):
        roi.planning_table(customers.drop(columns="avg_order_value"), uplift=0.1)


def test_campaign_actions_cover_every_case():
    per = pd.DataFrame(
        {"significant": [True, True, True, True, False, True], "abs_lift": [0.1, 0.1, 0.1, -0.05, 0.02, 0.01],
         "pays": ["yes", "unclear", "yes", "no", "unclear", "no"],
         "verdict": ["lift", "lift", "lift", "backfires", "not significant: could be zero", "lift"]},
        index=pd.Index(list("abcdef"), name="segment"))
    lift = pd.concat([per, per.iloc[[0]].rename(index={"a": TOTAL_LABEL})])
    allocation = pd.DataFrame({"contacts": [5.9999999, 3.2, 0.0, 0.0, 0.0, 0.0],
                               "profit_per_contact": [1.0, 0.5, 0.2, -1.0, -0.1, -0.3], "size": [6, 10, 7, 8, 9, 4]},
                              index=list("fedcba")[::-1])
    actions = campaign_actions(lift, allocation)
    assert actions.index.tolist() == list("abcdef")
    assert actions["contacts"].tolist() == [6, 3, 0, 0, 0, 0]
    assert actions["action"].str.split(":").str[0].tolist() == [
        "contact", "contact, keeping a control group", "next in line if the budget grows", "do not contact",
        "do not contact", "do not contact"]
    assert "backfires" in actions.loc["d", "action"] and "no lift shown" in actions.loc["e", "action"]
    assert "too small to pay" in actions.loc["f", "action"]
    assert actions["verdict"].tolist() == per["verdict"].tolist() and actions["size"].tolist() == [6, 10, 7, 8, 9, 4]
    assumed = campaign_actions(None, allocation.assign(value_per_response=[20.0, 10.0, 0.0, 8.0, 4.0, 2.0],
                                                       contact_cost=[1.0, 1.0, 1.0, 1.0, 1.0, 0.5]))
    assert (assumed["verdict"] == "not measured").all() and (assumed["pays"] == "assumed").all()
    assert assumed.loc["a", "action"].startswith("contact (assumed uplift)")
    assert assumed.loc["c", "action"].startswith("next in line")
    assert assumed.loc["c", "contacts"] == 0
    assert assumed.loc["d", "action"] == "do not contact at the assumed uplift: a contact pays from an uplift of 12.5 points"
    assert assumed.loc["f", "action"] == "do not contact at the assumed uplift: a contact pays from an uplift of 25.0 points"


# ---------------------------------------------------------------------------------------------
# words
# ---------------------------------------------------------------------------------------------


def _targeting(mass: float, targeted: float, n: int = 2) -> pd.DataFrame:
    return pd.DataFrame({"incremental_profit": [900.0, -50.0, mass, targeted], "segments": [5, 5, 5, n]},
                        index=["as run (naive attribution)", "as run (incremental)", "mass: every customer",
                               "targeted: positive segments"])


def test_campaign_headline_words_follow_the_numbers():
    spent = pd.DataFrame({"expected_profit": [250.0, -20.0, 200.0], "segments": [1, 5, 1], "spend": [499.6, 500, 500]})
    text = roi_text.campaign_headline(_targeting(-100.0, 300.0, n=1), spent, budget=500)
    assert text.startswith("**Targeting only the 1 segment with a profitable measured lift would have turned "
                           "a loss of 100 into a profit of 300.**")
    assert "made a loss of 50" in text and "claimed a profit of 900" in text
    assert "a budget of 500 spread over 1 segment is expected to bring a profit of 250, against a loss of 20" in text
    both_gain = roi_text.campaign_headline(_targeting(100.0, 300.0), spent, budget=500)
    assert "would have changed the result of contacting everyone from a profit of 100 to a profit of 300" in both_gain
    both_lose = roi_text.campaign_headline(_targeting(-100.0, -30.0), spent, budget=500)
    assert "from a loss of 100 to a loss of 30" in both_lose
    zero = roi_text.campaign_headline(_targeting(-100.0, 0.0), spent, budget=500)
    assert "from a loss of 100 to a profit of 0" in zero
    partly = spent.assign(spend=[300.0, 500, 500], segments=[2, 5, 1])
    assert ("spending 300 of the 500 budget on 2 segments (more would only buy losses) is expected"
            in roi_text.campaign_headline(_targeting(-1.0, 1.0), partly, budget=500))
    no_spend_column = spent.drop(columns="spend")
    assert "a budget of 500 spread over 1 segment" in roi_text.campaign_headline(
        _targeting(-1.0, 1.0), no_spend_column, budget=500)


def test_assumed_headline_words():
    allocations = pd.DataFrame({"expected_profit": [1500.0, -120.0], "segments": [3, 5], "spend": [1000.0, 1000.0]})
    text = roi_text.campaign_headline(None, allocations, budget=1000, assumed_uplift=0.025)
    assert text.startswith("**No campaign was measured for these customers: the budget plan rests on an assumed "
                           "uplift of 2.5 percentage points of response per contact")
    assert ("At that uplift, a budget of 1,000 spread over 3 segments is expected to bring a profit of 1,500, "
            "against a loss of 120 from a mass campaign of the same budget.") in text
    assert text.endswith("Measure the real uplift with a campaign that keeps a random control group.")
    per_segment = roi_text.campaign_headline(None, allocations, budget=1000, assumed_uplift={"A": 0.1})
    assert "rests on an assumed uplift per segment (parameter" in per_segment


def test_match_notes_say_why():
    from segkit.campaign.io import CampaignCoverage

    cov = CampaignCoverage(campaign_rows=2000, matched=150, unknown_customer_ids=1850, customers_not_in_campaign=9,
                           match_share=0.075)
    assert roi_text.coverage_words(cov) == "150 of 2,000 campaign customers (7.5%)"
    other = roi_text.match_note("other customers", file_name="c.csv", coverage=cov, min_match=0.9)
    assert other.startswith("Only 150 of 2,000 campaign customers (7.5%) in `c.csv` are in the customer table; "
                            "a campaign is measured only when at least 90% are")
    assert "No campaign is measured" in other
    sample = roi_text.match_note("sample campaign", file_name="c.csv", coverage=cov, min_match=0.9)
    assert sample.startswith("150 of 2,000 campaign customers (7.5%) in `c.csv` match customer ids")
    used = roi_text.match_note("used", file_name="c.csv", coverage=cov, min_match=0.95)
    assert "(at least 95% needed)" in used and "No campaign is measured" not in used
    assert roi_text.match_note("not found", file_name="x.csv").startswith("The campaign file `x.csv` does not exist.")
    assert roi_text.match_note("no file").startswith("No campaign file was given")


def test_export_and_truth_words():
    export = pd.DataFrame({"uplift_source": ["measured", "measured"], "contacts": [1200, 34], "spend": [1800.4, 51.0],
                           "expected_profit": [-2500.6, 0.0]})
    assert roi_text.export_words(export, path="out/plan.csv") == (
        "Wrote 2 segments to `out/plan.csv`: 1,234 contacts, spend 1,851, expected profit -2,501; "
        "uplift measured on the campaign.")
    mixed = export.assign(uplift_source=["measured", "assumed"])
    assert roi_text.export_words(mixed, path="p").endswith("uplift assumed (planned_uplift), not measured.")
    assert roi_text.truth_coverage_words(pd.DataFrame({"covered": [True] * 9 + [False]})) == (
        "9 of 10 response-lift intervals contain the true lift.")


# ---------------------------------------------------------------------------------------------
# plots: what is drawn
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def _labels(ax) -> list[str]:
    """The y tick labels from the top of the axes down."""
    return [label.get_text() for _, label in sorted(zip(ax.get_yticks(), ax.get_yticklabels()), key=lambda t: -t[0])]


def test_plot_lift_draws_one_interval_per_row_and_the_truth(axes):
    lift = pd.DataFrame({"abs_lift": [0.05, -0.01, 0.02], "abs_lift_low": [0.01, -0.03, 0.0],
                         "abs_lift_high": [0.09, 0.01, 0.04], "revenue_lift": [2.0, 1.0, 1.5],
                         "revenue_lift_low": [1.0, -1.0, 0.5], "revenue_lift_high": [3.0, 3.0, 2.5]},
                        index=["A", "B", TOTAL_LABEL])
    ax = roi.plot_lift(lift, truth=pd.Series({"B": 0.0, "A": 0.04}), ax=axes)
    assert ax is axes
    assert _labels(ax) == ["A", "B", TOTAL_LABEL]
    points = ax.lines[0].get_xydata()
    assert points[:, 0].tolist() == pytest.approx([5.0, -1.0, 2.0])  # percentage points, top row first
    assert points[:, 1].tolist() == [2, 1, 0]
    cross = ax.collections[-1].get_offsets()
    assert np.asarray(cross)[:2, 0].tolist() == pytest.approx([4.0, 0.0]) and np.isnan(np.asarray(cross)[2, 0])
    assert ax.get_title() == "Campaign lift by segment (treatment − control)"
    assert ax.get_xlabel() == "lift (percentage points of response rate)"
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"estimate and confidence interval",
                                                                   "planted truth"}
    axes.clear()
    money = roi.plot_lift(lift, column="revenue_lift", ax=axes)
    assert money.lines[0].get_xydata()[:, 0].tolist() == [2.0, 1.0, 1.5]
    assert money.get_xlabel() == "lift (revenue per customer)"
    assert [t.get_text() for t in money.get_legend().get_texts()] == ["estimate and confidence interval"]


def test_plot_allocation_draws_size_and_contacts(axes):
    allocation = pd.DataFrame({"size": [100, 40, 60], "contacts": [100.0, 15.0, 0.0]}, index=["x", "y", "z"])
    ax = roi.plot_allocation(allocation, ax=axes)
    bars = ax.patches
    assert len(bars) == 6
    assert [b.get_width() for b in bars] == [100, 40, 60, 100.0, 15.0, 0.0]
    assert [b.get_y() + b.get_height() / 2 for b in bars[:3]] == pytest.approx([2, 1, 0])
    assert _labels(ax) == ["x", "y", "z"]
    assert ax.get_title() == "Where the budget goes" and ax.get_xlabel() == "customers"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["customers in segment", "contacts planned"]


def test_plot_budget_curve_draws_both_policies_and_the_budget(axes):
    plan = _plan([100, 50, 10], [1.0, 2.0, 1.0], [2.0, 1.0, -1.0])
    curve = roi.budget_curve(plan, n_points=21)
    ax = roi.plot_budget_curve(curve, budget=120.0, ax=axes)
    optimal, mass, chosen, zero = ax.lines
    assert optimal.get_xdata().tolist() == curve.table["budget"].tolist()
    assert optimal.get_ydata().tolist() == curve.table["optimal_profit"].tolist()
    assert mass.get_ydata().tolist() == curve.table["mass_profit"].tolist()
    assert list(chosen.get_xdata()) == [120.0, 120.0] and list(zero.get_ydata()) == [0, 0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["optimal allocation", "mass campaign",
                                                                   "chosen budget"]
    assert ax.get_title() == "Expected return by budget"
    axes.clear()
    assert len(roi.plot_budget_curve(curve, ax=axes).lines) == 3  # no budget line


def test_plot_segment_profit_draws_three_bars_per_segment_without_the_total(axes):
    econ = pd.DataFrame({"gross_profit": [130.0, 29.0, 160.0], "marketing_cost": [12.0, 6.0, 18.0],
                         "net_profit": [118.0, 23.0, 141.0]}, index=["gold", "silver", TOTAL_LABEL])
    ax = roi.plot_segment_profit(econ, ax=axes)
    bars = ax.patches
    assert len(bars) == 6
    assert [b.get_width() for b in bars] == [130.0, 29.0, 12.0, 6.0, 118.0, 23.0]
    assert _labels(ax) == ["gold", "silver"]
    assert bars[0].get_y() > bars[2].get_y() > bars[4].get_y()  # gross above cost above net
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["gross profit", "marketing cost", "net profit"]
    assert ax.get_title() == "Segment economics"


# ---------------------------------------------------------------------------------------------
# campaign files and the simulator, by hand
# ---------------------------------------------------------------------------------------------


def test_validate_campaign_normalises_every_column():
    raw = pd.DataFrame({"customer_id": [" 7 ", "008", 9], "group": [" TREATMENT", "Control ", "control"],
                        "responded": ["1.0", "false", " TRUE "], "revenue": ["12.5", " ", None]})
    out = roi.validate_campaign(raw.assign(extra="x"))
    assert list(out.columns) == ["customer_id", "group", "responded", "revenue"]
    assert out["customer_id"].tolist() == ["7", "008", "9"]
    assert out["group"].tolist() == ["treatment", "control", "control"]
    assert out["responded"].tolist() == [1, 0, 1] and out["responded"].dtype == np.int64
    assert out["revenue"].tolist() == [12.5, 0.0, 0.0]
    with pytest.raises(DataError, match="2 campaign row"):
        roi.validate_campaign(raw.assign(customer_id=["1", " ", None]))
    with pytest.raises(DataError, match=r"'<missing>' \(1 rows\)"):
        roi.validate_campaign(raw.assign(group=["treatment", None, "control"]))
    with pytest.raises(DataError, match=r"found '2', '<missing>'"):
        roi.validate_campaign(raw.assign(responded=["2", None, "1"]))
    with pytest.raises(DataError, match=r"non-numeric values '€5'"):
        roi.validate_campaign(raw.assign(revenue=["€5", "1", "2"]))
    with pytest.raises(DataError, match=r"^1 campaign row\(s\) have negative revenue"):
        roi.validate_campaign(raw.assign(revenue=["-1", "1", "2"]))
    with pytest.raises(DataError, match=r"appear more than once.*'7'"):
        roi.validate_campaign(raw.assign(customer_id=["7", " 7", "8"]))
    many = pd.DataFrame({"customer_id": [str(i) for i in range(8)] * 2, "group": "control", "responded": 0,
                         "revenue": 0.0})
    with pytest.raises(DataError, match=r"^8 customer_id\(s\) .* '4' \(and 3 more\)"):
        roi.validate_campaign(many)


def test_load_campaign_keeps_ids_that_look_missing(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("customer_id,group,responded,revenue\nNA,treatment,1,5\nnull,control,0,\n")
    assert load_campaign(path)["customer_id"].tolist() == ["NA", "null"]


def test_load_campaign_refuses_a_missing_file(tmp_path):
    with pytest.raises(DataError, match="campaign file 'none.csv' not found"):
        load_campaign(tmp_path / "none.csv")


def test_coverage_and_match_on_a_hand_case(tmp_path):
    customers = pd.DataFrame({"n_orders": [1, 1, 1, 1], "segment": ["A", "A", "B", "B"]},
                             index=pd.Index(["1", "2", "3", "4"], name="customer_id"))
    campaign = pd.DataFrame({"customer_id": ["1", "2", "3", "9", "8", "7", "6", "5", "10", "11", "12"]})
    cov = campaign_coverage(campaign, customers)
    assert (cov.campaign_rows, cov.matched, cov.unknown_customer_ids, cov.customers_not_in_campaign) == (11, 3, 8, 1)
    assert cov.unknown_examples == ("9", "8", "7", "6", "5") and cov.match_share == pytest.approx(3 / 11)
    counts = cov.counts()
    assert counts.columns.tolist() == ["count"] and counts["count"].tolist() == [11, 3, 8, 1]
    assert counts["count"].dtype == object  # the report's layout of this table
    assert counts.index.tolist() == ["campaign_rows", "matched", "unknown_customer_ids", "customers_not_in_campaign"]
    empty = campaign_coverage(pd.DataFrame({"customer_id": []}), customers)
    assert empty.match_share == 0.0 and empty.customers_not_in_campaign == 4
    with pytest.raises(DataError, match=r"campaign file lacks column\(s\) \['customer_id'\]"):
        campaign_coverage(pd.DataFrame({"id": [1]}), customers)
    path = tmp_path / "c.csv"
    path.write_text("cust,group,responded,revenue\n1,treatment,1,5\n2,control,0,0\n3,treatment,0,0\n4,control,1,3\n")
    choice = roi.match_campaign(path, customers, column_map={"cust": "customer_id"}, min_match=1.0)
    assert choice.used and choice.campaign["customer_id"].tolist() == ["1", "2", "3", "4"]
    assert choice.coverage.match_share == 1.0 and choice.truth is None
    with pytest.raises(DataError, match=r"min_match is a share"):
        roi.match_campaign(path, customers, min_match=1.5)
    with pytest.raises(DataError, match=r"min_match is a share"):
        roi.match_campaign(path, customers, min_match=-0.1)
    assert roi.match_campaign("  ", customers).reason == "no file"


def test_fit_checks_its_settings(experiment, customers):
    campaign, _ = experiment
    for settings_, message in [({"alpha": 0.5}, "alpha must be in"), ({"alpha": 0.0}, "alpha must be in"),
                               ({"n_boot": 99}, "n_boot must be at least 100"), ({"margin": 0.0}, "margin is the share"),
                               ({"margin": 1.01}, "margin is the share"), ({"min_match": 1.2}, "min_match is a share")]:
        with pytest.raises(DataError, match=message):
            roi.CampaignLift(**settings_).fit(campaign, customers)
    assert roi.CampaignLift(alpha=0.49, n_boot=100, margin=1.0, min_match=1.0).fit(campaign, customers).lift_ is not None


def test_the_segment_column_is_checked_once_with_a_clear_message(customers):
    gap = customers.assign(segment=customers["segment"].astype(object).where(customers.index != customers.index[3]))
    with pytest.raises(DataError, match=r"^1 customer\(s\) have no value in segment column 'segment'"):
        roi.segment_economics(gap)
    with pytest.raises(DataError, match=r"lacks column\(s\) \['tier'\].*segment_col="):
        roi.segment_economics(customers, segment_col="tier")


def test_baseline_response_by_hand():
    table = pd.DataFrame({"n_orders": [12, 1, 1, 400], "days_since_last_purchase": [5, 400, 0, 0],
                          "tenure_days": [360, 400, 10, 100]})
    p = sim.baseline_response(table, window_days=30, recency_scale_days=180.0)
    expected = [0.01 + np.exp(-5 / 180) * (1 - np.exp(-12 / 360 * 30)),
                0.01 + np.exp(-400 / 180) * (1 - np.exp(-1 / 400 * 30)),
                0.01 + 1 - np.exp(-1 / 30 * 30),  # tenure shorter than the window: rate per window day
                0.9]  # capped
    assert p.tolist() == pytest.approx(expected)
    assert p.name == "p_control"
    longer = sim.baseline_response(table, window_days=60, recency_scale_days=90.0)
    assert longer.iloc[1] == pytest.approx(0.01 + np.exp(-400 / 90) * (1 - np.exp(-1 / 400 * 60)))


def test_planted_uplift_reads_numbers_and_pairs():
    segments = pd.Series(["a", "b", "c"], index=["x", "y", "z"])
    out = sim.planted_uplift(segments, uplift={"a": 0.1, "b": (0.2, "persuadables")})
    assert out["planted_uplift"].tolist() == [0.1, 0.2, sim.FALLBACK_UPLIFT[0]]
    assert out["scenario"].tolist() == ["user-planted uplift", "persuadables", sim.FALLBACK_UPLIFT[1]]
    assert out.index.tolist() == ["x", "y", "z"]


def test_campaign_truth_by_hand():
    customers = pd.DataFrame({"n_orders": [12, 1], "days_since_last_purchase": [5, 400], "tenure_days": [360, 400],
                              "avg_order_value": [50.0, 20.0], "tier": ["A", "B"]},
                             index=pd.Index(["k2", "k1"], name="customer_id"))
    truth = sim.campaign_truth(customers, segment_col="tier", uplift={"A": 0.5, "B": -0.5}, window_days=30)
    assert list(truth.columns) == list(sim.TRUTH_COLUMNS)
    assert truth["customer_id"].tolist() == ["k1", "k2"]  # sorted by id
    p = sim.baseline_response(customers).to_numpy()
    assert truth["p_control"].tolist() == pytest.approx([p[1], p[0]])
    assert truth["p_treatment"].tolist() == pytest.approx([0.0, 1.0])  # p + uplift clipped to [0, 1]
    assert truth["order_value"].tolist() == [20.0, 50.0] and truth["segment"].tolist() == ["B", "A"]
    by = sim.truth_by_segment(truth)
    assert by.loc["A", "abs_lift"] == pytest.approx(1 - p[0]) and by.loc["B", "abs_lift"] == pytest.approx(-p[1])
    assert by.loc["A", "revenue_lift"] == pytest.approx((1 - p[0]) * 50)
    assert by.loc["A", "rel_lift"] == pytest.approx((1 - p[0]) / p[0])
    assert by.loc["B", "revenue_control"] == pytest.approx(p[1] * 20) and by.loc["B", "revenue_treatment"] == 0.0
    assert by["planted_uplift"].tolist() == [0.5, -0.5] and by["customers"].tolist() == [1, 1]
    one = sim.truth_by_segment(truth, segments=pd.Series({"k1": "all", "k2": "all", "k9": "other"}))
    assert one.index.tolist() == ["all"] and one.loc["all", "customers"] == 2
    assert one.loc["all", "response_treatment"] == pytest.approx(0.5)
    assert "planted_uplift" not in one.columns
    with pytest.raises(DataError, match=r"lacks column\(s\) \['tier'\]"):
        sim.campaign_truth(customers.drop(columns="tier"), segment_col="tier")
    with pytest.raises(DataError, match="1 customer"):
        sim.campaign_truth(customers.assign(tier=["A", None]), segment_col="tier")


def test_assign_groups_treats_the_exact_share_of_every_stratum():
    strata = np.repeat([0, 1, 2, 3], [10, 7, 2, 1])
    treated = sim._assign_groups(strata, treatment_share=0.3, rng=np.random.default_rng(0), n_reps=50)
    counts = np.stack([treated[:, strata == s].sum(axis=1) for s in range(4)], axis=1)
    assert (counts == [3, 2, 1, 0]).all()  # round(3.0), round(2.1), at least one of each group of 2, 0 of 1
    assert treated[:, strata == 0].mean(axis=0).min() > 0  # every customer is drawn sometimes
    high = sim._assign_groups(np.zeros(4, int), treatment_share=0.9, rng=np.random.default_rng(1))
    assert high.sum() == 3  # round(3.6) = 4 would leave no control


def test_draw_outcomes_follows_the_truth():
    truth = pd.DataFrame({"segment": ["a"] * 2000, "p_control": 0.1, "p_treatment": 0.6, "order_value": 40.0})
    out = sim.draw_outcomes(truth, treatment_share=0.25, seed=2, n_reps=3)
    assert out.treated.shape == out.responded.shape == out.revenue.shape == (3, 2000)
    assert (out.treated.sum(axis=1) == 500).all()
    assert out.responded[out.treated].mean() == pytest.approx(0.6, abs=0.03)
    assert out.responded[~out.treated].mean() == pytest.approx(0.1, abs=0.015)
    spend = out.revenue[out.responded == 1]
    assert (out.revenue[out.responded == 0] == 0).all() and spend.mean() == pytest.approx(40.0, rel=0.05)
    assert spend.var() == pytest.approx(40.0**2 / 4, rel=0.15)  # gamma with shape 4 around the order value
    assert np.array_equal(np.round(spend, 2), spend)
    for share in (0.0, 1.0):
        with pytest.raises(DataError, match="strictly between 0 and 1"):
            sim.draw_outcomes(truth, treatment_share=share)


def test_compare_with_truth_marks_coverage_at_the_edges():
    lift = pd.DataFrame({"abs_lift": [0.05, 0.0, 0.1], "abs_lift_low": [0.01, -0.02, 0.05],
                         "abs_lift_high": [0.09, 0.02, 0.2], "revenue_lift": [4.0, 0.1, 3.0]},
                        index=["A", "B", TOTAL_LABEL])
    true = pd.DataFrame({"abs_lift": [0.09, -0.03], "revenue_lift": [5.0, -1.0]}, index=["A", "B"])
    truth = pd.DataFrame({"segment": ["B", "A", "A"], "scenario": ["dogs", "persuadables", "persuadables"]})
    compare = roi.compare_with_truth(lift, true, truth=truth)
    assert compare.index.tolist() == ["A", "B"]
    assert compare["covered"].tolist() == [True, False]  # the upper end itself counts as covered
    assert compare["true_revenue_lift"].tolist() == [5.0, -1.0] and compare["revenue_lift"].tolist() == [4.0, 0.1]
    assert compare["planted scenario"].tolist() == ["persuadables", "dogs"]
    assert roi.compare_with_truth(lift, true.assign(abs_lift=[0.01, -0.02]))["covered"].tolist() == [True, True]


def test_campaign_study_adds_the_scenario_only_for_the_planted_segmentation(experiment, customers, tmp_path):
    campaign, truth = experiment
    path = _write(campaign, tmp_path / "c.csv")
    choice = roi.match_campaign(path, customers, truth_path=_write(truth, tmp_path / "t.csv"))
    coarse = customers.assign(segment=np.where(customers["n_orders"] > 5, "many", "few"))
    study = roi.campaign_study(choice, coarse, budget=500, planned_uplift=0.02, n_boot=100, random_state=0)
    assert study.comparison.index.tolist() == ["few", "many"] and "planted scenario" not in study.comparison
    assert study.truth_words.endswith("of 2 response-lift intervals contain the true lift.")
    assert study.curve.table["optimal_profit"].iloc[-1] >= 0
    pd.testing.assert_frame_equal(study.actions, campaign_actions(study.lift, study.allocation))
    pd.testing.assert_frame_equal(study.export, plan_export(study.allocation, study.actions, lift=study.lift))
    assert study.testing_words == multiple_testing_words(study.model)
    assert study.curve_words == budget_curve_words(study.curve)
    untrue = roi.campaign_study(roi.match_campaign(path, customers), customers, budget=500, planned_uplift=0.02,
                                n_boot=100, random_state=0)
    assert untrue.comparison is None and untrue.true_lift is None and untrue.truth_words == ""
    assert "true_incremental_profit" not in untrue.targeting
    loose = roi.match_campaign(_write(_foreign(campaign, 2000), tmp_path / "f.csv"), customers, min_match=0.3)
    assert loose.used
    with pytest.raises(DataError, match="at least 50% needed"):
        roi.campaign_study(loose, customers, budget=500, planned_uplift=0.02)
    with pytest.raises(DataError, match="budget must be a non-negative"):
        roi.campaign_study(choice, customers, budget=-1, planned_uplift=0.02)
    with pytest.raises(DataError, match="n_boot must be at least 100"):
        roi.campaign_study(choice, customers, budget=1, planned_uplift=0.02, n_boot=10)
    with pytest.raises(DataError, match=r"lacks column\(s\) \['clv'\].*value_col="):
        roi.campaign_study(choice, customers, budget=1, planned_uplift=0.02, value_col="clv")


def test_plan_export_counts_whole_contacts(customers):
    plan = roi.planning_table(customers, uplift=dict.fromkeys(PROFILES, 0.1) | {"Lost": -0.05})
    allocation = roi.allocate_budget(plan, budget=1000.5)
    actions = campaign_actions(None, allocation)
    export = plan_export(allocation, actions)
    assert export["contacts"].tolist() == np.floor(allocation["contacts"] + 1e-6).astype(int).tolist()
    assert export["spend"].tolist() == pytest.approx((export["contacts"] * export["contact_cost"]).tolist())
    assert export["expected_profit"].tolist() == pytest.approx((export["contacts"] * export["profit_per_contact"]).tolist())
    assert export.loc["Lost", "contacts"] == 0 and export.loc["Lost", "profit_per_contact"] < 0
    assert not np.signbit(export["expected_profit"]).any()  # 0 contacts × a loss is 0, not -0 in the file
    columns = export.columns.tolist()
    assert columns[columns.index("uplift") + 1] == "uplift_source"
    assert columns[-8:] == ["abs_lift_low", "abs_lift_high", "revenue_lift", "significant", "verdict", "pays",
                            "contacts", "action"]
    assert export.index.tolist() == allocation.index.tolist()


def test_python_m_segkit_campaign_reproduces_the_shipped_files(tmp_path, monkeypatch, capsys):
    """``python -m segkit.campaign`` writes the sample campaign and its truth byte for byte as shipped."""
    shipped_campaign, shipped_truth = sim.DEFAULT_CAMPAIGN_PATH, sim.DEFAULT_CAMPAIGN_TRUTH_PATH
    if not (shipped_campaign.is_file() and shipped_truth.is_file()):
        pytest.skip("sample campaign not generated")
    raw = tmp_path / "new" / "raw"
    monkeypatch.setattr(sim, "RAW_DIR", raw)
    monkeypatch.setattr(sim, "DEFAULT_CAMPAIGN_PATH", raw / "campaign.csv")
    monkeypatch.setattr(sim, "DEFAULT_CAMPAIGN_TRUTH_PATH", raw / "campaign_truth.csv")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default segmentation is drawn without RFM's warnings
        summary = sim.main()
    assert sim.main() == summary  # a second run overwrites the files in place
    capsys.readouterr()
    summary = sim.main()
    assert (raw / "campaign.csv").read_bytes() == shipped_campaign.read_bytes()
    assert (raw / "campaign_truth.csv").read_bytes() == shipped_truth.read_bytes()
    written = pd.read_csv(raw / "campaign.csv")
    assert summary == {"customers": len(written), "treatment": int((written["group"] == "treatment").sum()),
                       "responders": int(written["responded"].sum())}
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == str(summary)
    assert printed[1].split() == ["customers", "response_control", "abs_lift", "revenue_lift", "scenario"]
    assert len(printed) == 3 + pd.read_csv(raw / "campaign_truth.csv")["segment"].nunique()


def test_segment_customers_by_cluster_finds_planted_groups():
    """Three well-separated groups of customers: k-means with three clusters gives each group one label."""
    rng = np.random.default_rng(4)
    groups = np.repeat([0, 1, 2], 60)
    orders = np.array([1, 6, 30])[groups] + rng.integers(0, 2, len(groups))
    days = np.array([600, 120, 5])[groups] + rng.integers(0, 10, len(groups))
    aov = np.array([15.0, 60.0, 250.0])[groups] * rng.uniform(0.9, 1.1, len(groups))
    table = pd.DataFrame({"n_orders": orders, "days_since_last_purchase": days, "tenure_days": days + 400,
                          "avg_order_value": aov, "revenue": orders * aov},
                         index=pd.Index([f"k{i}" for i in range(len(groups))], name="customer_id"))
    labels = roi.segment_customers(table, by="cluster", n_clusters=3, random_state=1)
    assert labels.name == "segment" and labels.index.equals(table.index)
    assert labels.cat.categories.size == 3
    assert pd.crosstab(groups, labels.to_numpy()).gt(0).sum(axis=1).tolist() == [1, 1, 1]
    assert labels.nunique() == 3 and all(isinstance(c, str) and c for c in labels.cat.categories)
    assert roi.segment_customers(table, by="cluster", n_clusters=2, random_state=1).nunique() == 2


# ---------------------------------------------------------------------------------------------
# edges: the branches a typical campaign does not reach
# ---------------------------------------------------------------------------------------------


def test_annual_values_by_hand():
    table = pd.DataFrame({"avg_order_value": [50.0, 20.0], "n_orders": [4, 1], "tenure_days": [730, 100],
                          "days_since_last_purchase": [10, 90]}, index=pd.Index(["a", "b"], name="customer_id"))
    values = roi.annual_values(table, margin=0.5)
    # orders per year over the tenure (at least the 365-day window), 365.25 days a year
    assert values.tolist() == pytest.approx([50 * 4 / (730 / 365.25) * 0.5, 20 * 1 / (365 / 365.25) * 0.5])
    assert values.name == "annual_value" and values.index.equals(table.index)
    assert roi.annual_values(table).tolist() == pytest.approx((values / 0.5 * 0.3).tolist())


def test_segment_customers_names_a_missing_module(customers, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "segkit.cluster", None)
    with pytest.raises(DataError, match=r"segmentation 'cluster' needs segkit.cluster, which is not available.*by='rfm'"):
        roi.segment_customers(customers, by="cluster")


def test_significant_lifts_get_their_verdict():
    customers = pd.DataFrame({"segment": ["up"] * 60 + ["down"] * 60 + ["empty"] * 3},
                             index=pd.Index([f"c{i}" for i in range(123)], name="customer_id"))
    responded = [1] * 25 + [0] * 5 + [0] * 30 + [0] * 30 + [1] * 20 + [0] * 10
    campaign = pd.DataFrame({"customer_id": [f"c{i}" for i in range(120)],
                             "group": (["treatment"] * 30 + ["control"] * 30) * 2, "responded": responded,
                             "revenue": np.array(responded) * 50.0})
    model = roi.CampaignLift(n_boot=200, random_state=0).fit(campaign, customers)
    lift = model.lift_
    assert lift.index.tolist() == ["down", "up", TOTAL_LABEL]  # a segment without campaign customers is left out
    assert lift.loc["up", "verdict"] == "lift" and lift.loc["down", "verdict"] == "backfires"
    assert lift.loc["up", "pays"] == "yes" and lift.loc["down", "pays"] == "no"
    assert model.report_.customers_not_in_campaign == 3
    silent = campaign.assign(responded=0, revenue=0.0)
    quiet = roi.CampaignLift(n_boot=200, random_state=0).fit(silent, customers).lift_
    assert quiet["p_value"].tolist() == [1.0, 1.0, 1.0] and (quiet["abs_lift"] == 0).all()
    assert quiet["rel_lift"].isna().all() and quiet["rel_lift_low"].isna().all()
    no_treated = campaign.assign(group=np.where(np.arange(120) < 60, "control", campaign["group"]))
    with pytest.raises(DataError, match=r"segment\(s\) 'up' have no contacted treatment customers"):
        roi.CampaignLift().fit(no_treated, customers)


def test_alpha_sets_every_interval():
    campaign, customers = _hand_campaign()
    narrow = roi.CampaignLift(margin=0.5, alpha=0.2, n_boot=400, random_state=0).fit(campaign, customers)
    wide = roi.CampaignLift(margin=0.5, alpha=0.05, n_boot=400, random_state=0).fit(campaign, customers)
    z = 1.2815515655446004  # the 90% normal quantile
    assert narrow.lift_.loc[TOTAL_LABEL, "abs_lift_low"] == pytest.approx(0.3 - z * 0.25)
    low, high = np.quantile(narrow.revenue_lift_draws_, [0.1, 0.9], axis=0)
    assert narrow.lift_["revenue_lift_low"].tolist() == pytest.approx(low.tolist())
    assert narrow.lift_["revenue_lift_high"].tolist() == pytest.approx(high.tolist())
    for column in ("abs_lift", "revenue_lift", "incremental_profit"):
        assert (narrow.lift_[f"{column}_low"] >= wide.lift_[f"{column}_low"] - 1e-12).all()
    table = narrow.targeting()
    draws = narrow.revenue_lift_draws_[["A", "B"]].to_numpy() @ np.array([4.0, 2.0])
    assert table.loc["as run (incremental)", "incremental_profit_low"] == pytest.approx(
        np.quantile(draws, 0.1) * 0.5 - 6 * 1.5)
    assert roi_text.multiple_testing_words(narrow).startswith("2 segments were tested at once at the 20% level")
    assert "0.4 of them" in roi_text.multiple_testing_words(narrow)


def test_binary_and_revenue_codes():
    raw = pd.DataFrame({"customer_id": ["1", "2", "3", "4"], "group": "control",
                        "responded": ["0.0", "0", "1", 0], "revenue": ["0", "", "3.5", 2]})
    out = roi.validate_campaign(raw)
    assert out["responded"].tolist() == [0, 0, 1, 0] and out["revenue"].tolist() == [0.0, 0.0, 3.5, 2.0]


def test_plan_checks_and_edges():
    plan = _plan([10, 10], [1.0, 1.0], [1.0, 2.0])
    with pytest.raises(DataError, match=r"plan lacks column\(s\) \['size'\]"):
        roi.allocate_budget(plan.drop(columns="size"), budget=5)
    with pytest.raises(DataError, match="sizes >= 0"):
        roi.allocate_budget(plan.assign(size=[-1, 10]), budget=5)
    with pytest.raises(DataError, match="profit_per_contact for every segment"):
        compare_allocations(plan.assign(profit_per_contact=[np.nan, 1.0]), budget=5)
    with pytest.raises(DataError, match="budget must be a non-negative"):
        roi.budget_curve(plan, budgets=[10, -1])
    for column in ("profit_per_contact", "size", "contact_cost"):
        with pytest.raises(DataError, match="plan needs finite sizes"):
            roi.allocate_budget(plan.assign(**{column: [np.inf, 1.0]}), budget=5)
    # no uplift and no ROI column: sorted by profit per unit of cost, no expected responses
    bare = plan.drop(columns=["uplift", "roi_per_contact"])
    allocation = roi.allocate_budget(bare, budget=15)
    assert allocation.index.tolist() == ["s1", "s0"] and "expected_responses" not in allocation
    assert allocation["contacts"].round(9).tolist() == [10.0, 5.0]
    # ties keep the plan's order
    tied = roi.allocate_budget(_plan([10, 10], [1.0, 1.0], [1.0, 1.0]), budget=15, method="greedy")
    assert tied["contacts"].round(9).tolist() == [10.0, 5.0] and tied.index.tolist() == ["s0", "s1"]
    # a budget above the cost of everyone: the mass campaign contacts everyone once
    rich = compare_allocations(plan, budget=100)
    assert rich.loc["mass (same budget, every segment alike)", ["contacts", "spend", "expected_profit"]].tolist() == [
        20, 20, 30]
    # all contacts free: the mass campaign is everyone at every budget
    free = roi.budget_curve(plan.assign(contact_cost=0.0), budgets=[0, 5])
    assert free.full_cost == 0 and free.saturation == 0
    assert free.table["mass_profit"].tolist() == [30.0, 30.0] and free.table["optimal_profit"].tolist() == [30.0, 30.0]


def test_uplift_and_value_lookups_by_segment():
    customers = pd.DataFrame({"segment": ["1", "1", "2"], "avg_order_value": [10.0, 30.0, 50.0]},
                             index=pd.Index(["x", "y", "z"], name="customer_id"))
    plan = roi.planning_table(customers, uplift={1: 1.0, 2: -1.0}, value_per_response={1: 3.0, 2: 4.0})
    assert plan["uplift"].tolist() == [1.0, -1.0] and plan["value_per_response"].tolist() == [3.0, 4.0]
    with pytest.raises(DataError, match="uplift is a change in response probability"):
        roi.planning_table(customers, uplift=pd.Series({"1": np.nan, "2": 0.1}))
    with pytest.raises(DataError, match=r"value_per_response has no value for segment\(s\) '2'"):
        roi.planning_table(customers, uplift=0.1, value_per_response={"1": 3.0})
    with pytest.raises(DataError, match="contact_cost must be a non-negative"):
        roi.planning_table(customers, uplift=0.1, contact_cost=np.nan)


def test_simulate_campaign_passes_its_settings_on(customers):
    campaign, truth = sim.simulate_campaign(customers, treatment_share=0.25, uplift={"Lost": 0.3}, window_days=60,
                                            recency_scale_days=90.0, seed=2)
    share = (campaign["group"] == "treatment").groupby(truth["segment"].to_numpy()).mean()
    assert share.between(0.24, 0.26).all()
    expected = sim.baseline_response(customers, window_days=60, recency_scale_days=90.0)
    assert truth.set_index("customer_id")["p_control"].tolist() == pytest.approx(
        expected.reindex(truth["customer_id"]).tolist())
    planted = truth.groupby("segment")["planted_uplift"].first()
    assert planted["Lost"] == 0.3 and planted["Champions"] == sim.FALLBACK_UPLIFT[0]
    named = customers.rename(columns={"segment": "tier"})
    again, _ = sim.simulate_campaign(named, segment_col="tier", seed=2, treatment_share=0.25, uplift={"Lost": 0.3},
                                     window_days=60, recency_scale_days=90.0)
    pd.testing.assert_frame_equal(again, campaign)
    assert not sim.simulate_campaign(customers, seed=2).campaign.equals(campaign)


def test_campaign_truth_uses_its_window(customers):
    truth = sim.campaign_truth(customers, window_days=90, recency_scale_days=60.0)
    expected = sim.baseline_response(customers, window_days=90, recency_scale_days=60.0)
    assert truth.set_index("customer_id")["p_control"].tolist() == pytest.approx(
        expected.reindex(truth["customer_id"]).tolist())


def test_export_words_of_one_and_no_rows():
    one = pd.DataFrame({"uplift_source": ["measured"], "contacts": [3], "spend": [4.5], "expected_profit": [1.0]})
    assert roi_text.export_words(one, path="p").endswith("uplift measured on the campaign.")
    none = one.iloc[:0]
    assert roi_text.export_words(none, path="p") == (
        "Wrote 0 segments to `p`: 0 contacts, spend 0, expected profit 0; uplift assumed (planned_uplift), not measured.")


def test_plots_use_the_theme_colours_and_line_styles(axes):
    from matplotlib.colors import to_hex

    from segkit.plots import PALETTE

    lift = pd.DataFrame({"abs_lift": [0.05], "abs_lift_low": [0.01], "abs_lift_high": [0.09]}, index=["A"])
    ax = roi.plot_lift(lift, truth=pd.Series({"A": 0.04}), ax=axes)
    assert to_hex(ax.lines[0].get_color()) == PALETTE[0].lower()
    bars = ax.collections[0]  # the interval
    assert to_hex(bars.get_colors()[0]) == PALETTE[0].lower()
    assert np.asarray(bars.get_segments()[0])[:, 0].tolist() == pytest.approx([1.0, 9.0])
    cross = ax.collections[-1]
    assert to_hex(cross.get_facecolor()[0]) == PALETTE[5].lower() and cross.get_zorder() == 3
    zero = ax.lines[-1]
    assert list(zero.get_xdata()) == [0, 0] and zero.get_linestyle() == "--" and zero.get_color() == "grey"
    axes.clear()
    allocation = pd.DataFrame({"size": [10], "contacts": [5.0]}, index=["x"])
    bars = roi.plot_allocation(allocation, ax=axes).patches
    assert to_hex(bars[0].get_facecolor()) == "#dddddd" and to_hex(bars[1].get_facecolor()) == PALETTE[2].lower()
    axes.clear()
    curve = roi.budget_curve(_plan([10], [1.0], [2.0]), n_points=3)
    optimal, mass, chosen, zero = roi.plot_budget_curve(curve, budget=5.0, ax=axes).lines
    assert to_hex(optimal.get_color()) == PALETTE[2].lower() and optimal.get_linestyle() == "-"
    assert to_hex(mass.get_color()) == PALETTE[5].lower() and mass.get_linestyle() == "--"
    assert chosen.get_linestyle() == ":" and chosen.get_color() == "grey"
    assert zero.get_color() == "black" and zero.get_linewidth() == 0.8
    axes.clear()
    econ = pd.DataFrame({"gross_profit": [3.0], "marketing_cost": [1.0], "net_profit": [2.0]}, index=["g"])
    ax = roi.plot_segment_profit(econ, ax=axes)
    assert [to_hex(b.get_facecolor()) for b in ax.patches] == [c.lower() for c in PALETTE[:3]]
    assert [b.get_height() for b in ax.patches] == pytest.approx([0.27] * 3)
    assert [b.get_y() + b.get_height() / 2 for b in ax.patches] == pytest.approx([0.27, 0.0, -0.27])
    assert ax.get_xlabel() == "money over the period of the data"
    assert list(ax.lines[0].get_xdata()) == [0, 0] and ax.lines[0].get_color() == "black"


def test_bootstrap_chunks_change_memory_not_draws():
    rng = np.random.default_rng(9)
    values, treated, strata = rng.gamma(2.0, 10.0, 300), rng.random(300) < 0.5, rng.integers(0, 3, 300)
    one = bootstrap_mean_difference(values, treated, strata, n_boot=500, random_state=4, chunk=500)
    for chunk in (1, 7, 250, 499):
        assert np.array_equal(bootstrap_mean_difference(values, treated, strata, n_boot=500, random_state=4,
                                                        chunk=chunk), one)
    assert np.array_equal(bootstrap_mean_difference(values, treated, strata, n_boot=500, random_state=4), one)


def test_plots_draw_on_the_current_axes_with_their_labels_and_legend_places():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lift = pd.DataFrame({"abs_lift": [0.05], "abs_lift_low": [0.01], "abs_lift_high": [0.09]}, index=["A"])
    curve = roi.budget_curve(_plan([10], [1.0], [2.0]), n_points=3)
    econ = pd.DataFrame({"gross_profit": [3.0], "marketing_cost": [1.0], "net_profit": [2.0]}, index=["g"])
    allocation = pd.DataFrame({"size": [10], "contacts": [5.0]}, index=["x"])
    # legend codes: 0 best, 1 upper right, 4 lower right (matplotlib's Legend.codes)
    for draw, loc in [(lambda: roi.plot_lift(lift, truth=pd.Series({"A": 0.04})), 0),
                      (lambda: roi.plot_allocation(allocation), 1),
                      (lambda: roi.plot_budget_curve(curve, budget=1.0), 0),
                      (lambda: roi.plot_segment_profit(econ), 4)]:
        fig, current = plt.subplots()
        try:
            ax = draw()
            assert ax is current and ax.has_data()
            assert ax.get_legend()._loc == loc
        finally:
            plt.close(fig)
    fig, ax = plt.subplots()
    try:
        roi.plot_budget_curve(curve, budget=1.0, ax=ax)
        assert ax.get_xlabel() == "budget (money)" and ax.get_ylabel() == "expected incremental profit (money)"
        optimal, mass, chosen, zero = ax.lines
        assert mass.get_xdata().tolist() == curve.table["budget"].tolist()
        assert chosen.get_linewidth() == 1 and list(zero.get_ydata()) == [0, 0]
        ax.clear()
        roi.plot_lift(lift, truth=pd.Series({"A": 0.04}), ax=ax)
        assert ax.lines[0].get_marker() == "o" and ax.lines[0].get_linestyle() == "None"
        caps = [line for line in ax.lines[1:-1]]
        assert len(caps) == 2 and all(line.get_markersize() == 2 * 3 for line in caps)  # capsize 3
        assert all(to_hex_(line.get_color()) == "#0072b2" for line in caps)
        assert ax.lines[-1].get_linewidth() == 1
        cross = ax.collections[-1]
        marker = matplotlib.markers.MarkerStyle("x")
        assert np.allclose(cross.get_paths()[0].vertices, marker.get_path().transformed(marker.get_transform()).vertices)
        ax.clear()
        roi.plot_segment_profit(econ, ax=ax)
        assert ax.lines[0].get_linewidth() == 0.8 and list(ax.lines[0].get_xdata()) == [0, 0]
    finally:
        plt.close(fig)


def to_hex_(colour) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour)


# ---------------------------------------------------------------------------------------------
# more survivors: words at their boundaries, settings passed on, the study's own tables
# ---------------------------------------------------------------------------------------------


def test_words_at_their_boundaries():
    spent = pd.DataFrame({"expected_profit": [250.0, -20.0, 200.0], "segments": [2, 5, 1], "spend": [499.5, 500, 500]})
    two = roi_text.campaign_headline(_targeting(-100.0, 300.0), spent, budget=500)
    assert "Targeting only the 2 segments with a profitable measured lift" in two
    assert "a budget of 500 spread over 2 segments" in two  # 0.5 short of the budget still counts as all of it
    short = roi_text.campaign_headline(_targeting(-100.0, 300.0), spent.assign(spend=[499.0, 500, 500]), budget=500)
    assert "spending 499 of the 500 budget on 2 segments" in short
    zero_mass = roi_text.campaign_headline(_targeting(0.0, 300.0), spent, budget=500)
    assert "would have changed the result of contacting everyone from a profit of 0 to a profit of 300" in zero_mass
    small = roi_text.campaign_headline(_targeting(0.4, 0.6), spent, budget=500)
    assert "from a profit of 0 to a profit of 1." in small
    turned = roi_text.campaign_headline(_targeting(-0.4, 0.6), spent, budget=500)
    assert "would have turned a loss of 0 into a profit of 1." in turned
    with pytest.raises(DataError, match=r"^no campaign was measured \(targeting is None\): pass the assumed_uplift"):
        roi_text.campaign_headline(None, spent, budget=500)
    tiny = roi.budget_curve(_plan([1], [0.5], [2.0]))
    assert tiny.saturation == 0.5
    assert roi_text.budget_curve_words(tiny).startswith("The expected profit stops growing at a budget of 0,")


def test_multiple_testing_words_in_full(fitted):
    assert roi_text.multiple_testing_words(None) == (
        "No campaign was measured, so no segment's lift has been tested yet. Measure one with a random control "
        "group, and remember that at the 5% level one segment in twenty without any real lift looks "
        "\"significant\" by chance alone.")
    assert roi_text.multiple_testing_words(fitted) == (
        "6 segments were tested at once at the 5% level: even if the campaign did nothing, 0.3 of them would be "
        "expected to look \"significant\" by chance alone. Act firmly on large, clear lifts and re-test "
        "borderline ones.")


def test_assumed_actions_at_their_boundaries():
    allocation = pd.DataFrame({"contacts": [1.0, 0.0, 0.0, 0.0, 0.0], "profit_per_contact": [0.5, 0.0, -1.0, -1.0, -1.0],
                               "value_per_response": [20.0, 10.0, 0.0, 0.5, 3.0],
                               "contact_cost": [1.0, 1.0, 1.0, 0.01, 1.0], "size": [4.0, 5.0, 6.0, 7.0, 8.0]},
                              index=pd.Index(list("abcde"), name="segment"))
    actions = campaign_actions(None, allocation)
    assert actions.index.equals(allocation.index)
    assert actions["contacts"].tolist() == [1, 0, 0, 0, 0] and actions["contacts"].dtype == np.int64
    assert actions["size"].tolist() == [4, 5, 6, 7, 8] and actions["size"].dtype == np.int64
    assert actions.loc["a", "action"].startswith("contact (assumed uplift)")  # a single contact is a contact
    assert actions.loc["b", "action"].startswith("do not contact at the assumed uplift")  # profit 0 does not pay
    assert actions.loc["c", "action"] == "do not contact: a response brings no profit"
    assert actions.loc["d", "action"].endswith("from an uplift of 2.0 points")  # 100 × 0.01 / 0.5
    assert actions.loc["e", "action"].endswith("from an uplift of 33.3 points")


def test_segment_customers_defaults_and_settings(customers):
    import warnings

    table = customers.drop(columns="segment")
    rng = np.random.default_rng(0)
    noise = table.assign(n_orders=rng.integers(1, 20, len(table)), revenue=rng.gamma(2.0, 100.0, len(table)))
    default = roi.segment_customers(noise)
    assert default.tolist() == roi.segment_customers(noise, by="rfm").tolist()
    clusters = roi.segment_customers(noise, by="cluster")
    assert clusters.nunique() == 5  # five clusters by default
    assert clusters.tolist() == roi.segment_customers(noise, by="cluster", random_state=0).tolist()
    assert clusters.tolist() == roi.segment_customers(noise, by="cluster", n_clusters=5, random_state=0).tolist()
    with pytest.raises(DataError, match=r"margin is a fraction of revenue in \(0, 1\]; got 1.5"):
        roi.segment_customers(noise, by="clv_tier", margin=1.5)
    few = table.iloc[:40].assign(n_orders=1)  # one order each: RFM's frequency cannot be ranked in five levels
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        roi.segment_customers(few, by="rfm")  # the campaign's segmentation does not warn


def test_cluster_segments_are_ordered_by_revenue():
    rng = np.random.default_rng(4)
    groups = np.repeat([0, 1, 2], 60)
    orders = np.array([1, 6, 30])[groups] + rng.integers(0, 2, len(groups))
    days = np.array([600, 120, 5])[groups] + rng.integers(0, 10, len(groups))
    aov = np.array([15.0, 60.0, 250.0])[groups] * rng.uniform(0.9, 1.1, len(groups))
    table = pd.DataFrame({"n_orders": orders, "days_since_last_purchase": days, "tenure_days": days + 400,
                          "avg_order_value": aov, "revenue": orders * aov},
                         index=pd.Index([f"k{i}" for i in range(len(groups))], name="customer_id"))
    labels = roi.segment_customers(table, by="cluster", n_clusters=3, random_state=1)
    mean_revenue = table["revenue"].groupby(labels.to_numpy()).mean().reindex(labels.cat.categories)
    assert mean_revenue.is_monotonic_decreasing  # the categories run from the most to the least revenue


def test_planted_on_compares_customer_by_customer():
    from segkit.campaign.study import _planted_on

    truth = pd.DataFrame({"customer_id": ["b", "a"], "segment": ["X", "Y"]})
    assert _planted_on(truth, pd.Series(["Y", "X", "Z"], index=["a", "b", "c"]))
    assert not _planted_on(truth, pd.Series(["X", "X", "Z"], index=["a", "b", "c"]))
    assert not _planted_on(truth, pd.Series(["X"], index=["q"]))  # nobody in common


def test_campaign_study_passes_its_settings_on(experiment, customers, tmp_path):
    campaign, truth = experiment
    path = _write(campaign, tmp_path / "c.csv")
    choice = roi.match_campaign(path, customers, truth_path=_write(truth, tmp_path / "t.csv"))
    table = customers.rename(columns={"segment": "tier"}).assign(clv=customers["avg_order_value"] * 2)
    study = roi.campaign_study(choice, table, budget=800, planned_uplift=0.02, segment_col="tier", value_col="clv",
                               margin=0.45, contact_cost=2.0, n_boot=150, random_state=3)
    direct = roi.CampaignLift(segment_col="tier", margin=0.45, contact_cost=2.0, n_boot=150,
                              random_state=3).fit(choice.campaign, table)
    assert study.model.get_params() == direct.get_params()
    pd.testing.assert_frame_equal(study.lift, direct.lift_)
    plan = roi.planning_table(table, uplift=direct.lift_["abs_lift"], segment_col="tier", value_col="clv",
                              margin=0.45, contact_cost=2.0)
    pd.testing.assert_frame_equal(study.plan, plan)
    pd.testing.assert_frame_equal(study.allocation, roi.allocate_budget(plan, budget=800))
    assert study.true_lift.index.tolist() == study.lift.index.drop(TOTAL_LABEL).tolist()
    assert study.true_lift["customers"].sum() == len(campaign) and study.true_lift.notna().all().all()
    assert len(roi.campaign_study(choice, customers, budget=1, planned_uplift=0.02).model.revenue_lift_draws_) == 2000
    with pytest.raises(DataError, match="contact_cost must be a non-negative"):
        roi.campaign_study(choice, customers, budget=1, planned_uplift=0.02, contact_cost=-1.0)
    with pytest.raises(DataError, match="pass segment_col= a segment column and value_col= a column of the table"):
        roi.campaign_study(choice, customers, budget=1, planned_uplift=0.02, value_col="clv")
    with pytest.raises(DataError, match="value_col= or value_per_response="):
        roi.planning_table(customers.drop(columns="avg_order_value"), uplift=0.1)


def test_targeting_sizes_missing_segments_are_not_contacted():
    campaign, customers = _hand_campaign()
    model = roi.CampaignLift(margin=0.5, contact_cost=1.0, n_boot=200, random_state=0).fit(campaign, customers)
    table = model.targeting(sizes=pd.Series({"A": 1}))
    mass = table.loc["mass: every customer"]
    assert mass["contacts"] == 1.0 and mass["segments"] == 1 and mass["cost"] == 1.0
    assert mass["incremental_revenue"] == pytest.approx(10.0)


def test_simulated_guard_compares_paths_that_do_not_exist_yet(experiment, customers, tmp_path):
    campaign, _ = experiment
    path = _write(campaign, tmp_path / "sample.csv")
    orders = tmp_path / "orders_not_downloaded.csv"
    simulated = {"campaign": path, "truth": tmp_path / "t.csv", "transactions": orders}
    assert roi.match_campaign(path, customers, data_path=orders, simulated=simulated).used


def test_tables_name_their_index_and_columns(customers):
    assert roi.segment_economics(customers).index.name == "segment"
    lift = pd.DataFrame({"abs_lift": [0.05], "abs_lift_low": [0.01], "abs_lift_high": [0.09], "revenue_lift": [4.0]},
                        index=["A"])
    compare = roi.compare_with_truth(lift, pd.DataFrame({"abs_lift": [0.1], "revenue_lift": [5.0]}, index=["A"]))
    assert compare.columns.tolist() == ["true_lift", "estimate", "low", "high", "covered", "true_revenue_lift",
                                        "revenue_lift"]


def test_more_boundaries_of_files_plans_and_actions(experiment, customers, tmp_path):
    campaign, truth = experiment
    padded = pd.DataFrame({"n_orders": [1, 1, 1], "segment": ["A", "A", "B"]},
                          index=pd.Index(["007", "NA", "010"], name="customer_id"))
    path = tmp_path / "c.csv"
    path.write_text("customer_id,group,responded,revenue\n007,treatment,1,5\nNA,control,0,0\n010,treatment,0,0\n")
    truth_path = tmp_path / "t.csv"
    truth_path.write_text("customer_id,segment\n007,A\n010,B\n")
    choice = roi.match_campaign(path, padded, truth_path=truth_path, min_match=0.0)
    assert choice.coverage.matched == 3 and choice.used  # ids read as text: leading zeros and "NA" kept
    assert choice.truth["customer_id"].tolist() == ["007", "010"]
    assert roi.match_campaign(path, padded, truth_path=truth_path).truth is None  # 2 of 3 is below 0.9
    exact = roi.match_campaign(path, padded, truth_path=truth_path, min_match=2 / 3)
    assert exact.truth is not None  # the truth covers exactly the share needed
    missing = roi.match_campaign(tmp_path / "gone.csv", padded)
    assert "`gone.csv`" in missing.note
    # planning: ROI per unit of contact cost, index named, uplift of exactly one allowed
    plan = roi.planning_table(customers, uplift={s: 1.0 for s in PROFILES}, contact_cost=2.0)
    assert plan.index.name == "segment" and plan["size"].dtype == np.int64
    assert np.allclose(plan["roi_per_contact"], plan["profit_per_contact"] / 2.0)
    with pytest.raises(DataError, match=r"within \[-1, 1\]; got 1.5$"):
        roi.planning_table(customers, uplift=dict.fromkeys(PROFILES, 1.0) | {"Lost": 1.5})
    # a given optimum is used as given
    hand = _plan([10, 10], [1.0, 1.0], [1.0, 2.0])
    fake = roi.allocate_budget(hand, budget=5).assign(contacts=[1.0, 0.0], spend=[1.0, 0.0], expected_profit=[2.0, 0.0])
    assert compare_allocations(hand, budget=5, optimal=fake).loc["optimal (targeted)", "expected_profit"] == 2.0
    # five duplicated ids are listed without "(and 0 more)"
    five = pd.DataFrame({"customer_id": [str(i) for i in range(5)] * 2, "group": "control", "responded": 0,
                         "revenue": 0.0})
    with pytest.raises(DataError, match=r"'4'; keep one row"):
        roi.validate_campaign(five)
    # measured actions: one contact is a contact, a profit of 0 does not pay, a lift without its total row
    per = pd.DataFrame({"significant": [False, False], "abs_lift": [0.1, 0.1], "pays": ["unclear", "unclear"],
                        "verdict": ["not significant: could be zero"] * 2}, index=pd.Index(["a", "b"], name="segment"))
    allocation = pd.DataFrame({"contacts": [1.0, 0.0], "profit_per_contact": [0.5, 0.0], "size": [2.0, 3.0]},
                              index=["a", "b"])
    actions = campaign_actions(per, allocation)
    assert actions.loc["a", "action"].startswith("contact, keeping a control group")
    assert actions.loc["b", "action"].startswith("do not contact: no lift shown")
    assert actions["contacts"].dtype == np.int64 and actions["size"].dtype == np.int64
    assert campaign_actions(per.assign(pays=["yes", "yes"]), allocation).loc["a", "action"].startswith(
        "contact: the lift is measured")
