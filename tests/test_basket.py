"""segkit.basket: rules by hand and against a brute-force pandas count, planted pairs recovered, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segkit import basket
from segkit.basket import text
from segkit.errors import DataError
from segkit.paths import PROJECT_ROOT


def lines_of(baskets: dict[str, list[str]], owners: dict[str, str] | None = None, column: str = "category"):
    rows = [(o, (owners or {}).get(o, o), item) for o, items in baskets.items() for item in items]
    return pd.DataFrame(rows, columns=["order_id", "customer_id", column]).assign(quantity=1.0, amount=10.0)


# o1 {A,B} (A on two lines), o2 {A,B,C}, o3 {A,C}, o4 {B}, o5 {A,B}: N=5, n_A=4, n_B=4, n_C=2, AB=3, AC=2, BC=1.
HAND = {"o1": ["A", "B", "A"], "o2": ["A", "B", "C"], "o3": ["A", "C"], "o4": ["B"], "o5": ["A", "B"]}


def rule(rules, a, c):
    row = rules[(rules["antecedent"] == a) & (rules["consequent"] == c)]
    assert len(row) == 1, (a, c)
    return row.iloc[0]


def test_rules_by_hand():
    lines = lines_of(HAND)
    returned = pd.DataFrame([("o4", "o4", "C", -1.0, -10.0)], columns=["order_id", "customer_id", "category",
                                                                       "quantity", "amount"])
    b = basket.build_baskets(pd.concat([lines, returned], ignore_index=True).assign(
        is_return=lambda t: t["quantity"] < 0))
    rules = basket.association_rules(b, min_support=0, min_lift=0, min_baskets=1, min_buyers=1)
    assert len(rules) == 6  # three pairs, both directions; the returned C of o4 is no purchase
    ab, ac, ca, bc = rule(rules, "A", "B"), rule(rules, "A", "C"), rule(rules, "C", "A"), rule(rules, "B", "C")
    assert (ab["baskets"], ab["support"], ab["confidence"], ab["lift"]) == pytest.approx((3, 3 / 5, 3 / 4, (3 / 4) / (4 / 5)))
    assert (ac["support"], ac["confidence"], ac["lift"]) == pytest.approx((2 / 5, 2 / 4, (2 / 4) / (2 / 5)))
    assert (ca["confidence"], ca["lift"]) == pytest.approx((2 / 2, 1 / (4 / 5)))
    assert (bc["support"], bc["confidence"], bc["lift"]) == pytest.approx((1 / 5, 1 / 4, (1 / 4) / (2 / 5)))
    assert list(rules["lift"]) == sorted(rules["lift"], reverse=True)
    kept = basket.association_rules(b, min_support=0.5, min_lift=1.0, min_baskets=1, min_buyers=1)
    assert kept.empty  # AB has the support but lift < 1; AC has lift 1.25 but support 0.4
    kept = basket.association_rules(b, min_support=0.4, min_lift=1.0, min_baskets=1, min_buyers=1)
    assert sorted(zip(kept["antecedent"], kept["consequent"])) == [("A", "C"), ("C", "A")]


def brute_force(lines: pd.DataFrame, column: str) -> pd.DataFrame:
    """Pairs by a self-merge of the distinct (order, item) rows: the plain-pandas reference."""
    items = lines[["order_id", column]].drop_duplicates()
    n = items["order_id"].nunique()
    count = items.groupby(column).size()
    pairs = items.merge(items, on="order_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs[f"{column}_a"] != pairs[f"{column}_b"]]
    ab = pairs.groupby([f"{column}_a", f"{column}_b"]).size().rename("baskets").reset_index()
    ab.columns = ["antecedent", "consequent", "baskets"]
    na, nb = count.reindex(ab["antecedent"]).to_numpy(), count.reindex(ab["consequent"]).to_numpy()
    return ab.assign(support=ab["baskets"] / n, confidence=ab["baskets"] / na, lift=ab["baskets"] * n / (na * nb))


@pytest.mark.parametrize("seed", [1, 2])
def test_rules_equal_a_brute_force_pandas_count(seed):
    lines, _ = basket.simulate_baskets(n_baskets=800, n_items=25, random_state=seed, column="product_id")
    rules = basket.association_rules(basket.build_baskets(lines, level="product"), min_support=0, min_lift=0,
                                     min_baskets=1, min_buyers=1)
    reference = brute_force(lines, "product_id")
    merged = reference.merge(rules, on=["antecedent", "consequent"], how="outer", suffixes=("_ref", ""),
                             indicator=True)
    assert (merged["_merge"] == "both").all()
    for column in ("baskets", "support", "confidence", "lift"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_ref"], rtol=1e-12)


PLANTED = [("b", "i010", "i020", 0.10), ("c", "i003", "i030", 0.08)]


@pytest.fixture(scope="module")
def planted():
    lines, groups = basket.simulate_baskets(n_customers=900, n_baskets=9000, n_items=40, planted=PLANTED,
                                            random_state=7)
    return lines, groups, basket.build_baskets(lines)


def test_planted_pairs_come_out_on_top_in_their_group_only(planted):
    lines, groups, b = planted
    truth = pd.DataFrame(PLANTED, columns=["group", "antecedent", "consequent", "rate"])
    found = basket.planted_vs_found(b, groups, truth, min_support=0.01, min_lift=1.0, min_baskets=5)
    assert found["found"].all()
    assert (found["rank_in_group"] == 1).all()
    assert (found["lift"] > 3).all()
    assert (found["best_other_lift"] < 2).all()  # at chance level in the other groups
    assert text.planted_words(found).startswith("2 of 2 planted pairs are the strongest")
    rules = basket.segment_rules(b, groups, min_support=0.01, min_lift=1.0, min_baskets=5)
    specific = basket.specific_rules(rules, min_ratio=2.0, top=1)
    top = {s: (r["antecedent"], r["consequent"]) for s, r in specific.set_index("segment").iterrows()}
    assert sorted(top["b"]) == ["i010", "i020"] and sorted(top["c"]) == ["i003", "i030"]
    assert "a" not in top or sorted(top["a"]) not in (["i010", "i020"], ["i003", "i030"])


def test_lift_against_the_base_and_the_rest_by_hand():
    # customer x: o1 {A,B}, o2 {A,B}, o3 {C}; customer y: o4 {A}, o5 {B}, o6 {A,C}
    lines = lines_of({"o1": ["A", "B"], "o2": ["A", "B"], "o3": ["C"], "o4": ["A"], "o5": ["B"], "o6": ["A", "C"]},
                     owners={"o1": "x", "o2": "x", "o3": "x", "o4": "y", "o5": "y", "o6": "y"})
    groups = pd.Series({"x": "g1", "y": "g2"})
    rules = basket.segment_rules(basket.build_baskets(lines), groups, min_support=0, min_lift=0, min_baskets=1,
                                 min_buyers=1)
    ab = rules[(rules["segment"] == "g1") & (rules["antecedent"] == "A") & (rules["consequent"] == "B")].iloc[0]
    lift_g1 = (2 / 3) / ((2 / 3) * (2 / 3))  # within x's 3 baskets: AB 2, A 2, B 2
    lift_base = (2 / 6) / ((4 / 6) * (3 / 6))  # all 6 baskets: AB 2, A 4, B 3
    assert ab["lift"] == pytest.approx(lift_g1)
    assert ab["base_lift"] == pytest.approx(lift_base)
    assert ab["lift_vs_base"] == pytest.approx(lift_g1 / lift_base)
    assert ab["rest_lift"] == 0 and np.isinf(ab["lift_vs_rest"])  # y never buys A with B
    ac = rules[(rules["segment"] == "g2") & (rules["antecedent"] == "A") & (rules["consequent"] == "C")].iloc[0]
    rest = (0 / 3) / ((2 / 3) * (1 / 3))  # x's baskets: AC 0
    assert ac["rest_lift"] == pytest.approx(rest)
    assert list(dict.fromkeys(rules["segment"])) == [basket.BASE, "g1", "g2"]


def test_item_mix_by_hand():
    lines = pd.DataFrame({"customer_id": ["x", "x", "y", "y", "y"], "category": ["A", "B", "A", "A", "B"],
                          "amount": [30.0, 10.0, 20.0, 20.0, -5.0]})
    mix = basket.item_mix(lines, pd.Series({"x": "g1", "y": "g2"})).set_index(["segment", "value"])
    base_a = 70 / 80  # the refund line is not a purchase
    assert mix.loc[("g1", "A"), "share"] == pytest.approx(0.75)
    assert mix.loc[("g1", "A"), "index"] == pytest.approx(100 * 0.75 / base_a)
    assert mix.loc[("g2", "B"), "share"] == 0 and mix.loc[("g2", "B"), "index"] == 0
    assert mix.groupby("segment")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_next_best_items_counts_customers_with_the_antecedent_only():
    lines = lines_of({"o1": ["A", "B"], "o2": ["A"], "o3": ["A"], "o4": ["A", "B"], "o5": ["B"]},
                     owners={"o1": "x", "o2": "y", "o3": "z", "o4": "y", "o5": "w"})
    groups = pd.Series({"x": "g", "y": "g", "z": "g", "w": "h"})
    b = basket.build_baskets(lines)
    rules = basket.segment_rules(b, groups, min_support=0, min_lift=0, min_baskets=1, min_buyers=1)
    best = basket.next_best_items(b, groups, rules).set_index("segment")
    assert (best.loc["g", "antecedent"], best.loc["g", "consequent"]) == ("A", "B")
    assert best.loc["g", "reach"] == 1  # z bought A and never B; x and y have both
    assert best.loc["g", "expected_takers"] == pytest.approx(1 * 2 / 4)  # confidence A -> B in g: 2 of 4 baskets


# bad input -------------------------------------------------------------------------------------------------


def test_no_item_column_names_the_analyses_and_the_fix():
    lines = lines_of(HAND).drop(columns="category")
    with pytest.raises(DataError, match=r"no 'category' column.*association rules.*column_map\.$"):
        basket.build_baskets(lines)
    with pytest.raises(DataError, match=r"no 'category' column.*column_map, or use level='product'"):
        basket.build_baskets(lines.assign(product_id="P1"))
    note = text.missing_items_note(DataError("x."))
    assert "association rules" in note and "still run" in note
    # the mix needs no baskets: without a category column the channel mix is still there
    lines = lines.assign(channel=["web", "store"] * 5 + ["web"])
    mix = basket.segment_mix(lines, pd.Series({o: "g" for o in HAND}))
    assert set(mix["dimension"]) == {"channel"} and mix["share"].sum() == pytest.approx(1)
    assert basket.segment_mix(lines.drop(columns="channel"), pd.Series({o: "g" for o in HAND})).empty


def test_one_line_per_order_is_refused_with_the_reason():
    lines = lines_of({f"o{i}": ["A" if i % 2 else "B"] for i in range(10)})
    b = basket.build_baskets(lines)
    with pytest.raises(DataError, match="None of the 10 orders holds two different category items"):
        basket.association_rules(b)
    with pytest.raises(DataError, match="one line per order"):
        basket.segment_rules(b, pd.Series({f"o{i}": "g" for i in range(10)}))


def test_a_product_with_one_buyer_is_left_out():
    lines = lines_of({"o1": ["A", "B", "S"], "o2": ["A", "B", "S"], "o3": ["A", "B"], "o4": ["A"]},
                     owners={"o1": "x", "o2": "x", "o3": "y", "o4": "z"})
    b = basket.build_baskets(lines)
    assert b.item_buyers().to_dict() == {"A": 3, "B": 2, "S": 1}
    kept = basket.association_rules(b, min_support=0, min_lift=0, min_baskets=1, min_buyers=2)
    assert "S" not in set(kept["antecedent"]) | set(kept["consequent"]) and len(kept) == 2
    every = basket.association_rules(b, min_support=0, min_lift=0, min_baskets=1, min_buyers=1)
    assert "S" in set(every["antecedent"])


def test_a_min_support_that_leaves_no_rule_gives_an_empty_table_and_a_note():
    b = basket.build_baskets(lines_of(HAND))
    rules = basket.association_rules(b, min_support=0.9, min_buyers=1)
    assert rules.empty and list(rules.columns) == list(basket.rules.RULE_COLUMNS)
    note = text.no_rules_note(basket.pair_table(b), min_support=0.9, min_lift=1.0, level="category")
    assert "most common pair is in 60.00% of baskets" in note and "Lower min_support to 0.6000" in note
    lift_note = text.no_rules_note(basket.pair_table(b), min_support=0.5, min_lift=1.0, level="category")
    assert "highest among them is 0.94" in lift_note
    with pytest.raises(DataError, match="min_support is a share"):
        basket.association_rules(b, min_support=5)


# the default generator's planted affinities ---------------------------------------------------------------

TRUTH = PROJECT_ROOT / "data" / "raw" / "affinity_truth.csv"


@pytest.mark.skipif(not TRUTH.exists(), reason="the default data has no affinity_truth.csv yet")
def test_default_data_planted_pairs_come_out_on_top_in_their_group():
    from segkit import data

    truth = pd.read_csv(TRUTH, dtype=str)
    groups = pd.read_csv(PROJECT_ROOT / "data" / "raw" / "ground_truth.csv",
                         dtype={"customer_id": str}).set_index("customer_id")["group"]
    clean, _ = data.load_clean(PROJECT_ROOT / "data" / "raw" / "transactions.csv.gz")
    for level, part in truth.groupby("level"):
        b = basket.build_baskets(clean, level=level)
        found = basket.planted_vs_found(b, groups, part, min_support=0.002 if level == "product" else 0.01,
                                        min_lift=1.0, min_baskets=5)
        assert found["found"].all(), found
        planted_in_group = found.groupby("group")["group"].transform("size")
        assert (found["rank_in_group"] <= planted_in_group).all(), found  # a group's planted pairs are its top ones
        assert (found["lift"] > 1.25).all(), found
        hint = part["planted_lift_hint"].astype(float).to_numpy()
        np.testing.assert_allclose(found["lift"], hint, rtol=0.15)  # the generator's expected lift
        assert (found["lift"] > found["best_other_lift"].fillna(0)).all(), found


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from("ABCDEF"), min_size=1, max_size=5), min_size=2, max_size=40))
def test_rule_invariants_hold_for_any_baskets(orders):
    lines = lines_of({f"o{i}": items for i, items in enumerate(orders)})
    b = basket.build_baskets(lines)
    if b.basket_sizes().max() < 2:
        with pytest.raises(DataError):
            basket.association_rules(b)
        return
    rules = basket.association_rules(b, min_support=0, min_lift=0, min_baskets=1, min_buyers=1)
    both = rules.merge(rules, left_on=["antecedent", "consequent"], right_on=["consequent", "antecedent"])
    assert len(both) == len(rules)  # every rule has its reverse
    assert (both["support_x"] == both["support_y"]).all() and (both["lift_x"] == both["lift_y"]).all()
    assert ((rules["confidence"] > 0) & (rules["confidence"] <= 1)).all()
    np.testing.assert_allclose(rules["confidence"], rules["support"] / rules["antecedent_support"])
    np.testing.assert_allclose(rules["lift"], rules["confidence"] / rules["consequent_support"])
    assert (rules["support"] <= np.minimum(rules["antecedent_support"], rules["consequent_support"])).all()


# the same results from the Parquet file of the clean lines (issue 11: the lines stay in the engine) ---------



def _dated(lines: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The lines with an order date per order (in 2024), a channel, a return now and then and a missing item."""
    rng = np.random.default_rng(seed)
    orders = pd.Index(lines["order_id"].unique())
    day = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 366, len(orders)), unit="D"),
                    index=orders)
    out = lines.assign(order_date=day.reindex(lines["order_id"]).to_numpy(),
                       channel=rng.choice(["web", "store", "app"], len(lines)))
    returned = rng.random(len(out)) < 0.05
    out.loc[returned, ["quantity", "amount"]] = -out.loc[returned, ["quantity", "amount"]].abs().to_numpy()
    out["is_return"] = out["quantity"] < 0
    out.loc[rng.random(len(out)) < 0.02, out.columns[2]] = None
    return out


