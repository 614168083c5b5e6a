"""The default generator's planted effects are recoverable from its export by computations of their own.

Everything here reads the raw export the way an analyst with pandas would (exact duplicates dropped,
purchase lines only: positive quantity and price, a real customer, no cancellation) and compares what it
finds with the truth :mod:`segkit.datasets` writes beside the data. None of segkit's analysis code is used,
so a bug in the generator and the same bug in an analysis cannot hide each other. Tolerances are a few
standard errors of the estimate (or stated fractions of a planted factor), so each check can fail.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from segkit import datasets
from segkit.datasets import affinity_truth, expected_category_share, generate_transactions, planted_truth
from segkit.paths import DEFAULT_GROUND_TRUTH, RAW_DIR

END = pd.Timestamp("2026-01-01")
DAYS = pd.date_range(datasets.START, END - pd.Timedelta(days=1), freq="D")
LAPSE_START = pd.Timestamp(datasets.LAPSES["start"])


@pytest.fixture(scope="module")
def default():
    """The default data set (5,000 customers, seed 2024): the purchase lines, orders and the truth."""
    raw, truth = generate_transactions(n_customers=5000, seed=2024)
    return raw, truth, *_purchases(raw, truth)


def _purchases(raw: pd.DataFrame, truth: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = raw.drop_duplicates()
    groups = truth.set_index("customer_id")["group"]
    keep = (raw["Quantity"] > 0) & (raw["Price"] > 0) & ~raw["Invoice"].str.startswith("C") & raw[
        "Customer ID"].isin(groups.index)
    lines = raw.loc[keep].assign(time=lambda f: pd.to_datetime(f["InvoiceDate"], format="%Y-%m-%d %H:%M"))
    lines["group"] = lines["Customer ID"].map(groups).to_numpy()
    orders = lines.groupby("Invoice").agg(customer=("Customer ID", "first"), group=("group", "first"),
                                          time=("time", "first"), channel=("Channel", "first"))
    return lines, orders


def _group_names() -> list[str]:
    return [g.name for g in datasets.GROUPS]


def test_the_shipped_data_are_the_generator_s_output(default):
    """The checks below run on a fresh generation; the shipped files must be that same data."""
    _, truth, _, _ = default
    shipped = pd.read_csv(DEFAULT_GROUND_TRUTH, dtype={"customer_id": str})
    assert shipped["customer_id"].tolist() == truth["customer_id"].tolist()
    assert shipped["planted_lapse"].tolist() == truth["planted_lapse"].tolist()
    assert shipped["n_orders_true"].tolist() == truth["n_orders_true"].tolist()
    pd.testing.assert_frame_equal(pd.read_csv(RAW_DIR / "affinity_truth.csv"), affinity_truth(seed=2024))
    params = json.loads((RAW_DIR / "generator_params.json").read_text())
    assert {k: params[k] for k in planted_truth()} == json.loads(json.dumps(planted_truth()))


def test_write_default_data_writes_the_truth_files(tmp_path):
    summary = datasets.write_default_data(n_customers=300, seed=5, target=tmp_path)
    truth = pd.read_csv(tmp_path / "ground_truth.csv")
    affinity = pd.read_csv(tmp_path / "affinity_truth.csv")
    params = json.loads((tmp_path / "generator_params.json").read_text())
    assert summary["planted_lapses"] == int(truth["planted_lapse"].sum())
    assert affinity.columns.tolist() == ["group", "level", "antecedent", "consequent", "planted_lift_hint"]
    assert set(affinity["level"]) == {"product", "category"}
    assert {"cohort_effect", "seasonality", "lapses", "categories", "channels"} <= set(params)
    assert [params["channels"][g]["preferred_channel"] for g in _group_names()] == \
        datasets.group_parameters()["preferred_channel"].tolist()
    again = tmp_path / "again"
    datasets.write_default_data(n_customers=300, seed=5, target=again)
    for name in ("transactions.csv.gz", "ground_truth.csv", "affinity_truth.csv", "generator_params.json"):
        assert (tmp_path / name).read_bytes() == (again / name).read_bytes()


# --- cohort retention ------------------------------------------------------------------------


def test_newer_cohorts_come_back_less_by_the_planted_factor(default):
    """Share of each group's customers who buy again within 180 days: 2025H1 cohorts against 2024H1's.

    The planted factor multiplies every later period's retention by (1 − 0.06 q) for acquisition quarter q, so
    the newer/older ratio is expected to be the mean factor of the newer customers over the older's (about
    0.75). Groups acquired throughout (steady mid-value, bargain hunters), about 300 customers per half each.
    """
    _, truth, _, orders = default
    first = orders.groupby("customer")["time"].min().dt.normalize()
    day = orders["time"].dt.normalize()
    since = (day - orders["customer"].map(first)).dt.days
    repeat = set(orders.loc[(since > 0) & (since <= 180), "customer"])
    quarter = (first.dt.year - 2024) * 4 + (first.dt.month - 1) // 3
    table = pd.DataFrame({"quarter": quarter, "repeat": first.index.isin(list(repeat)),
                          "group": truth.set_index("customer_id")["group"].reindex(first.index)})
    multiplier = pd.Series(planted_truth()["cohort_effect"]["retention_multiplier"]).to_numpy()
    ratios, expected = [], []
    for group in ("steady mid-value", "bargain hunters"):
        older = table.loc[(table["group"] == group) & table["quarter"].isin([0, 1])]
        newer = table.loc[(table["group"] == group) & table["quarter"].isin([4, 5])]
        ratios.append(newer["repeat"].mean() / older["repeat"].mean())
        expected.append(multiplier[newer["quarter"]].mean() / multiplier[older["quarter"]].mean())
        assert ratios[-1] < 0.9  # newer cohorts retain worse in each group
    assert np.mean(ratios) == pytest.approx(np.mean(expected), abs=0.08)


def test_first_purchase_dropout_is_the_planted_quarterly_factor(default):
    _, truth, _, _ = default
    quarter = (pd.to_datetime(truth["acquisition_date"]).dt.year - 2024) * 4 + (
        pd.to_datetime(truth["acquisition_date"]).dt.month - 1) // 3
    factor = planted_truth()["cohort_effect"]["first_purchase_dropout_per_quarter"]
    np.testing.assert_allclose(truth["first_purchase_dropout"], quarter * factor, atol=1e-9)


# --- seasonality -----------------------------------------------------------------------------


def _within_standard_errors(found: np.ndarray, planted: np.ndarray, counts: np.ndarray, z: float = 4.0) -> None:
    """``found`` (an index or a share estimated from ``counts`` events per level) is within z standard errors."""
    se = np.maximum(found, planted) / np.sqrt(np.maximum(counts, 1))
    assert (np.abs(found - planted) <= z * se).all(), (found.round(3), planted.round(3))


@pytest.mark.parametrize("group", _group_names())
def test_weekday_profile_is_the_planted_one(default, group):
    """Orders per day of each weekday over orders per day, per group, against the planted weights (mean 1)."""
    _, _, _, orders = default
    mine = orders.loc[orders["group"] == group, "time"]
    weekdays_in_range = np.bincount(DAYS.day_of_week, minlength=7)
    counts = np.bincount(mine.dt.day_of_week, minlength=7)
    found = counts / weekdays_in_range / (len(mine) / len(DAYS))
    planted = np.array(list(planted_truth()["seasonality"][group]["weekday"].values()))
    _within_standard_errors(found, planted, counts)


@pytest.mark.parametrize("group", _group_names())
def test_hour_profile_is_the_planted_one(default, group):
    _, _, _, orders = default
    hours = orders.loc[orders["group"] == group, "time"].dt.hour
    counts = np.bincount(hours, minlength=24)
    planted = np.array(list(planted_truth()["seasonality"][group]["hour_share"].values()))
    assert counts[planted == 0].sum() == 0
    _within_standard_errors(counts / counts.sum(), planted, counts)


@pytest.mark.parametrize("group", _group_names())
def test_month_profile_is_the_planted_one(default, group):
    """Repeat purchases per month over each customer's true rate × days exposed, against the planted weights.

    A customer is exposed from the day after the first purchase to the end of the data if alive then, else to
    the last purchase (BG/NBD drops out right after a purchase); the true rate comes from the ground truth, so
    that the customer base's growth and churn do not pass for a season.
    """
    _, truth, _, orders = default
    customers = truth.set_index("customer_id").loc[lambda t: t["group"] == group]
    mine = orders.loc[orders["customer"].isin(customers.index)]
    first, last = (mine.groupby("customer")["time"].min().dt.normalize(),
                   mine.groupby("customer")["time"].max().dt.normalize())
    repeat = mine.loc[mine["time"].dt.normalize() > mine["customer"].map(first), "time"]
    start = (first - DAYS[0]).dt.days.to_numpy() + 1
    alive = customers["alive_at_end"].reindex(first.index).to_numpy(bool)
    stop = np.where(alive, len(DAYS), (last - DAYS[0]).dt.days.to_numpy() + 1)
    rate = customers["purchase_rate_per_day"].reindex(first.index).to_numpy()
    step = np.zeros(len(DAYS) + 2)
    np.add.at(step, start, rate)
    np.add.at(step, stop, -rate)
    exposure = np.bincount(DAYS.month - 1, weights=np.cumsum(step)[: len(DAYS)], minlength=12)
    counts = np.bincount(repeat.dt.month - 1, minlength=12)
    found = counts / exposure
    found /= found.mean()
    planted = np.array(list(planted_truth()["seasonality"][group]["month"].values()))
    _within_standard_errors(found, planted, counts)


def test_one_off_buyers_are_acquired_in_their_season(default):
    """One-off buyers rarely buy twice: their season shows in first purchases (acquired over the whole data)."""
    _, _, _, orders = default
    first = orders.loc[orders["group"] == "one-off buyers"].groupby("customer")["time"].min()
    counts = np.bincount(first.dt.month - 1, minlength=12)
    found = counts / np.bincount(DAYS.month - 1, minlength=12)
    found /= found.mean()
    planted = np.array(list(planted_truth()["seasonality"]["one-off buyers"]["month"].values()))
    _within_standard_errors(found, planted, counts)
    assert found.argmax() == 11 and found[10] > 2  # December and November are the gift buyers' season


# --- last-quarter lapses ---------------------------------------------------------------------


def test_planted_lapses_stop_buying_in_the_last_quarter_after_buying_regularly(default):
    _, truth, _, orders = default
    lapses = truth.loc[truth["planted_lapse"], "customer_id"]
    assert len(lapses) == round(datasets.LAPSES["share"] * len(truth))
    mine = orders.loc[orders["customer"].isin(lapses)]
    assert (mine["time"] < LAPSE_START).all()
    per = mine.groupby("customer")["time"].agg(["size", "min", "max"])
    assert (per["size"] >= datasets.LAPSES["min_orders"]).all()
    assert (per["max"] >= LAPSE_START - pd.Timedelta(days=datasets.LAPSES["recent_days"])).all()
    days = pd.DataFrame({"customer": mine["customer"], "day": mine["time"].dt.normalize()}).drop_duplicates()
    days = days.sort_values(["customer", "day"])
    median_gap = days.groupby("customer")["day"].diff().dt.days.groupby(days["customer"]).median()
    # regular: at the end they are silent for more than twice their typical gap, and were not before the quarter
    silent_end = (END - per["max"].dt.normalize()).dt.days
    silent_before = (LAPSE_START - per["max"].dt.normalize()).dt.days
    assert (silent_end > 2 * median_gap).mean() >= 0.95
    assert (silent_before <= 2 * median_gap).mean() >= 0.8
    assert not truth.loc[truth["planted_lapse"], "alive_at_end"].any()


def test_planted_lapses_were_valuable(default):
    """Their revenue in the year before the lapse is in the top quarter of customers who bought in that year."""
    _, truth, lines, _ = default
    year = lines.loc[(lines["time"] >= LAPSE_START - pd.Timedelta(days=365)) & (lines["time"] < LAPSE_START)]
    revenue = (year["Quantity"] * year["Price"]).groupby(year["Customer ID"]).sum()
    lapses = truth.loc[truth["planted_lapse"], "customer_id"]
    assert (revenue.reindex(lapses) >= revenue.quantile(0.75)).mean() >= 0.9


def test_lapse_candidates_are_all_taken_when_there_are_few(default):
    raw, truth = generate_transactions(n_customers=200, seed=9)
    assert truth["planted_lapse"].sum() <= round(datasets.LAPSES["share"] * 200)
    _, orders = _purchases(raw, truth)
    lapsed = orders["customer"].isin(truth.loc[truth["planted_lapse"], "customer_id"])
    assert (orders.loc[lapsed, "time"] < LAPSE_START).all()


# --- what each group buys --------------------------------------------------------------------


def _baskets(lines: pd.DataFrame, column: str) -> tuple[sparse.csr_matrix, pd.Index, pd.Series]:
    """Orders × items presence matrix, the items, and each order's group."""
    order = pd.Categorical(lines["Invoice"])
    item = pd.Categorical(lines[column])
    matrix = sparse.csr_matrix((np.ones(len(lines)), (order.codes, item.codes)),
                               shape=(len(order.categories), len(item.categories)))
    matrix.data[:] = 1.0  # presence, not the number of lines
    groups = lines.groupby("Invoice")["group"].first().reindex(order.categories)
    return matrix, pd.Index(item.categories), groups


