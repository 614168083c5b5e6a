"""segkit.persona: the cards' figures against an independent computation from the exports; missing exports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit import persona
from segkit.errors import DataError
from segkit.persona import text

SEGMENTS = ["Champions", "Lost", "New"]


@pytest.fixture
def exports(tmp_path):
    """Small exports as notebooks 01, 05, 06, 07 and 08 write them, random but seeded."""
    rng = np.random.default_rng(3)
    n = 60
    ids = [f"{12000 + i}" for i in range(n)]
    rfm = pd.DataFrame({"customer_id": ids, "days_since_last_purchase": rng.integers(1, 400, n),
                        "n_orders": rng.integers(1, 20, n), "revenue": rng.gamma(2, 100, n).round(2),
                        "segment": rng.choice(SEGMENTS, n, p=[0.5, 0.3, 0.2])})
    rfm.to_csv(tmp_path / "rfm_segments.csv", index=False)
    pd.DataFrame({"customer_id": ids[:-3], "clv": rng.gamma(2, 50, n - 3), "p_alive": rng.random(n - 3)}).to_csv(
        tmp_path / "clv.csv", index=False)  # three customers without a CLV row
    pd.DataFrame({"customer_id": ids, "median_gap_days": np.where(rng.random(n) < 0.2, np.nan, rng.random(n) * 60),
                  "overdue": rng.random(n) < 0.3}).to_csv(tmp_path / "purchase_cycle.csv", index=False)
    mix = pd.DataFrame([(s, d, v, rng.random()) for s in SEGMENTS for d, values in
                        (("category", ["toys", "gifts", "home"]), ("channel", ["web", "store"]), ("country", ["UK"]))
                        for v in values], columns=["segment", "dimension", "value", "share"])
    mix["share"] /= mix.groupby(["segment", "dimension"])["share"].transform("sum")
    mix.assign(index=100.0).to_csv(tmp_path / "category_mix.csv", index=False)
    rules = pd.DataFrame([(s, a, c, rng.random() / 5, 1 + rng.random()) for s in ["All customers", *SEGMENTS]
                          for a, c in (("toys", "gifts"), ("home", "toys"))], columns=["segment", "antecedent",
                                                                                    "consequent", "support", "lift"])
    rules.to_csv(tmp_path / "segment_affinities.csv", index=False)
    pd.DataFrame({"segment": ["Lost", "Champions"], "uplift": [0.12, -0.01], "uplift_source": ["measured", "prior"],
                  "verdict": ["lift", "assumed"], "action": ["contact", "do not contact"],
                  "expected_profit": [250.0, 0.0], "spend": [90.0, 0.0]}).to_csv(tmp_path / "campaign_plan.csv",
                                                                                 index=False)
    return tmp_path


def independent(folder, segment: str) -> dict:
    """The figures of one card, segment by segment with boolean masks (not the package's group-bys)."""
    rfm = pd.read_csv(folder / "rfm_segments.csv", dtype={"customer_id": str})
    clv = pd.read_csv(folder / "clv.csv", dtype={"customer_id": str}).set_index("customer_id")
    cycle = pd.read_csv(folder / "purchase_cycle.csv", dtype={"customer_id": str}).set_index("customer_id")
    mix = pd.read_csv(folder / "category_mix.csv")
    rules = pd.read_csv(folder / "segment_affinities.csv")
    mine = rfm[rfm["segment"] == segment]
    ids = list(mine["customer_id"])
    clv_rows = clv.loc[[i for i in ids if i in clv.index]]
    cat = mix[(mix["segment"] == segment) & (mix["dimension"] == "category")].sort_values("share", ascending=False)
    channel = mix[(mix["segment"] == segment) & (mix["dimension"] == "channel")].sort_values("share", ascending=False)
    best = rules[rules["segment"] == segment].sort_values("lift", ascending=False).iloc[0]
    return {
        "customers": len(mine), "customer_share": len(mine) / len(rfm),
        "revenue_share": mine["revenue"].sum() / rfm["revenue"].sum(),
        "median_days_since_last_purchase": float(np.median(mine["days_since_last_purchase"])),
        "median_orders": float(np.median(mine["n_orders"])), "median_revenue": float(np.median(mine["revenue"])),
        "mean_clv": clv_rows["clv"].sum() / len(clv_rows), "mean_p_alive": clv_rows["p_alive"].mean(),
        "median_gap_days": float(np.nanmedian(cycle.loc[ids, "median_gap_days"])),
        "overdue_share": cycle.loc[ids, "overdue"].sum() / len(ids),
        "top_category": cat["value"].iloc[0], "second_category": cat["value"].iloc[1],
        "top_category_share": cat["share"].iloc[0], "preferred_channel": channel["value"].iloc[0],
        "top_affinity": f"{best['antecedent']} + {best['consequent']}", "top_affinity_lift": best["lift"],
    }


def test_card_figures_equal_an_independent_computation_from_the_exports(exports):
    inputs = persona.read_exports(exports)
    assert inputs.missing == {}
    cards = persona.persona_table(inputs)
    assert list(cards.columns) == list(persona.CARD_COLUMNS)
    assert sorted(cards.index) == sorted(SEGMENTS)
    assert list(cards["customers"]) == sorted(cards["customers"], reverse=True)
    for segment in SEGMENTS:
        expected = independent(exports, segment)
        for column, value in expected.items():
            if isinstance(value, str):
                assert cards.loc[segment, column] == value, (segment, column)
            else:
                assert cards.loc[segment, column] == pytest.approx(value, rel=1e-12), (segment, column)
    assert cards["customer_share"].sum() == pytest.approx(1) and cards["revenue_share"].sum() == pytest.approx(1)
    # campaign: the measured uplift is shown, a prior is not a measurement
    assert cards.loc["Lost", "uplift"] == 0.12 and cards.loc["Lost", "expected_profit"] == 250
    assert np.isnan(cards.loc["Champions", "uplift"]) and cards.loc["Champions", "uplift_source"] == "prior"
    assert pd.isna(cards.loc["New", "action"])
    rows = text.card_rows("Lost", cards.loc["Lost"], currency="£")
    assert rows["campaign response"] == "+12.0 points (lift)" and rows["expected return"] == "£250 profit on £90 spent"
    assert text.card_rows("Champions", cards.loc["Champions"])["campaign response"] == "not measured (prior)"
    assert text.card_rows("New", cards.loc["New"])["action"] == "not available"


def test_the_description_is_written_from_the_card(exports):
    cards = persona.persona_table(persona.read_exports(exports))
    card = cards.loc["Champions"]
    line = text.describe("Champions", card)
    assert line.startswith(f"Champions: {100 * card['customer_share']:.0f}% of customers, "
                           f"{100 * card['revenue_share']:.0f}% of revenue, buy every {card['median_gap_days']:.0f} days")
    assert f"{card['top_category']} + {card['second_category']}" in line
    assert f"via {card['preferred_channel']} ({100 * card['preferred_channel_share']:.0f}%)" in line
    top = cards["revenue_share"].idxmax()
    assert text.headline(cards) == f"3 personas. The one worth most — {text.describe(top, cards.loc[top])}."


def test_a_missing_export_leaves_its_part_out_with_a_note(exports):
    (exports / "clv.csv").unlink()
    (exports / "campaign_plan.csv").write_text("segment,uplift\nLost,0.1\n")  # malformed: columns missing
    inputs = persona.read_exports(exports)
    assert "05_clv failed or has not run" in inputs.missing["clv.csv"]
    assert "lacks the column(s)" in inputs.missing["campaign_plan.csv"]
    cards = persona.persona_table(inputs)
    assert cards["mean_clv"].isna().all() and cards["action"].isna().all()
    assert cards["median_gap_days"].notna().all()  # the other parts are still there
    notes = text.missing_notes(inputs, cards)
    assert "clv.csv is missing" in notes and "campaign_plan.csv lacks" in notes
    rows = text.card_rows("Lost", cards.loc["Lost"])
    assert rows["predicted CLV"] == "not available" and rows["expected return"] == "not available"
    assert "likely still active" not in text.describe("Lost", cards.loc["Lost"])


def test_segments_without_a_row_in_an_export_are_named(exports):
    mix = pd.read_csv(exports / "category_mix.csv")
    mix[mix["segment"] != "New"].to_csv(exports / "category_mix.csv", index=False)
    inputs = persona.read_exports(exports)
    cards = persona.persona_table(inputs)
    assert pd.isna(cards.loc["New", "top_category"]) and cards.loc["Lost", "top_category"] in {"toys", "gifts", "home"}
    assert "No row in category_mix.csv** for New" in text.missing_notes(inputs, cards)


def test_without_segments_there_are_no_cards_and_no_crash(exports, tmp_path):
    (exports / "rfm_segments.csv").unlink()
    inputs = persona.read_exports(exports)
    cards = persona.persona_table(inputs)
    assert cards.empty and list(cards.columns) == list(persona.CARD_COLUMNS)
    assert "rfm_segments.csv" in text.headline(cards) and "01_rfm" in text.missing_notes(inputs, cards)
    with pytest.raises(DataError, match="does not exist"):
        persona.read_exports(tmp_path / "nowhere")