def _same_baskets(found: basket.Baskets, expected: basket.Baskets) -> None:
    assert (found.matrix != expected.matrix).nnz == 0 and found.matrix.shape == expected.matrix.shape
    pd.testing.assert_index_equal(found.items, expected.items)
    pd.testing.assert_index_equal(found.baskets, expected.baskets)
    np.testing.assert_array_equal(found.customers, expected.customers)
    assert found.level == expected.level


@pytest.mark.parametrize("seed", [1, 2])
def test_baskets_and_mix_on_the_file_equal_those_on_the_frame(seed, tmp_path, no_pandas_read):
    lines, groups = basket.simulate_baskets(n_baskets=600, n_items=20, random_state=seed, column="product_id")
    lines = _dated(lines.assign(category=lines["product_id"].str[:3]), seed)
    path = tmp_path / "clean.parquet"
    lines.to_parquet(path, index=False)
    for level in ("product", "category"):
        for snapshot in (None, "2024-07-01"):
            _same_baskets(basket.build_baskets(path, level=level, snapshot_date=snapshot),
                          basket.build_baskets(lines, level=level, snapshot_date=snapshot))
    for snapshot in (None, "2024-07-01"):
        pd.testing.assert_frame_equal(basket.segment_mix(path, groups, snapshot_date=snapshot),
                                      basket.segment_mix(lines, groups, snapshot_date=snapshot))


