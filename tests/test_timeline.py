"""segkit.timeline against independent computations: naive loops over small hand-made order lines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from segkit import data
from segkit.errors import DataError
from segkit.timeline import (
    cohort_retention,
    cycle_by_segment,
    purchase_cycle,
    retention_trend,
    seasonal_peaks,
    seasonality,
)
from segkit.timeline import text


def lines_from(rows) -> pd.DataFrame:
    """(customer, order, 'YYYY-MM-DD[ HH:MM]', amount) rows as clean lines; a negative amount is a return."""
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"], format="ISO8601")
    frame["quantity"] = np.sign(frame["amount"]).replace(0, 1)
    frame["is_return"] = frame["amount"] < 0
    return frame


def random_lines(seed: int, n_customers: int = 40, n_lines: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    customers = rng.integers(0, n_customers, n_lines)
    start = pd.Timestamp("2023-11-20")
    days = rng.integers(0, 500, n_lines)
    rows = [(f"c{c:03d}", f"o{i}", start + pd.Timedelta(days=int(d), hours=int(rng.integers(0, 24))),
             float(rng.choice([-5.0, 10.0, 20.0, 0.0], p=[0.1, 0.5, 0.3, 0.1]))) for i, (c, d) in
            enumerate(zip(customers, days))]
    frame = lines_from([(c, o, str(t), a) for c, o, t, a in rows])
    # a return is never the customer's first line
    first = frame.groupby("customer_id")["order_date"].transform("min")
    return frame.loc[~(frame["is_return"] & (frame["order_date"] == first))].reset_index(drop=True)


# --- cohort retention -----------------------------------------------------------------------------------


def naive_retention(lines: pd.DataFrame, snapshot: pd.Timestamp) -> dict:
    """Loop over customers and months: {(cohort 'YYYY-MM', k): (size, active, revenue)}."""
    lines = lines[lines["order_date"] < snapshot]
    month = lambda t: t.year * 12 + t.month - 1  # noqa: E731
    cohort = {}
    for _, row in lines.iterrows():
        if not row["is_return"]:
            c = cohort.get(row["customer_id"])
            cohort[row["customer_id"]] = month(row["order_date"]) if c is None else min(c, month(row["order_date"]))
    last = month(snapshot - pd.Timedelta(days=1))
    out = {}
    for c in sorted(set(cohort.values())):
        members = [cust for cust, m in cohort.items() if m == c]
        for k in range(last - c + 1):
            active, revenue = set(), 0.0
            for _, row in lines.iterrows():
                if row["customer_id"] in members and month(row["order_date"]) - c == k:
                    revenue += row["amount"]
                    if not row["is_return"]:
                        active.add(row["customer_id"])
            out[(f"{c // 12}-{c % 12 + 1:02d}", k)] = (len(members), len(active), revenue)
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_retention_matrix_equals_a_naive_loop(seed):
    lines = random_lines(seed)
    snapshot = pd.Timestamp("2025-02-14")
    table = cohort_retention(lines, snapshot_date=snapshot)
    expected = naive_retention(lines, snapshot)
    got = {(r.cohort, r.period_index): (r.cohort_size, r.customers_active, r.revenue) for r in table.itertuples()}
    assert got.keys() == expected.keys()
    for key, (size, active, revenue) in expected.items():
        assert got[key][:2] == (size, active), key
        assert got[key][2] == pytest.approx(revenue, abs=1e-6), key
    share = table["customers_active"] / table["cohort_size"]
    assert np.allclose(table["share_active"], share)
    assert (table.loc[table["period_index"] == 0, "share_active"] == 1).all()


def test_cohort_revenue_per_customer_and_its_running_total():
    lines = lines_from([("a", "1", "2024-01-03", 10.0), ("b", "2", "2024-01-20", 30.0), ("a", "3", "2024-02-01", 6.0),
                        ("b", "4", "2024-03-09", -4.0), ("b", "5", "2024-03-10", 2.0)])
    table = cohort_retention(lines, snapshot_date="2024-04-01")
    assert table["revenue_per_customer"].tolist() == [20.0, 3.0, -1.0]
    assert table["cumulative_revenue_per_customer"].tolist() == [20.0, 23.0, 22.0]
    assert table["customers_active"].tolist() == [2, 1, 1]


def test_customers_with_only_returns_have_no_cohort_and_returns_are_dated_when_they_happen():
    lines = lines_from([("a", "1", "2024-01-03", 10.0), ("z", "9", "2024-01-04", -3.0),
                        ("a", "2", "2024-03-05", -2.0)])
    table = cohort_retention(lines, snapshot_date="2024-04-01")
    assert table["cohort_size"].unique().tolist() == [1]
    assert table["revenue"].tolist() == [10.0, 0.0, -2.0]
    assert table["customers_active"].tolist() == [1, 0, 0]  # a return is not activity


def test_quarters_and_the_incomplete_last_period():
    lines = lines_from([("a", "1", "2024-02-03", 1.0), ("b", "2", "2024-05-01", 1.0), ("a", "3", "2024-06-30", 1.0),
                        ("a", "4", "2024-08-02", 1.0)])
    table = cohort_retention(lines, period="quarter")  # snapshot 2024-08-03, in Q3
    assert table["cohort"].tolist() == ["2024Q1", "2024Q1", "2024Q1", "2024Q2", "2024Q2"]
    assert table["period_index"].tolist() == [0, 1, 2, 0, 1]
    assert table["customers_active"].tolist() == [1, 1, 1, 1, 0]
    assert table["complete"].tolist() == [True, True, False, True, False]
    assert table["cohort_start"].dt.strftime("%Y-%m-%d").tolist()[::3] == ["2024-01-01", "2024-04-01"]


def test_a_month_without_new_customers_has_no_cohort_and_lines_after_the_snapshot_do_not_count():
    lines = lines_from([("a", "1", "2024-01-03", 1.0), ("b", "2", "2024-03-05", 1.0), ("c", "3", "2024-05-05", 1.0)])
    table = cohort_retention(lines, snapshot_date="2024-04-15")
    assert table["cohort"].unique().tolist() == ["2024-01", "2024-03"]


def test_retention_trend_by_hand():
    table = pd.DataFrame({
        "cohort": ["c1", "c2", "c3", "c4", "c5", "c5"],
        "period_index": [3, 3, 3, 3, 3, 6],
        "cohort_size": [10, 30, 50, 20, 40, 40],
        "customers_active": [5, 6, 40, 2, 4, 1],
        "complete": [True, True, True, True, False, False],
    })
    trend = retention_trend(table, horizons=[3, 6])
    row = trend.loc[3]
    assert (row["cohorts"], row["first_cohort"], row["last_cohort"]) == (4, "c1", "c4")  # c5 is incomplete
    assert row["first_share"] == 0.5 and row["last_share"] == 0.1
    assert row["older_share"] == pytest.approx(11 / 40) and row["newer_share"] == pytest.approx(42 / 70)
    assert trend.loc[6, "cohorts"] == 0 and math.isnan(trend.loc[6, "difference"])


def test_retention_words_name_the_direction_and_too_short_data():
    trend = pd.DataFrame({"cohorts": [8, 1], "first_cohort": ["2024-01", "2024-01"], "first_share": [0.40, 0.3],
                          "last_cohort": ["2024-08", ""], "last_share": [0.25, np.nan], "older_share": [0.38, np.nan],
                          "newer_share": [0.30, np.nan], "difference": [-0.08, np.nan]}, index=pd.Index([3, 6]))
    first, second = text.cohort_words(trend)
    assert "40% of the first cohort (2024-01)" in first and "25% of the newest cohort" in first
    assert "Newer cohorts retain worse than older ones: 30% for the newer half against 38% for the older half, " \
           "8 points apart" in first
    assert second.startswith("6 months after their first purchase: only one cohort has been observed that long")


# --- purchase cycle -------------------------------------------------------------------------------------


def test_purchase_gaps_and_overdue_ratio_by_hand():
    lines = lines_from([
        ("a", "1", "2024-01-01 09:00", 5.0), ("a", "2", "2024-01-01 17:00", 5.0),  # two orders, one purchase day
        ("a", "3", "2024-01-05", 5.0), ("a", "4", "2024-01-15", 5.0), ("a", "5", "2024-01-17", 5.0),
        ("a", "6", "2024-01-20", -5.0),  # a return is no purchase day
        ("b", "7", "2024-01-10", 8.0), ("b", "8", "2024-02-09", 8.0),
        ("c", "9", "2024-02-01", 1.0),
    ])
    cycle = purchase_cycle(lines, snapshot_date="2024-03-01")
    # a: purchase days Jan 1, 5, 15, 17 -> gaps 4, 10, 2 -> median 4; silent since Jan 17 = 44 days
    assert cycle.loc["a"].to_dict() == {"n_orders": 5, "purchase_days": 4, "median_gap_days": 4.0,
                                        "days_since_last_purchase": 44, "overdue_ratio": 11.0, "overdue": True}
    # b: one gap of 30 days, silent 21 days -> 0.7, not overdue
    assert cycle.loc["b", "median_gap_days"] == 30 and cycle.loc["b", "overdue_ratio"] == pytest.approx(0.7)
    assert not cycle.loc["b", "overdue"]
    assert math.isnan(cycle.loc["c", "median_gap_days"]) and not cycle.loc["c", "overdue"]


def test_overdue_multiple_is_a_strict_threshold():
    lines = lines_from([("a", "1", "2024-01-01", 1.0), ("a", "2", "2024-01-11", 1.0)])
    at_two = purchase_cycle(lines, snapshot_date="2024-01-31")  # 20 days silent, gap 10: ratio exactly 2
    assert at_two.loc["a", "overdue_ratio"] == 2.0 and not at_two.loc["a", "overdue"]
    assert purchase_cycle(lines, snapshot_date="2024-01-31", overdue_multiple=1.5).loc["a", "overdue"]


def test_cycle_agrees_with_the_customer_table():
    lines = random_lines(3)
    snapshot = pd.Timestamp("2025-01-01")
    cycle = purchase_cycle(lines, snapshot_date=snapshot)
    customers = data.customer_table(lines, snapshot_date=snapshot)
    assert cycle.index.tolist() == customers.index.tolist()
    assert cycle["n_orders"].tolist() == customers["n_orders"].tolist()
    assert cycle["days_since_last_purchase"].tolist() == customers["days_since_last_purchase"].tolist()
    assert (cycle["purchase_days"] - 1).tolist() == customers["frequency"].tolist()


def test_median_gap_against_a_naive_loop():
    lines = random_lines(5)
    cycle = purchase_cycle(lines)
    for customer, rows in lines[~lines["is_return"]].groupby("customer_id"):
        days = sorted(set(rows["order_date"].dt.normalize()))
        gaps = [(b - a).days for a, b in zip(days, days[1:])]
        expected = float(np.median(gaps)) if gaps else float("nan")
        assert cycle.loc[customer, "median_gap_days"] == pytest.approx(expected, nan_ok=True)


def test_cycle_by_segment_quartiles_and_shares_by_hand():
    cycle = pd.DataFrame({"median_gap_days": [10.0, 20.0, 30.0, 40.0, np.nan, 7.0],
                          "overdue": [True, False, True, False, False, False]}, index=list("abcdef"))
    segments = pd.Series(pd.Categorical(["Y", "Y", "X", "X", "X", "X"], categories=["Y", "X", "Empty"]),
                         index=list("fedcba"))  # index order differs from the cycle's
    table = cycle_by_segment(cycle, segments)
    assert table.index.tolist() == ["Y", "X", "all customers"]  # category order, empty category left out
    x = table.loc["X"]
    assert (x["customers"], x["repeat_customers"], x["overdue"]) == (4, 4, 2)
    assert (x["gap_q1"], x["gap_median"], x["gap_q3"]) == (17.5, 25.0, 32.5)
    assert table.loc["Y", "repeat_customers"] == 1 and table.loc["Y", "overdue_share"] == 0
    assert table.loc["all customers", "overdue_share"] == pytest.approx(2 / 5)


def test_cycle_words_in_full():
    by_segment = pd.DataFrame({"customers": [100, 50, 30, 180], "repeat_customers": [80, 25, 10, 115],
                               "gap_q1": [10.0, 20.0, 5.0, 12.0], "gap_median": [20.0, 40.0, 9.0, 25.0],
                               "gap_q3": [40.0, 80.0, 15.0, 50.0], "overdue": [20, 15, 9, 44],
                               "overdue_share": [0.25, 0.6, 0.9, 44 / 115]},
                              index=["Champions", "At Risk", "Tiny", "all customers"])
    assert text.cycle_words(by_segment) == (
        "Of 180 customers, 115 bought on two days or more. Their typical gap between purchases is 25 days "
        "(a quarter buy within 12 days, a quarter wait more than 50). **38% of them (44) are overdue: silent for "
        "more than 2× their own typical gap.** Most overdue: At Risk (60%), Champions (25%); least: Champions (25%).")


# --- seasonality ----------------------------------------------------------------------------------------


def test_weekday_index_by_hand_with_unequal_weekdays():
    # 2024-01-01 is a Monday; the range Jan 1..Jan 10 holds two Mondays, Tuesdays and Wednesdays, one of the rest
    lines = lines_from([("a", "1", "2024-01-01", 5.0), ("a", "1", "2024-01-01", 5.0), ("b", "2", "2024-01-08", 3.0),
                        ("c", "3", "2024-01-05", 4.0), ("c", "4", "2024-01-06", -1.0)])
    table = seasonality(lines, snapshot_date="2024-01-11").query("unit == 'weekday'").set_index("label")
    assert table["exposure_days"].tolist() == [2, 2, 2, 1, 1, 1, 1]
    assert table.loc["Mon", "orders"] == 2 and table.loc["Mon", "revenue"] == 13.0  # one order of two lines
    assert table.loc["Sat", "orders"] == 0  # the return is no order
    # Monday: 2 orders over 2 days against 3 orders over 10 days
    assert table.loc["Mon", "index"] == pytest.approx((2 / 2) / (3 / 10))
    assert table.loc["Fri", "index"] == pytest.approx((1 / 1) / (3 / 10))
    assert "hour" not in set(seasonality(lines)["unit"])  # dates without times have no hour rows


def test_seasonality_per_segment_and_a_planted_weekday():
    rng = np.random.default_rng(7)
    days = pd.date_range("2024-01-01", "2024-12-31")
    rows = []
    for i in range(3000):
        day = days[rng.integers(len(days))]
        if rng.random() < 0.3:  # push 30% of orders onto the next Saturday
            day = day + pd.Timedelta(days=(5 - day.day_of_week) % 7)
        rows.append((f"c{i % 300}", f"o{i}", f"{day:%Y-%m-%d} {rng.integers(9, 18)}:00", 10.0))
    lines = lines_from(rows).query("order_date < '2025-01-01'")
    segments = pd.Series(np.where(np.arange(300) < 100, "first", "rest"), index=[f"c{i}" for i in range(300)])
    table = seasonality(lines, segments=segments)
    assert table["group"].drop_duplicates().tolist() == ["all customers", "first", "rest"]
    assert set(table["unit"]) == {"weekday", "hour", "month"}
    per_group = table.query("unit == 'weekday'").groupby("group")["orders"].sum()
    assert per_group["all customers"] == per_group["first"] + per_group["rest"] == len(lines)
    peaks = seasonal_peaks(table).set_index(["group", "unit"])
    assert peaks.loc[("all customers", "weekday"), "peak"] == "Sat"
    assert peaks.loc[("all customers", "weekday"), "p_value"] < 1e-6
    assert peaks.loc[("all customers", "month"), "p_value"] > 0.001  # no planted month pattern
    words = text.season_words(seasonal_peaks(table))
    assert words[0].startswith("By day of the week: a clear pattern, busiest Sat")


def test_a_growing_shop_is_not_a_season():
    # orders per day grow linearly over two years, evenly over the months: the trend must not look seasonal
    days = pd.date_range("2024-01-01", "2025-12-31")
    counts = np.round(np.linspace(2, 12, len(days))).astype(int)
    rows = [(f"c{i}", f"{d:%Y%m%d}-{i}", f"{d:%Y-%m-%d}", 1.0) for d, n in zip(days, counts) for i in range(n)]
    peaks = seasonal_peaks(seasonality(lines_from(rows))).set_index("unit")
    assert abs(peaks.loc["month", "peak_index"] - 1) < 0.05 and abs(1 - peaks.loc["month", "low_index"]) < 0.05


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, match", [
    (lambda l: cohort_retention(l, period="week"), r"period='week' is not a cohort period; use 'month' or 'quarter'"),
    (lambda l: cohort_retention(l.drop(columns="order_id")), r"lack column\(s\) \['order_id'\].*load_clean"),
    (lambda l: cohort_retention(l.assign(order_date=l["order_date"].astype(str))), r"column 'order_date' holds \w+ values, not dates \(e.g. \['2024-01-03', '2024-02-03'\]\)"),
    (lambda l: cohort_retention(l.assign(customer_id=None)), r"2 line\(s\) have no customer_id"),
    (lambda l: purchase_cycle(l, snapshot_date="2023-01-01"), r"snapshot_date 2023-01-01 is on or before"),
    (lambda l: purchase_cycle(l, overdue_multiple=0), r"overdue_multiple=0 must be a positive number"),
    (lambda l: purchase_cycle("orders.csv"), r"got str; pass the clean lines of segkit.data.load_clean"),
    (lambda l: retention_trend(cohort_retention(l), horizons=[0]), r"horizons=\[0\] must be whole numbers"),
    (lambda l: cycle_by_segment(purchase_cycle(l), pd.Series(["x"], index=["a"])), r"1 customers of the cycle table "
     r"have no segment \(e.g. \['b'\]\)"),
    (lambda l: seasonality(l, segments=["x"]), r"segments must be a Series"),
])
def test_bad_input_names_the_problem_and_the_fix(call, match):
    lines = lines_from([("a", "1", "2024-01-03", 1.0), ("b", "2", "2024-02-03", 1.0)])
    with pytest.raises(DataError, match=match):
        call(lines)


def test_only_returns_before_the_snapshot_is_refused():
    lines = lines_from([("a", "1", "2024-01-03", -1.0), ("a", "2", "2024-02-03", 1.0)])
    with pytest.raises(DataError, match=r"no purchase is dated before the snapshot 2024-01-10: every line before it "
                                        r"is a return. Choose a later snapshot_date"):
        cohort_retention(lines, snapshot_date="2024-01-10")