def _lift(matrix: sparse.csr_matrix, rows: np.ndarray, a: int, b: int) -> tuple[float, int]:
    sub = matrix[rows]
    col_a, col_b = sub[:, a].toarray().ravel() > 0, sub[:, b].toarray().ravel() > 0
    both = int((col_a & col_b).sum())
    return both / len(col_a) / (col_a.mean() * col_b.mean()), both


def test_the_planted_product_pair_is_its_group_s_strongest_and_nobody_else_s(default):
    _, _, lines, _ = default
    planted = affinity_truth(seed=2024).query("level == 'product'").iloc[0]
    matrix, items, groups = _baskets(lines, "StockCode")
    a, b = items.get_loc(planted["antecedent"]), items.get_loc(planted["consequent"])
    inside = (groups == planted["group"]).to_numpy()
    lift, both = _lift(matrix, inside, a, b)
    assert lift == pytest.approx(planted["planted_lift_hint"], rel=0.2) and lift > 10
    # every product pair of the group bought together in at least 30 orders: the planted one has the top lift
    sub = matrix[inside]
    together = (sub.T @ sub).toarray()
    support = sub.sum(axis=0).A1 / sub.shape[0]
    lifts = together / sub.shape[0] / np.outer(support, support).clip(1e-12)
    np.fill_diagonal(lifts, 0)
    lifts[together < 30] = 0
    assert {*np.unravel_index(lifts.argmax(), lifts.shape)} == {a, b}
    # elsewhere the two products meet only by chance: a handful of orders, lift near 1 or below
    outside_lift, outside_both = _lift(matrix, ~inside, a, b)
    assert outside_both <= 5 and outside_lift < 2 and both > 200


