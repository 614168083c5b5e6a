"""Money in report prose carries the run's currency on every amount and on no count, day or share.

Each text module writes its amounts through :func:`segkit.present.money_text`. The sentences below
are built from hand-made inputs and compared with whole sentences written out by hand, once with a
symbol (``£``, written before the amount) and once with an ISO code (``EUR``, written before it with
a space), so that a missed amount, a currency on a count, or a sign after the currency fails.
The run's currency is restored after every test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit import present
from segkit.campaign import text as campaign_text
from segkit.campaign.budget import budget_curve
from segkit.clv import bootstrap
from segkit.clv import text as clv_text
from segkit.clv.bgnbd import BetaGeoModel
from segkit.clv.gamma_gamma import AverageSpendModel, GammaGammaModel
from segkit.data import text as data_text
from segkit.data.profiling import QualityFacts
from segkit.persona import text as persona_text
from segkit.rfm import text as rfm_text
from segkit.rfm.text import NO_LONGER_IN_TABLE, NOT_YET_A_CUSTOMER
from segkit.timeline import text as timeline_text


@pytest.fixture(autouse=True)
def restore_currency():
    """Every test sets its own currency; the one before it is back afterwards."""
    before = present.get_currency()
    yield
    present.set_currency(before)


# --- campaign -------------------------------------------------------------------------------------------------


def test_campaign_headline_puts_the_currency_on_every_amount_and_not_on_segment_counts():
    present.set_currency("£")
    targeting = pd.DataFrame({"incremental_profit": [900.0, -50.0, -2027.4, 300.0], "segments": [5, 5, 5, 2]},
                             index=["as run (naive attribution)", "as run (incremental)", "mass: every customer",
                                    "targeted: positive segments"])
    allocations = pd.DataFrame({"expected_profit": [1250.0, -20.0], "segments": [2, 5], "spend": [5000.0, 5000.0]})
    assert campaign_text.campaign_headline(targeting, allocations, budget=5000) == (
        "**Targeting only the 2 segments with a profitable measured lift would have turned a loss of £2,027 into a "
        "profit of £300.** The campaign as run made a loss of £50 once the control group's purchases are netted "
        "out; a report without a control group would have claimed a profit of £900. For the next campaign, a "
        "budget of £5,000 spread over 2 segments is expected to bring a profit of £1,250, against a loss of £20 "
        "from a mass campaign of the same budget.")


def test_an_underspent_plan_names_both_amounts_in_an_iso_currency():
    present.set_currency("EUR")
    allocations = pd.DataFrame({"expected_profit": [80.0, -120.0], "segments": [1, 5], "spend": [300.0, 500.0]})
    text = campaign_text._assumed_headline(allocations, budget=500, assumed_uplift=0.02)
    assert ("At that uplift, spending EUR 300 of the EUR 500 budget on 1 segment (more would only buy losses) is "
            "expected to bring a profit of EUR 80, against a loss of EUR 120 from a mass campaign of the same "
            "budget.") in text
    assert "an assumed uplift of 2.0 percentage points" in text  # points are not money


def test_budget_curve_and_export_sentences_carry_the_currency_but_contacts_do_not():
    present.set_currency("EUR")
    plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0], "profit_per_contact": [2.0, -0.5]},
                        index=["A", "B"])
    # contacting A pays 100 × 2 = 200 and costs 100; everyone costs 200 and brings 200 - 50 = 150
    assert campaign_text.budget_curve_words(budget_curve(plan)) == (
        "The expected profit stops growing at a budget of EUR 100, when every segment that pays is fully "
        "contacted; contacting every customer would cost EUR 200 and is expected to bring a profit of EUR 150.")
    export = pd.DataFrame({"uplift_source": "measured", "contacts": [1400, 600], "spend": [1500.0, 600.0],
                           "expected_profit": [-1234.6, 0.0]})
    assert campaign_text.export_words(export, path="plan.csv") == (
        "Wrote 2 segments to `plan.csv`: 2,000 contacts, spend EUR 2,100, expected profit -EUR 1,235; "
        "uplift measured on the campaign.")


# --- CLV ------------------------------------------------------------------------------------------------------


def test_clv_headline_interval_and_win_back_in_pounds():
    present.set_currency("£")
    tiers = pd.DataFrame({"customers": [2, 6, 2], "value_share": [0.6, 0.35, 0.05], "mean_clv": [300.0, 58.3, 25.0]},
                         index=["top 20%", "middle 60%", "bottom 20%"])
    interval = bootstrap.TotalCLVInterval(estimate=1234567.4, lower=1000000.0, upper=1500000.0, level=0.9,
                                        n_draws=10, draws=np.empty(0))
    win_back = pd.DataFrame({"revenue": [500.0, 250.0]}, index=["a", "b"])
    assert clv_text._headline(interval, tiers, win_back, horizon=365, margin=0.3, discount_rate=0.1,
                              top_share=0.2, max_p_alive=0.5) == (
        "**The 10 customers will bring in about £1,234,567 of gross margin over the next 365 days** (90% interval "
        "£1,000,000 to £1,500,000; margin 30%, discounted at 10% a year). The top 20% of customers hold 60% of it. "
        "**2 of the top 20% by past revenue have probably left** (P(alive) below 50%; £750 of past revenue): they "
        "are the win-back list.")
    # half-width 250,000 / 1,234,567.4 = 0.2025000164: 20.3%
    assert interval.note == "Total predicted CLV £1,234,567, 90% interval £1,000,000 to £1,500,000 (±20.3%)."
    customers = pd.DataFrame({"days_since_last_purchase": [100, 300, 5]}, index=["a", "b", "c"])
    assert clv_text._win_back_note(win_back, customers) == (
        "2 customers, £750 of past revenue; median 200 days since their last purchase.")


def test_clv_recommendations_put_the_currency_on_mean_clv_and_new_customer_value_only():
    present.set_currency("EUR")
    tiers = pd.DataFrame({"customers": [2, 6, 2], "value_share": [0.6, 0.35, 0.05], "mean_clv": [300.0, 58.3, 25.0]},
                         index=["top 20%", "middle 60%", "bottom 20%"])
    win_back = pd.DataFrame({"revenue": [500.0, 250.0]}, index=["a", "b"])
    assert clv_text._recommendations(tiers, win_back, pd.Series({"repeat_purchases": 2.5, "value": 99.0}),
                                     margin=0.3, horizon=365) == "\n".join([
        "* **Top 20% (60% of predicted value, mean CLV EUR 300):** protect them: priority service, early access, no "
        "blanket discounts.",
        "* **Middle 60% (35% of value):** grow them: cross-sell and reminders timed to their purchase rhythm; move "
        "the best into the top tier.",
        "* **Bottom 20% (mean CLV EUR 25.00):** low-cost channels only (e-mail, no paid media).",
        "* **Win-back list (2 customers):** a personal reactivation offer now, then re-score: P(alive) jumps back "
        "after one purchase.",
        "* **Acquisition:** a new customer brings 30% margin on a first order plus 2.50 expected repeat purchases in "
        "365 days, about EUR 99.00 in margin (undiscounted): the ceiling on first-year acquisition cost per customer.",
    ])


def test_clv_spend_sentences_write_the_average_order_as_money_and_the_rate_as_a_number():
    present.set_currency("£")
    bg = BetaGeoModel.from_params(r=0.5, alpha=20.0, a=0.8, b=3.2)  # 0.025 a day, drop-out 0.8 / 4 = 20%
    gg = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)  # mean spend 6 * 15 / 3 = 30
    customers = pd.DataFrame({"frequency": [0, 1, 3], "monetary_value": [0.0, 10.0, 30.0]})  # paid repeat mean 25
    assert clv_text._population_note(bg, gg, customers) == (
        "While active, customers buy on average 0.0250 times a day (about once every 40 days); after a repeat "
        "purchase a customer leaves with probability 20.0% on average. A new customer's average order is worth "
        "£30.00 (p·v / (q − 1)).")
    average = AverageSpendModel.from_params(mean_spend=30.0)
    assert clv_text._fit_note(bg, average, customers).startswith(
        "**Spend is a plain average (£30.00 per purchase):** only 2 customers made a repeat purchase")
    heavy = GammaGammaModel.from_params(p=2.0, q=0.8, v=10.0)
    assert ("valued at the mean value of a paid repeat purchase, £25.00. Check"
            in clv_text._fit_note(bg, heavy, customers))
    assert clv_text._population_note(bg, heavy, customers).endswith(
        "worth £25.00, the mean paid repeat purchase (Gamma-Gamma's own mean, p·v / (q − 1), is infinite here: "
        "q <= 1).")


# --- RFM, data profile ---------------------------------------------------------------------------------------


def test_rfm_too_few_buyers_note_writes_revenue_as_money_and_counts_plain():
    present.set_currency("EUR")
    assert rfm_text._too_few_buyers_note(pd.Timestamp("2024-01-31"), 1200, 7, 1234.5, 20) == (
        "No migration matrix: on 2024-01-31 (1,200 days before the snapshot) only 7 customers had bought, with "
        "revenue EUR 1,234.50; scores need at least 20 customers with revenue. Set migration_days lower to compare "
        "with a later date.")


def test_data_findings_write_the_excluded_lines_worth_in_the_currency():
    present.set_currency("£")
    facts = QualityFacts(rows_in=1000, rows_kept=900, customers_in=120, customers_kept=100,
                         first_date=pd.Timestamp("2024-01-01"), last_date=pd.Timestamp("2024-12-31"),
                         gross_sales=100000.0, returned=5000.0, missing_customer_rows=0, missing_customer_revenue=0.0,
                         duplicate_rows=0, outlier_rows=2, outlier_revenue=12345.4, unmatched_return_rows=3,
                         test_account_customers=0, one_off_share=0.4, top_customers_pct=20.0, top_revenue_pct=70.0)
    assert data_text.findings(facts) == [
        "2 extreme line(s) worth £12,345 were excluded as keying errors; confirm with the order system before "
        "trusting revenue totals.",
        "Returns and cancellations are 5.0% of gross sales; 3 return lines had no matching purchase (bought before "
        "the data starts) and were excluded.",
        "40% of customers ordered once; the others are repeat buyers.",
        "Kept 90.0% of lines and 100 of 120 customers; every excluded row is in the log.",
    ]
    assert data_text.headline(facts) == (  # no money in the headline: counts and shares stay plain
        "**100 customers and 90% of order lines are usable** (Jan 2024 to Dec 2024); the top 20% of customers "
        "bring 70% of net revenue.")


# --- persona cards --------------------------------------------------------------------------------------------


def _card(**changes) -> pd.Series:
    card = {"customers": 1234, "customer_share": 0.2, "revenue_share": 0.61, "median_days_since_last_purchase": 12.0,
            "median_orders": 7.0, "median_revenue": 1520.4, "mean_clv": 830.0, "mean_p_alive": 0.9,
            "median_gap_days": 19.0, "overdue_share": 0.1, "top_category": "gifts", "top_category_share": 0.4,
            "second_category": "stationery", "second_category_share": 0.2, "top_affinity": "cards",
            "top_affinity_lift": 2.345, "preferred_channel": "store", "preferred_channel_share": 0.58,
            "top_country": "UK", "top_country_share": 0.9, "uplift": 0.12, "uplift_source": "measured",
            "campaign_verdict": "lift", "expected_profit": -120.0, "campaign_spend": 2500.0, "action": "contact"}
    card.update(changes)
    return pd.Series(card)


def test_persona_card_rows_take_the_runs_currency_and_write_a_loss_with_the_sign_first():
    present.set_currency("EUR")
    rows = persona_text.card_rows("Champions", _card())
    assert rows["typical customer"] == "last bought 12 days ago, 7 orders, EUR 1,520 spent"
    assert rows["predicted CLV"] == "EUR 830 per customer, P(alive) 90%"
    assert rows["expected return"] == "-EUR 120 profit on EUR 2,500 spent"
    assert rows["size"] == "1,234 customers (20%), 61% of revenue"
    assert rows["purchase cycle"] == "every 19 days, 10% overdue"
    pounds = persona_text.card_rows("Champions", _card(), currency="£")  # a currency given wins over the run's
    assert pounds["expected return"] == "-£120 profit on £2,500 spent"


# --- segments over time ---------------------------------------------------------------------------------------


def test_migration_and_alert_sentences_put_the_currency_on_revenue_at_stake_only():
    present.set_currency("£")
    table = pd.DataFrame({
        "from": ["A", "A", "B", NOT_YET_A_CUSTOMER, "B"],
        "to": ["A", "B", "B", "A", NO_LONGER_IN_TABLE],
        "customers": [60, 20, 20, 15, 5],
        "revenue": [9000.0, 2000.0, 1000.0, 1500.4, 2750.0],
    })
    assert timeline_text.migration_words(table, earlier_date=pd.Timestamp("2024-01-01"),
                                         later_date=pd.Timestamp("2024-12-31")) == (
        "Between 2024-01-01 and 2024-12-31 (365 days), 100 customers were there at both snapshots: **80% (80) stayed "
        "in their segment and 20 moved**. 15 customers are new since then (£1,500 of revenue at stake), and 5 of the "
        "earlier customers are missing from the later data (£2,750 of revenue at stake).")
    reasons = timeline_text.REASONS
    alerts = pd.DataFrame({"customer_id": ["a", "b", "c", "c"],
                           "reason": [reasons["left_top"], reasons["left_top"], reasons["newly_overdue"],
                                      reasons["left_top"]],
                           "revenue_at_stake": [1000.0, 234.5, 99.0, 10.0]})
    present.set_currency("EUR")
    assert timeline_text.alert_words(alerts, top_segments=["Champions"], valuable_share=0.8) == (
        "**4 alerts on 3 customers:** 3 left a top segment (Champions), with EUR 1,244 of revenue at stake; 1 "
        "valuable customers (those bringing the top 80% of it) are newly overdue on their own cycle, with EUR 99 of "
        "revenue at stake; 0 lapsed or at-risk customers came back, with EUR 0 of revenue at stake.")
