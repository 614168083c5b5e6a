"""Tests for segkit.cluster.features and segkit.cluster.preprocess: the feature builder and the preprocessing pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segkit.errors import DataError
from segkit.cluster import feature_label, prepare_features
from segkit.cluster.features import LRFMC_FEATURES, RFM_FEATURES, CustomerFeatures
from segkit.cluster.features import customer_features as _customer_features
from segkit.cluster.preprocess import QuantileClipper, make_preprocessor, validate_features
from segkit.cluster.text import _revenue_skew


def customer_features(*args, **kwargs) -> pd.DataFrame:
    """The feature table of :func:`segkit.cluster.features.customer_features`."""
    return _customer_features(*args, **kwargs).table


@pytest.fixture
def customers() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 200
    n_orders = rng.integers(1, 40, n)
    revenue = rng.lognormal(5, 1.2, n)
    frame = pd.DataFrame(
        {
            "days_since_last_purchase": rng.integers(0, 700, n),
            "n_orders": n_orders,
            "revenue": revenue,
            "avg_order_value": revenue / n_orders,
            "tenure_days": rng.integers(0, 700, n),
            "frequency": n_orders - 1,
        },
        index=pd.Index([f"c{i:03d}" for i in range(n)], name="customer_id", dtype="string"),
    )
    return frame


@pytest.fixture
def clean() -> pd.DataFrame:
    """Two customers, hand-checkable: a has web+store orders and a return, b only store."""
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "b"],
            "order_id": ["o1", "o1", "o2", "r1", "o3", "o4"],
            "amount": [100.0, 100.0, 50.0, -40.0, 10.0, 30.0],
            "discount": [0.1, 0.3, 0.0, 0.5, np.nan, 0.2],
            "channel": ["web", "web", "store", "store", "store", "store"],
            "category": ["toys", "home", "home", "home", "home", "home"],
            "is_return": [False, False, False, True, False, False],
        }
    )


@pytest.fixture
def two_customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "days_since_last_purchase": [5, 60],
            "n_orders": [2, 2],
            "revenue": [210.0, 40.0],
            "avg_order_value": [105.0, 20.0],
            "tenure_days": [300, 90],
        },
        index=pd.Index(["a", "b"], name="customer_id"),
    )


def test_rfm_default(customers):
    X = customer_features(customers)
    assert list(X.columns) == RFM_FEATURES
    assert X.index.equals(customers.index)
    assert (X.dtypes == float).all()
    result = _customer_features(customers)
    assert isinstance(result, CustomerFeatures) and result.feature_set == "rfm"
    assert result.skipped == () and result.n_imputed == 0


def test_include_appends_columns(customers):
    X = customer_features(customers, include=["frequency"])
    assert list(X.columns) == [*RFM_FEATURES, "frequency"]


def test_lrfmc_average_discount_is_revenue_weighted_and_ignores_returns(two_customers, clean):
    X = customer_features(two_customers, clean, feature_set="lrfmc")
    assert list(X.columns) == LRFMC_FEATURES
    # a: (100*0.1 + 100*0.3 + 50*0) / 250 = 0.16 (the return line's 0.5 does not count)
    assert X.loc["a", "avg_discount"] == pytest.approx(0.16)
    # b: the missing discount line is skipped: 30*0.2/30
    assert X.loc["b", "avg_discount"] == pytest.approx(0.2)


def test_lrfmc_without_clean_or_discount_says_what_to_do(two_customers, clean):
    with pytest.raises(DataError, match="clean="):
        customer_features(two_customers, feature_set="lrfmc")
    with pytest.raises(DataError, match=r"\['discount'\].*feature_set='rfm'"):
        customer_features(two_customers, clean.drop(columns="discount"), feature_set="lrfmc")


def test_customer_without_discount_gets_median_and_is_counted(two_customers, clean):
    c = clean.copy()
    c.loc[c["customer_id"] == "b", "discount"] = np.nan
    result = _customer_features(two_customers, c, feature_set="lrfmc")
    assert result.table.loc["b", "avg_discount"] == pytest.approx(0.16)
    assert result.n_imputed == 1  # b, and only b
    assert _customer_features(two_customers, clean, feature_set="lrfmc").n_imputed == 0


def test_extended_shares(two_customers, clean):
    X = customer_features(two_customers, clean, feature_set="extended")
    # channel: a has 1 web + 1 store purchase order, b 2 store; the smaller level (web) is dropped
    assert "channel_share_store" in X.columns and "channel_share_web" not in X.columns
    assert X.loc["a", "channel_share_store"] == pytest.approx(0.5)
    assert X.loc["b", "channel_share_store"] == pytest.approx(1.0)
    # category: a spent 150 of 250 on home (the return is not a purchase); toys, smaller, is dropped
    share_cols = [c for c in X.columns if c.startswith("category_share_")]
    assert share_cols == ["category_share_home"]
    assert X.loc["a", "category_share_home"] == pytest.approx(0.6)
    assert X.loc["b", "category_share_home"] == 1.0
    assert _customer_features(two_customers, clean, feature_set="extended").skipped == ()
    assert not X.isna().any().any()


def test_extended_without_clean_skips_optional(customers):
    result = _customer_features(customers, feature_set="extended")
    assert {"tenure_days", "avg_order_value"} <= set(result.table.columns)
    assert result.skipped == ("avg_discount", "channel shares", "category shares")
    prepared = prepare_features(customers, feature_set="extended")
    assert prepared.skipped == result.skipped and prepared.feature_set == "extended"


def test_levels_pooled_into_other(two_customers):
    clean = pd.DataFrame(
        {
            "customer_id": ["a"] * 4 + ["b"] * 4,
            "order_id": [f"o{i}" for i in range(8)],
            "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0],
            "category": ["w", "x", "y", "z", "w", "x", "y", "z"],
            "is_return": [False] * 8,
        }
    )
    X = customer_features(two_customers, clean, feature_set="extended", max_levels=3)
    # the two largest (z: 120, y: 100) are kept, w and x pooled into "other", which is dropped
    assert sorted(c for c in X.columns if "category" in c) == ["category_share_y", "category_share_z"]
    assert X.loc["a", "category_share_z"] == pytest.approx(0.4)


def test_bad_inputs(customers):
    with pytest.raises(DataError, match="feature_set='nope' is unknown"):
        customer_features(customers, feature_set="nope")
    with pytest.raises(DataError, match=r"lacks column\(s\) \['revenue'\].*customer_table"):
        customer_features(customers.drop(columns="revenue"))
    with pytest.raises(DataError, match="empty"):
        customer_features(customers.iloc[:0])
    with pytest.raises(DataError, match="DataFrame"):
        customer_features(customers.to_numpy())


def test_feature_label():
    assert feature_label("days_since_last_purchase") == "days since last purchase"
    assert feature_label("category_share_home") == "share of revenue in home"


# ---------------------------------------------------------------------------------------- pipeline


def test_preprocessor_standardises_and_keeps_frame(customers):
    X = customer_features(customers, feature_set="extended")
    Z = make_preprocessor().fit_transform(X)
    assert list(Z.columns) == list(X.columns)
    assert Z.index.equals(X.index)
    np.testing.assert_allclose(Z.mean(), 0, atol=1e-9)
    np.testing.assert_allclose(Z.std(ddof=0), 1, atol=1e-9)


def test_preprocessor_logs_money_and_counts_only(customers):
    X = customer_features(customers)
    pre = make_preprocessor(clip_quantiles=None, scale=False).fit(X)
    out = pre.transform(X)
    np.testing.assert_allclose(out["revenue"], np.log1p(X["revenue"]))
    np.testing.assert_allclose(out["n_orders"], np.log1p(X["n_orders"]))
    np.testing.assert_allclose(out["days_since_last_purchase"], X["days_since_last_purchase"])
    assert pre.named_steps["log"].columns_ == ["n_orders", "revenue"]


def test_log_reduces_skew(customers):
    X = customer_features(customers)
    before = X["revenue"].skew()
    after = make_preprocessor(clip_quantiles=None).fit_transform(X)["revenue"].skew()
    assert before > 2 and abs(after) < 0.5


def test_clipping_bounds_are_learned_in_fit(customers):
    X = customer_features(customers)
    pre = make_preprocessor(scale=False, log_columns=()).fit(X)
    upper = pre.named_steps["clip"].upper_["revenue"]
    assert upper == pytest.approx(X["revenue"].quantile(0.99))
    new = X.iloc[:3].copy()
    new["revenue"] = [1e9, 5.0, X["revenue"].median()]
    out = pre.transform(new)
    assert out["revenue"].iloc[0] == pytest.approx(upper)
    assert out["revenue"].iloc[2] == pytest.approx(X["revenue"].median())


def test_clip_quantiles_validated():
    with pytest.raises(DataError, match="lower < upper"):
        QuantileClipper(lower=0.9, upper=0.1).fit(pd.DataFrame({"a": [1.0, 2.0]}))


def test_preprocessor_rejects_negative_money(customers):
    X = customer_features(customers)
    X.iloc[3, X.columns.get_loc("revenue")] = -5.0
    with pytest.raises(DataError, match=r"'revenue' has 1 negative value.*log_columns"):
        make_preprocessor().fit(X)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda X: X.assign(revenue=np.where(np.arange(len(X)) < 2, np.nan, X["revenue"])),
         r"2 missing value\(s\) in column 'revenue' \(first customer: c000\); fill them"),
        (lambda X: X.assign(n_orders=np.where(np.arange(len(X)) == 5, np.inf, X["n_orders"])),
         r"1 infinite value\(s\) in column 'n_orders'"),
        (lambda X: X.assign(days_since_last_purchase=3.0), r"\['days_since_last_purchase'\] are constant.*drop them"),
        (lambda X: X.assign(revenue=X["revenue"].astype(str)), r"non-numeric column\(s\) \['revenue'\]"),
        (lambda X: X.iloc[:1], r"1 customer\(s\) but at least 2"),
    ],
    ids=["missing", "infinite", "constant", "text", "single-customer"],
)
def test_bad_features_raise_clear_errors(customers, change, message):
    X = change(customer_features(customers))
    with pytest.raises(DataError, match=message):
        make_preprocessor().fit(X)


def test_constant_allowed_on_request(customers):
    X = customer_features(customers).assign(days_since_last_purchase=3.0)
    Z = make_preprocessor(allow_constant=True).fit_transform(X)
    assert (Z["days_since_last_purchase"] == 0).all()


def test_transform_needs_fit_columns(customers):
    X = customer_features(customers)
    pre = make_preprocessor().fit(X)
    with pytest.raises(DataError, match=r"lack column\(s\) \['revenue'\]"):
        pre.transform(X.drop(columns="revenue"))


def test_validate_features_is_data_error_and_value_error():
    with pytest.raises(ValueError, match="DataFrame") as info:
        validate_features(np.ones((3, 2)))
    assert type(info.value) is DataError  # a ValueError, and the segkit one


def test_customer_table_errors_are_the_shared_ones(customers):
    """features checks the customer table with segkit.data.check_customer_table: same message everywhere."""
    from segkit.data import check_customer_table

    with pytest.raises(DataError) as ours:
        customer_features(customers.drop(columns="revenue"))
    with pytest.raises(DataError) as shared:
        check_customer_table(customers.drop(columns="revenue"), RFM_FEATURES)
    assert str(ours.value) == str(shared.value)


def test_prepare_features_is_features_then_fitted_preprocessor(customers):
    prepared = prepare_features(customers, feature_set="extended")
    pd.testing.assert_frame_equal(prepared.raw, customer_features(customers, feature_set="extended"))
    pd.testing.assert_frame_equal(prepared.scaled, make_preprocessor().fit_transform(prepared.raw))
    pd.testing.assert_frame_equal(prepared.preprocessor.transform(prepared.raw), prepared.scaled)
    with pytest.raises(DataError, match="feature_set='nope' is unknown"):
        prepare_features(customers, feature_set="nope")


@settings(max_examples=40, deadline=None)
@given(arrays(float, (30, 3), elements=st.floats(0, 1e6, allow_nan=False)))
def test_preprocessing_is_monotone_per_column(values):
    """Log, capping and scaling never reorder customers within a feature."""
    X = pd.DataFrame(values, columns=RFM_FEATURES)
    X.iloc[0] = [0.0, 0.0, 0.0]
    X.iloc[1] = [1.0, 1.0, 1.0]  # no constant columns
    Z = make_preprocessor().fit_transform(X)
    assert np.isfinite(Z.to_numpy()).all()
    for col in X.columns:
        order = np.argsort(X[col].to_numpy(), kind="stable")
        assert np.all(np.diff(Z[col].to_numpy()[order]) >= -1e-12)


# --- words on the revenue distribution --------------------------------------------------------


def test_revenue_skew_words_for_a_large_and_a_small_customer_base():
    revenue_skew_words = _revenue_skew
    big = pd.Series(np.r_[np.full(990, 10.0), np.full(10, 1000.0)])
    text = revenue_skew_words(big)
    assert text == ("The biggest spender bought 100 times the median customer's revenue; "
                    "the top 1% of customers (10) hold 50% of it.")
    small = pd.Series([10.0, 20.0, 30.0, 40.0, 400.0])
    text = revenue_skew_words(small)
    assert "the top 1%" not in text and "the biggest customer alone holds 80% of it" in text


def test_revenue_skew_words_when_the_median_customer_has_no_revenue():
    text = _revenue_skew(pd.Series([0.0, 0.0, 0.0, 5.0, 50.0]))
    assert "inf" not in text and "nan" not in text.lower()
    assert text.startswith("At least half of the customers have no net revenue")


# --- hand-made cases for the builders and the pipeline steps (issue 10, item 6) ------------------------


def test_purchases_without_is_return_are_the_positive_lines(two_customers):
    from segkit.cluster.features import _category_shares

    clean = pd.DataFrame({"customer_id": ["a", "a", "a"], "order_id": ["1", "2", "3"], "amount": [10.0, -5.0, 30.0],
                          "category": ["toys", "toys", "home"]})
    # without is_return the purchases are the positive lines: toys 10 of 40
    assert _category_shares(clean, two_customers.index).loc["a"].tolist() == [0.75, 0.25]
    flagged = clean.assign(is_return=[0, 0, 1])  # a flag column, not bools: the home line is a return
    assert _category_shares(flagged, two_customers.index).loc["a"].tolist() == [1.0]


def test_slug_and_top_levels():
    from segkit.cluster.features import _slug, _top_levels

    assert _slug("  Web Shop!  ") == "web_shop" and _slug("***") == "missing" and _slug(None) == "none"
    values = pd.Series(["b", "a", "c", "d", "a"])
    weights = pd.Series([5.0, 1.0, 5.0, 0.5, 1.0])
    # totals a 2, b 5, c 5, d 0.5: keep the 2 heaviest (b and c tie at 5; a stable sort keeps name order)
    assert _top_levels(values, weights, 3).tolist() == ["b", "other", "c", "other", "other"]
    assert _top_levels(values, weights, 4).tolist() == values.tolist()  # 4 levels fit in 4


def test_share_columns_and_the_dropped_level(two_customers):
    from segkit.cluster.features import _channel_shares, _drop_redundant_share

    clean = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "order_id": ["1", "1", "2", "3"],
                          "amount": [1.0, 1.0, 1.0, 1.0], "channel": ["Web", "Web", "Store", None],
                          "is_return": [False] * 4})
    shares = _channel_shares(clean, two_customers.index)
    # a: order 1 (web, two lines count once) and order 2 (store); b: no known channel -> zeros
    assert shares.columns.tolist() == ["channel_share_store", "channel_share_web"]
    assert shares.loc["a"].tolist() == [0.5, 0.5] and shares.loc["b"].tolist() == [0.0, 0.0]
    single = pd.DataFrame({"channel_share_web": [1.0, 1.0]})
    assert _drop_redundant_share(single).shape == (2, 0)
    with_other = pd.DataFrame({"x_share_other": [0.9, 0.9], "x_share_a": [0.1, 0.1]})
    assert _drop_redundant_share(with_other).columns.tolist() == ["x_share_a"]


def test_extended_set_skips_what_the_clean_lines_lack(two_customers, clean):
    from segkit.cluster.features import customer_features as build

    bare = clean.drop(columns=["discount", "channel", "category"])
    assert build(two_customers, bare, feature_set="extended").skipped == (
        "avg_discount", "channel shares", "category shares")
    empty = clean.assign(discount=np.nan, channel=None)
    result = build(two_customers, empty, feature_set="extended")
    assert result.skipped == ("avg_discount", "channel shares")
    assert "category_share_home" in result.table.columns
    one_channel = clean.assign(channel="web")  # one level: its share is redundant, nothing left
    assert build(two_customers, one_channel, feature_set="extended").skipped == ("channel shares",)


def test_discount_empty_for_everyone_is_refused(two_customers, clean):
    with pytest.raises(DataError, match="'discount' column is empty for every customer"):
        customer_features(two_customers, clean.assign(discount=np.nan), feature_set="lrfmc")
    with pytest.raises(DataError, match="max_levels=1 must be at least 2"):
        customer_features(two_customers, clean, feature_set="extended", max_levels=1)


def test_index_name_defaults_to_customer_id(two_customers):
    unnamed = two_customers.rename_axis(None)
    assert customer_features(unnamed).index.name == "customer_id"
    assert customer_features(two_customers.rename_axis("id")).index.name == "id"


def test_log_transformer_explicit_columns_and_refusals():
    from segkit.cluster.preprocess import LogTransformer

    X = pd.DataFrame({"revenue": [0.0, np.e - 1], "days": [1.0, 2.0]})
    step = LogTransformer(columns=["days"]).fit(X)
    out = step.transform(X)
    assert out["revenue"].tolist() == X["revenue"].tolist()
    np.testing.assert_allclose(out["days"], np.log1p(X["days"]))
    assert step.get_feature_names_out().tolist() == ["revenue", "days"]
    assert LogTransformer().fit(X).columns_ == ["revenue"]
    with pytest.raises(DataError, match=r"log columns \['nope'\] are not in the features"):
        LogTransformer(columns=["nope"]).fit(X)
    with pytest.raises(DataError, match="'days' has 1 negative value"):
        step.transform(X.assign(days=[1.0, -1.0]))


def test_quantile_clipper_bounds_by_hand():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0]})
    step = QuantileClipper(lower=0.25, upper=0.75).fit(X)
    assert step.lower_["a"] == 1.0 and step.upper_["a"] == 3.0
    assert step.transform(X)["a"].tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert QuantileClipper(lower=0.0, upper=1.0).fit(X).transform(X)["a"].tolist() == X["a"].tolist()
    assert step.get_feature_names_out().tolist() == ["a"]
    for lower, upper in [(-0.1, 0.9), (0.1, 1.1), (0.5, 0.5)]:
        with pytest.raises(DataError, match="0 <= lower < upper <= 1"):
            QuantileClipper(lower=lower, upper=upper).fit(X)


def test_pipeline_without_capping_or_scaling(customers):
    X = customer_features(customers)
    raw = make_preprocessor(log_columns=(), clip_quantiles=None, scale=False).fit_transform(X)
    pd.testing.assert_frame_equal(raw, X)
    steps = make_preprocessor().named_steps
    assert list(steps) == ["check", "log", "clip", "scale"]
    assert (steps["clip"].lower, steps["clip"].upper) == (0.01, 0.99)
    assert make_preprocessor(scale=False).named_steps["scale"] == "passthrough"
    assert make_preprocessor().fit(X).get_feature_names_out().tolist() == RFM_FEATURES


def test_feature_check_in_transform_accepts_one_customer_and_constant_columns(customers):
    from segkit.cluster.preprocess import FeatureCheck

    X = customer_features(customers)
    check = FeatureCheck().fit(X)
    assert check.n_features_in_ == 3 and check.get_feature_names_out().tolist() == RFM_FEATURES
    one = X.iloc[:1]
    pd.testing.assert_frame_equal(check.transform(one[list(reversed(RFM_FEATURES))]), one)  # reordered back
    pd.testing.assert_frame_equal(check.fit_transform(X), X)


def test_validate_features_refusals_name_the_problem():
    good = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    assert validate_features(good, min_rows=3).equals(good)
    with pytest.raises(DataError, match="has no columns"):
        validate_features(pd.DataFrame(index=[0, 1]))
    with pytest.raises(DataError, match=r"non-numeric column\(s\) \['flag'\]"):
        validate_features(good.assign(flag=[True, False, True]))
    with pytest.raises(DataError, match=r"3 customer\(s\) but at least 4"):
        validate_features(good, min_rows=4)
    with pytest.raises(DataError, match=r"customers table has 1 infinite value\(s\) in column 'a' \(first customer: 2\)"):
        validate_features(pd.DataFrame({"a": [1.0, 2.0, np.inf]}), what="customers table")
    assert validate_features(pd.DataFrame({"a": [1.0, 1.0]}), allow_constant=True)["a"].tolist() == [1.0, 1.0]


def test_prepare_features_counts_imputed_discounts(two_customers, clean):
    customers = pd.concat([two_customers.assign(n_orders=[2, 3]),
                           two_customers.iloc[:1].rename(index={"a": "c"}).assign(n_orders=5)])
    c = pd.concat([clean, pd.DataFrame({"customer_id": ["c"], "order_id": ["o9"], "amount": [10.0],
                                        "discount": [0.5], "channel": ["web"], "category": ["toys"],
                                        "is_return": [False]})], ignore_index=True)
    c.loc[c["customer_id"] == "b", "discount"] = np.nan
    prepared = prepare_features(customers, c, feature_set="lrfmc")
    assert prepared.n_imputed == 1 and prepared.feature_set == "lrfmc" and prepared.skipped == ()
    assert prepared.raw.loc["b", "avg_discount"] == pytest.approx((0.16 + 0.5) / 2)  # the median of a and c
    no_log = prepare_features(customers, log_columns=())
    assert no_log.preprocessor.named_steps["log"].columns_ == []


# --- shares, discounts and skipped parts worked out by hand ---------------------------------------------


def test_channel_shares_count_orders_once_rank_levels_by_orders_and_pool_past_five(two_customers):
    from segkit.cluster.features import _channel_shares

    index = pd.Index(["a", "b", "c"], name="customer_id")
    # a: o1 has a web line and a store line (one order, counted under the channel with most of its
    # revenue, web), o2 is store
    mixed = pd.DataFrame({"customer_id": ["a", "a", "a"], "order_id": ["o1", "o1", "o2"], "amount": [2.0, 1.0, 1.0],
                          "channel": ["web", "store", "store"], "is_return": False})
    shares = _channel_shares(mixed, index)
    assert shares.columns.tolist() == ["channel_share_store", "channel_share_web"]
    assert shares.loc["a"].tolist() == [0.5, 0.5]  # two orders, not three lines
    # b: 16 orders over six channels (u, v least used); at most five levels by default
    channels = ["z"] * 5 + ["y"] * 4 + ["x"] * 3 + ["w"] * 2 + ["v", "u"]
    many = pd.DataFrame({"customer_id": "b", "order_id": [f"b{i}" for i in range(len(channels))], "amount": 1.0,
                         "channel": channels, "is_return": False})
    shares = _channel_shares(many, index)
    assert shares.columns.tolist() == ["channel_share_other", "channel_share_w", "channel_share_x",
                                       "channel_share_y", "channel_share_z"]
    assert shares.loc["b"].tolist() == pytest.approx([2 / 16, 2 / 16, 3 / 16, 4 / 16, 5 / 16])
    assert shares.loc["c"].tolist() == [0.0] * 5  # no purchase: zeros


def test_category_shares_by_hand_with_defaults(two_customers):
    from segkit.cluster.features import _category_shares

    clean = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b", "b", "b", "b", "b"],
        "order_id": ["1", "1", "2", "3", "4", "5", "6", "7", "8"],
        "amount": [0.5, 3.5, 4.0, 9.0, 10.0, 20.0, 30.0, 40.0, 0.0],
        "category": ["toys", "home", "garden", None, "food", "books", "pets", "home", "gift"],
        "is_return": False,
    })
    index = pd.Index(["a", "b", "c"], name="customer_id")
    shares = _category_shares(clean, index)
    # revenue per category: home 43.5, pets 30, books 20, food 10, garden 4, toys 0.5 (the 9.0 without a
    # category and the zero-amount gift line are not purchases of a category): six levels, five kept
    assert shares.columns.tolist() == ["category_share_books", "category_share_food", "category_share_home",
                                       "category_share_other", "category_share_pets"]
    assert shares.loc["a"].tolist() == pytest.approx([0.0, 0.0, 3.5 / 8, 4.5 / 8, 0.0])
    assert shares.loc["b"].tolist() == pytest.approx([0.2, 0.1, 0.4, 0.0, 0.3])
    assert shares.loc["c"].tolist() == [0.0] * 5  # no category purchase: zeros, not missing


def test_ties_between_many_levels_keep_the_name_order():
    from segkit.cluster.features import _drop_redundant_share, _top_levels

    names = [f"l{i:02d}" for i in range(24)]
    # 24 levels, twelve bought twice and twelve once: the four kept are the first twice-bought by name
    twice = [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0]
    values = pd.Series([n for n, t in zip(names, twice) for _ in range(1 + t)][::-1])
    kept = _top_levels(values, pd.Series(1.0, index=values.index), 5)
    assert sorted(set(kept) - {"other"}) == ["l00", "l02", "l09", "l10"]
    # 24 share columns, twelve with the smaller mean: the first of them by name is dropped
    larger = [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0]
    shares = pd.DataFrame({f"x_share_{n}": [0.05 if big else 0.025] * 3 for n, big in zip(names, larger)})
    assert _drop_redundant_share(shares).columns.tolist() == [f"x_share_{n}" for n in names if n != "l04"]


def test_small_purchase_lines_count_for_discount_and_purchases(two_customers):
    clean = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"], "amount": [0.5, 1.5, 2.0],
                          "discount": [0.4, 0.0, 0.2]})
    X = customer_features(two_customers, clean, feature_set="lrfmc")
    assert X.loc["a", "avg_discount"] == pytest.approx((0.5 * 0.4) / 2.0)  # revenue-weighted: 0.1
    assert X.loc["b", "avg_discount"] == pytest.approx(0.2)


def test_an_order_split_evenly_between_two_channels_counts_under_the_first_by_name():
    from segkit.cluster.features import _channel_shares

    index = pd.Index(["a"], name="customer_id")
    tie = pd.DataFrame({"customer_id": "a", "order_id": ["o1", "o1", "o2"], "amount": [1.0, 1.0, 3.0],
                        "channel": ["web", "app", "web"], "is_return": False})
    assert _channel_shares(tie, index).loc["a"].to_dict() == {"channel_share_app": 0.5, "channel_share_web": 0.5}


def test_features_of_the_lines_file_are_those_of_the_frame(tmp_path):
    from segkit.datasets import generate_transactions
    from segkit.data import customer_table, load_transactions, split_transactions

    raw, _ = generate_transactions(n_customers=300, seed=5)
    clean = split_transactions(load_transactions(raw))[0]
    customers = customer_table(clean)
    lines = tmp_path / "clean.parquet"
    clean.to_parquet(lines, index=False)
    for feature_set in ("lrfmc", "extended"):
        by_frame = _customer_features(customers, clean, feature_set=feature_set)
        by_file = _customer_features(customers, lines, feature_set=feature_set)
        pd.testing.assert_frame_equal(by_file.table, by_frame.table)
        assert (by_file.skipped, by_file.n_imputed) == (by_frame.skipped, by_frame.n_imputed)
    extended = _customer_features(customers, lines, feature_set="extended")
    assert extended.skipped == () and "avg_discount" in extended.table
    # three channels and six categories (pooled to five): one share column of each dropped as redundant
    assert extended.table.filter(like="channel_share_").shape[1] == 2
    assert extended.table.filter(like="category_share_").shape[1] == 4


def test_extended_counts_imputed_discounts_and_fills_customers_without_lines(two_customers, clean):
    three = pd.concat([two_customers, two_customers.iloc[:1].rename(index={"a": "c"})])
    result = _customer_features(three, clean, feature_set="extended")
    X = result.table
    # c bought nothing: the median discount of a (0.16) and b (0.2), and zero shares
    assert result.n_imputed == 1 and X.loc["c", "avg_discount"] == pytest.approx(0.18)
    assert X.loc["c", "channel_share_store"] == 0.0 and X.loc["c", "category_share_home"] == 0.0
    assert not X.isna().any().any()
    assert _customer_features(three, feature_set="extended").n_imputed == 0
    bare = clean.drop(columns=["discount"])
    without = _customer_features(three, bare, feature_set="extended")
    assert without.n_imputed == 0 and "avg_discount" not in without.table.columns
    assert "avg_discount" in _customer_features(two_customers, clean, feature_set="extended").table.columns


def test_clean_refusals_say_what_to_do(two_customers, clean):
    with pytest.raises(DataError) as missing:
        customer_features(two_customers, feature_set="lrfmc")
    assert str(missing.value).endswith("pass clean=<the frame from segkit.data.load_clean, or the file from "
                                       "segkit.engine.clean_lines>, or use feature_set='rfm'.")
    with pytest.raises(DataError) as lacking:
        customer_features(two_customers, clean.drop(columns="discount"), feature_set="lrfmc")
    assert str(lacking.value).endswith(
        "map them with column_map, or use a feature set without them (feature_set='rfm').")
    with pytest.raises(DataError) as empty:
        customer_features(two_customers, clean.assign(discount=np.nan), feature_set="lrfmc")
    assert str(empty.value) == (
        "the 'discount' column is empty for every customer; use feature_set='rfm' or fill discount with 0.")


def test_feature_labels_of_unknown_names_and_many_word_levels():
    assert feature_label("days_active_total") == "days active total"
    assert feature_label("category_share_home_garden") == "share of revenue in home garden"
    assert feature_label("channel_share_mobile_app") == "share of orders via mobile app"


def test_revenue_skew_words_at_the_zero_and_one_boundaries():
    nothing = "No customer has net revenue, so there is no revenue distribution to describe."
    assert _revenue_skew(pd.Series([0.0, 0.0])) == nothing
    assert _revenue_skew(pd.Series([5.0, -5.0])) == nothing
    # a total below one is still revenue: the biggest spender, 0.3, is 1.2 times the median 0.25
    assert _revenue_skew(pd.Series([0.2, 0.3])) == (
        "The biggest spender bought 1 times the median customer's revenue; the biggest customer alone holds 60% of it.")
    # a median below one is still a median: 2.0 / 0.5 = 4
    assert _revenue_skew(pd.Series([0.4, 0.5, 2.0])).startswith("The biggest spender bought 4 times the median")


def test_revenue_skew_of_revenue_held_as_python_objects():
    # revenue 1 .. 100 read as objects (as some database drivers return it): median 50.5, the top 1% is 100 of 5050
    revenue = pd.Series(list(range(1, 101)), dtype=object)
    assert _revenue_skew(revenue) == (
        "The biggest spender bought 2 times the median customer's revenue; the top 1% of customers (1) hold 2% of it.")
