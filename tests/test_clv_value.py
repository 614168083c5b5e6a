"""Tests for segkit.clv.value: tiers by hand, their order and labels, the summaries per tier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.clv import value
from segkit.errors import DataError


def test_tiers_by_hand_with_ties_broken_by_position() -> None:
    """Ten customers, shares 20/60/20: ranks 0-1 top, 2-7 middle, 8-9 bottom; of the tied 5.0s the
    earlier rows rank higher, whatever the index says."""
    values = pd.Series([1.0, 5.0, 9.0, 5.0, 5.0, 2.0, 8.0, 5.0, 0.5, 3.0], index=list("jihgfedcba"))
    tiers = value.value_tiers(values)
    expected = ["bottom 20%", "middle 60%", "top 20%", "middle 60%", "middle 60%", "middle 60%", "top 20%",
                "middle 60%", "bottom 20%", "middle 60%"]
    assert tiers.tolist() == expected
    assert tiers.name == "tier" and list(tiers.index) == list("jihgfedcba")
    assert tiers.cat.ordered and list(tiers.cat.categories) == ["top 20%", "middle 60%", "bottom 20%"]
    # shares that do not divide the customers evenly: a customer goes to the tier whose cumulative share
    # range holds the share of customers ranked above them
    pyramid = value.pyramid_tiers(pd.Series([3.0, 1.0, 2.0]))
    assert pyramid.tolist() == ["top 1%", "rest", "rest"]  # rank shares 0, 1/3, 2/3 against bounds .01 .05 .2 1
    # all tied: by position
    tied = value.value_tiers(pd.Series([7.0] * 5))
    assert tied.tolist() == ["top 20%", "middle 60%", "middle 60%", "middle 60%", "bottom 20%"]


@pytest.mark.parametrize("top, bottom", [(0.0, 0.2), (1.0, 0.2), (0.2, 0.0), (0.2, 1.0), (1.5, 0.2), (0.2, 1.5),
                                         (0.5, 0.5)])
def test_value_tiers_refuse_shares_outside_the_unit_interval(top: float, bottom: float) -> None:
    with pytest.raises(DataError, match=r"^top and bottom are shares in \(0, 1\) summing to less than 1; got "):
        value.value_tiers(pd.Series([1.0, 2.0, 3.0]), top=top, bottom=bottom)


def test_tier_summary_keeps_the_tier_order_and_leaves_out_empty_tiers() -> None:
    tiers = pd.Series(pd.Categorical(["low", "high", "high", "low", "low"], categories=["high", "mid", "low"],
                                     ordered=True))
    values = [1, 10, 6, 2, 1]  # integers: summed as money all the same
    table = value.tier_summary(values, tiers)
    assert list(table.index) == ["high", "low"]
    assert table["customers"].tolist() == [2, 3]
    assert table["value"].tolist() == [16.0, 4.0] and table["value"].dtype == float
    assert table["customer_share"].tolist() == [0.4, 0.6] and table["value_share"].tolist() == [0.8, 0.2]
    assert table["mean_value"].tolist() == [8.0, 4.0 / 3]
    # a plain list of labels is summarised in sorted label order
    plain = value.tier_summary(np.array([1.0, 2.0, 4.0]), ["b", "a", "b"])
    assert list(plain.index) == ["a", "b"] and plain["value"].tolist() == [2.0, 5.0]


def test_tier_profile_means_per_tier_without_empty_tiers() -> None:
    tier = pd.Categorical(["top", "rest", "rest", "top"], categories=["top", "middle", "rest"], ordered=True)
    predictions = pd.DataFrame({"tier": tier, "clv": [100.0, 10.0, 20.0, 60.0], "p_alive": [0.9, 0.2, 0.4, 0.7],
                                "predicted_purchases": [4.0, 1.0, 2.0, 3.0], "expected_spend": [25.0, 10.0, 10.0, 20.0]})
    profile = value.tier_profile(predictions)
    assert list(profile.index) == ["top", "rest"]
    assert profile["mean_clv"].tolist() == [80.0, 15.0]
    assert profile["mean_p_alive"].tolist() == pytest.approx([0.8, 0.3])
    assert profile["mean_purchases"].tolist() == [3.5, 1.5]
    assert profile["mean_spend"].tolist() == [22.5, 10.0]
    assert profile["value_share"].tolist() == pytest.approx([160 / 190, 30 / 190])


@pytest.mark.parametrize("margin", [0.0, -0.2, 1.5, 35.0])
def test_margin_is_a_fraction_of_revenue(margin: float) -> None:
    from segkit.clv._common import _check_margin

    with pytest.raises(DataError, match=f"^margin is a fraction of revenue in \\(0, 1\\]; got {margin}\\. "
                                        "For 35% pass 0.35\\.$"):
        _check_margin(margin)
    _check_margin(1.0)  # all of the revenue is a margin, if an odd one


def test_historical_report_of_one_customer_exactly_a_window_old() -> None:
    """Tenure of exactly 365 days is old enough for a 365-day window; that customer has lapsed, churn 1,
    a lifetime of one year, and the sentence uses it."""
    one = pd.DataFrame({"avg_order_value": [40.0], "n_orders": [3], "tenure_days": [365],
                        "days_since_last_purchase": [365], "revenue": [120.0]})
    report = value.historical_clv_report(one)
    assert report.table is not None and report.table["lifetime_years"].tolist() == [1.0]
    assert report.table["historical_clv"].iloc[0] == pytest.approx(40.0 * 3 * 365.25 / 365)


@pytest.mark.parametrize("top_share, max_p_alive", [(1.5, 0.5), (0.0, 0.5), (0.2, 1.5), (0.2, 0.0)])
def test_win_back_shares_are_fractions(top_share: float, max_p_alive: float) -> None:
    predictions = pd.DataFrame({"revenue": [10.0, 20.0], "p_alive": [0.2, 0.9]})
    with pytest.raises(DataError, match=f"^top_share and max_p_alive must be in \\(0, 1\\]; got {top_share}, "
                                        f"{max_p_alive}\\.$"):
        value.win_back_list(predictions, top_share=top_share, max_p_alive=max_p_alive)


def test_win_back_list_keeps_table_order_among_equal_values() -> None:
    """Sixty customers slipping away with three revenue levels: largest first, ties in table order."""
    revenue = np.tile([50.0, 80.0, 50.0, 20.0, 80.0, 50.0], 10)
    predictions = pd.DataFrame({"revenue": revenue, "p_alive": 0.1}, index=[f"c{i:02d}" for i in range(60)])
    chosen = value.win_back_list(predictions, top_share=1.0)
    expected = sorted(range(60), key=lambda i: (-revenue[i], i))
    assert chosen.index.tolist() == [f"c{i:02d}" for i in expected]