def test_only_lines_before_the_snapshot_make_baskets_and_the_mix():
    lines = lines_of(HAND).assign(order_date=pd.to_datetime(["2024-01-01"] * 3 + ["2024-01-02"] * 3
                                                            + ["2024-02-01"] * 5))  # o1, o2 | o3, o4, o5
    b = basket.build_baskets(lines, snapshot_date="2024-02-01")
    assert b.baskets.tolist() == ["o1", "o2"] and b.items.tolist() == ["A", "B", "C"]
    assert b.matrix.toarray().tolist() == [[1, 1, 0], [1, 1, 1]]
    by_hand = basket.build_baskets(lines.loc[lines["order_date"] < "2024-02-01"])
    _same_baskets(b, by_hand)
    mix = basket.item_mix(lines, pd.Series({o: "g" for o in HAND}), snapshot_date="2024-02-01")
    assert mix.set_index("value")["revenue"].to_dict() == {"A": 30.0, "B": 20.0, "C": 10.0}  # A twice in o1, once in o2


def test_a_missing_clean_lines_file_is_refused_by_name(tmp_path):
    with pytest.raises(DataError, match=r"The clean lines file .*nowhere.parquet does not exist.*engine.clean_lines"):
        basket.build_baskets(tmp_path / "nowhere.parquet")