def test_planted_category_pairs_lift_in_their_group_only(default):
    _, _, lines, _ = default
    matrix, items, groups = _baskets(lines, "Category")
    for _, pair in affinity_truth(seed=2024).query("level == 'category'").iterrows():
        a, b = items.get_loc(pair["antecedent"]), items.get_loc(pair["consequent"])
        for group in _group_names():
            lift, _ = _lift(matrix, (groups == group).to_numpy(), a, b)
            if group == pair["group"]:
                assert lift == pytest.approx(pair["planted_lift_hint"], abs=0.15) and lift > 1.3
            else:
                assert lift < 1.15, (pair["antecedent"], pair["consequent"], group, lift)


@pytest.mark.parametrize("group", _group_names())
def test_category_mix_is_the_planted_one(default, group):
    _, _, lines, _ = default
    mine = lines.loc[lines["group"] == group, "Category"]
    found = mine.value_counts(normalize=True).reindex(list(datasets.CATEGORIES), fill_value=0.0)
    planted = pd.Series(planted_truth()["categories"][group]["expected_line_share"])
    pd.testing.assert_series_equal(planted, expected_category_share(group).round(6), check_names=False)
    _within_standard_errors(found.to_numpy(), planted.reindex(found.index).to_numpy(),
                            (found * len(mine)).to_numpy())


def test_each_group_orders_mostly_through_its_preferred_channel(default):
    _, _, _, orders = default
    shares = pd.crosstab(orders["group"], orders["channel"], normalize="index")
    preferred = pd.Series({g: v["preferred_channel"] for g, v in planted_truth()["channels"].items()})
    assert (shares.idxmax(axis=1).reindex(preferred.index) == preferred).all()
    assert (shares.max(axis=1) > 0.5).all()
    assert preferred.nunique() == 3  # every channel is some group's favourite
