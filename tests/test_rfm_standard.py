"""The default RFM rules against the published 11-segment table, cell by cell (issue 12, item 4).

The published table is written out below, literally as printed in its source (the R package ``rfm`` by
Aravind Hebbali, version 0.2.2, vignette "Introduction to RFM", table "Segments"), and parsed here by
hand, independently of segkit's transcription and parser. The tests check that every cell gets one name,
that every cell the table names once keeps that name, and that segkit's list of departures
(:func:`segkit.rfm.rule_departures`) is complete and says what the rules really do.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from segkit import rfm
from segkit.datasets import example_customers
from segkit.errors import DataError
from segkit.paths import DEFAULT_TRANSACTIONS, RESOURCES_DIR
from segkit.rfm.segments import assign_segments
from segkit.rfm.standard import DEPARTURE_KINDS, nearest_segments

#: Segment, R, F, M as printed in the source (scores 1..5, 5 best), in the published order.
PUBLISHED = [
    ("Champions", "4 - 5", "4 - 5", "4 - 5"),
    ("Loyal Customers", "2 - 5", "3 - 5", "3 - 5"),
    ("Potential Loyalist", "3 - 5", "1 - 3", "1 - 3"),
    ("New Customers", "4 - 5", "<= 1", "<= 1"),
    ("Promising", "3 - 4", "<= 1", "<= 1"),
    ("Need Attention", "2 - 3", "2 - 3", "2 - 3"),
    ("About To Sleep", "2 - 3", "<= 2", "<= 2"),
    ("At Risk", "<= 2", "2 - 5", "2 - 5"),
    ("Can't Lose Them", "<= 1", "4 - 5", "4 - 5"),
    ("Hibernating", "1 - 2", "1 - 2", "1 - 2"),
    ("Lost", "<= 2", "<= 2", "<= 2"),
]
#: The one documented narrowing (the rules file's note): Hibernating's published ranges equal Lost's.
NARROWED = {"Hibernating": {"R": (2, 2)}}
CELLS = list(itertools.product(range(1, 6), repeat=3))


def printed(text: str) -> tuple[int, int]:
    if text.startswith("<="):
        return 1, int(text[2:])
    low, _, high = text.partition(" - ")
    return int(low), int(high or low)


def boxes(narrowed: bool = False) -> dict[str, dict[str, tuple[int, int]]]:
    out = {name: {"R": printed(r), "F": printed(f), "M": printed(m)} for name, r, f, m in PUBLISHED}
    if narrowed:
        for name, change in NARROWED.items():
            out[name] = {**out[name], **change}
    return out


def holds(box: dict[str, tuple[int, int]], cell: tuple[int, int, int]) -> bool:
    return all(box[d][0] <= v <= box[d][1] for d, v in zip("RFM", cell))


def size(box: dict[str, tuple[int, int]]) -> int:
    return int(np.prod([box[d][1] - box[d][0] + 1 for d in "RFM"]))


def claimants(cell) -> list[str]:
    return [name for name, box in boxes().items() if holds(box, cell)]


def documented_order() -> list[str]:
    """The stated priority: narrower rule (as written in the file) first, ties in published order."""
    written = boxes(narrowed=True)
    names = [name for name, *_ in PUBLISHED]
    return sorted(names, key=lambda n: (size(written[n]), names.index(n)))


def assigned(rules=None) -> dict[tuple[int, int, int], str]:
    scores = pd.DataFrame(CELLS, columns=list("RFM"))
    return dict(zip(CELLS, assign_segments(scores, rules=rules).astype(str)))


@pytest.fixture(scope="module")
def default_segments() -> pd.DataFrame:
    """The default data set's segments when the loader and data exist, else a fixture table's."""
    if not DEFAULT_TRANSACTIONS.exists():
        return rfm.rfm_segments(example_customers(5000, seed=2024), warn=False)
    from segkit.data import customer_table, load_clean

    clean, _ = load_clean(DEFAULT_TRANSACTIONS)
    return rfm.rfm_segments(customer_table(clean), warn=False)


# --- the table and the rules ------------------------------------------------------------------


def test_the_transcription_in_segkit_is_the_published_table():
    table = rfm.published_segments()
    assert table.index.tolist() == [name for name, *_ in PUBLISHED]
    for name, box in boxes().items():
        got = table.loc[name, ["r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]].tolist()
        assert got == [*box["R"], *box["F"], *box["M"]], name
        assert table.loc[name, "cells"] == size(box)


def test_the_published_table_has_the_overlaps_and_gaps_the_rules_file_states():
    counts = pd.Series([len(claimants(c)) for c in CELLS]).value_counts()
    assert counts[1] == 47 and counts[0] == 36 and counts[counts.index > 1].sum() == 42
    assert max(counts.index) == 5  # (2, 2, 2) is claimed five times


def test_every_cell_has_exactly_one_name_under_the_default_rules():
    cells = rfm.rule_cells()
    assert len(cells) == 125 and not cells.duplicated(["R", "F", "M"]).any()
    assert cells["segment"].notna().all()
    assert set(cells["segment"]) == {name for name, *_ in PUBLISHED}  # published names, every one used
    got = assigned()
    assert [got[c] for c in CELLS] == cells["segment"].tolist()


def test_every_cell_the_table_names_once_keeps_that_name():
    got = assigned()
    single = [c for c in CELLS if len(claimants(c)) == 1]
    assert len(single) == 47
    assert {c: got[c] for c in single} == {c: claimants(c)[0] for c in single}


def test_the_priority_column_is_the_documented_order():
    rules = rfm.load_rules()
    published_rows = rules[rules["note"].str.lower() != "gap fill"].sort_values("priority")
    assert published_rows["segment"].tolist() == documented_order()
    for name, box in boxes(narrowed=True).items():
        row = published_rows.set_index("segment").loc[name]
        assert [row[k] for k in ("r_min", "r_max", "f_min", "f_max", "m_min", "m_max")] == [
            *box["R"], *box["F"], *box["M"]], name
    gap_rows = rules[rules["note"].str.lower() == "gap fill"]
    assert (gap_rows["priority"] > published_rows["priority"].max()).all()  # gap fills never beat a published rule


def test_overlaps_go_to_the_first_claimant_in_the_documented_order():
    got, order, written = assigned(), documented_order(), boxes(narrowed=True)
    overlaps = [c for c in CELLS if len(claimants(c)) > 1]
    for cell in overlaps:
        eligible = [n for n in order if n in claimants(cell) and holds(written[n], cell)]
        assert got[cell] == eligible[0], cell
    # the priority order matters: the published order would never name these four
    first_in_table_order = {c: claimants(c)[0] for c in overlaps}
    never = {n for n, *_ in PUBLISHED} - set(first_in_table_order.values()) - {
        claimants(c)[0] for c in CELLS if len(claimants(c)) == 1}
    assert never == {"New Customers", "Promising", "Can't Lose Them", "Lost"}


def test_gaps_go_to_the_nearest_segment_holding_the_r_score():
    got, order, written = assigned(), documented_order(), boxes(narrowed=True)
    gaps = [c for c in CELLS if not claimants(c)]
    assert len(gaps) == 36
    for cell in gaps:
        steps = {n: sum(max(written[n][d][0] - v, 0, v - written[n][d][1]) for d, v in zip("FM", cell[1:]))
                 for n in order if written[n]["R"][0] <= cell[0] <= written[n]["R"][1]}
        nearest = [n for n in order if n in steps and steps[n] == min(steps.values())]
        assert got[cell] == nearest[0], cell


# --- the departures list -------------------------------------------------------------------------


@pytest.mark.parametrize("rules", [None, RESOURCES_DIR / "rfm_segments_lattice.csv"], ids=["default", "lattice"])
def test_the_departures_list_is_complete_and_accurate(rules):
    departures = rfm.rule_departures(rules)
    got = assigned(rules)
    listed = {(r, f, m): row for r, f, m, row in zip(departures["R"], departures["F"], departures["M"],
                                                     departures.itertuples(index=False))}
    expected = {c for c in CELLS if claimants(c) != [got[c]]}
    assert set(listed) == expected  # complete, and nothing listed that is not a departure
    assert len(listed) == len(departures)
    for cell, row in listed.items():
        claim = claimants(cell)
        kind = "overlap resolved" if len(claim) > 1 else "gap filled" if not claim else "renamed"
        assert (row.kind, row.published, row.segment) == (kind, " / ".join(claim), got[cell]), cell
        assert row.segment in row.reason and all(c in row.reason for c in claim), row.reason
    assert set(departures["kind"]) <= set(DEPARTURE_KINDS)


def test_the_default_rules_only_resolve_overlaps_and_fill_gaps():
    departures = rfm.rule_departures()
    assert departures["kind"].value_counts().to_dict() == {"overlap resolved": 42, "gap filled": 36}
    overlaps = departures[departures["kind"] == "overlap resolved"]
    assert all(seg in pub.split(" / ") for seg, pub in zip(overlaps["segment"], overlaps["published"]))


def test_reasons_state_the_rule_that_decided():
    d = rfm.rule_departures().set_index(["R", "F", "M"])["reason"]
    assert d[(5, 5, 5)] == ("Champions / Loyal Customers all claim it; Champions comes first in the priority order: "
                            "narrowest ranges (8 cells; Loyal Customers 36)")
    assert d[(4, 1, 1)].endswith("narrowest ranges (2 cells; Potential Loyalist 27, Promising 2; equal sizes go "
                                 "in published order)")
    assert d[(2, 1, 1)].startswith("About To Sleep / Hibernating / Lost all claim it; Hibernating's rule comes first")
    assert "narrowed to R = 2" in d[(2, 1, 1)] and "Hibernating: published as R 1-2" in d[(1, 1, 1)]
    assert d[(5, 1, 4)] == ("no published segment claims it; Potential Loyalist is the nearest segment holding its "
                            "R score (1 F/M score step)")
    assert d[(5, 5, 1)].endswith("(2 F/M score steps; tied with Loyal Customers, Potential Loyalist's rule comes "
                                 "first)")


def test_a_rules_file_that_breaks_the_table_shows_up_in_the_list():
    rules = rfm.load_rules()[["priority", "segment", "R", "F", "M", "note"]]
    # a new first rule names (5, 3, 1) -- a single-claim cell of Potential Loyalist -- and the gap (5, 1, 5)
    extra = pd.DataFrame([{"priority": 0, "segment": "At Risk", "R": "5", "F": "3", "M": "1", "note": ""},
                          {"priority": 0.5, "segment": "Lost", "R": "5", "F": "1", "M": "5", "note": ""}])
    departures = rfm.rule_departures(pd.concat([rules, extra])).set_index(["R", "F", "M"])
    assert departures.loc[(5, 3, 1), "kind"] == "renamed"
    assert departures.loc[(5, 3, 1), "reason"] == "the published table names it Potential Loyalist; these rules " \
                                                  "name it At Risk"
    assert departures.loc[(5, 1, 5), "reason"] == ("no published segment claims it; these rules name it Lost, where "
                                                   "the gap rule gives Potential Loyalist")


def test_nearest_segments_ignore_gap_fill_rules():
    cells = pd.DataFrame({"R": [5, 1, 3], "F": [5, 1, 5], "M": [1, 5, 2]})
    near = nearest_segments(cells)
    assert near["nearest"].tolist() == ["Potential Loyalist", "At Risk", "Loyal Customers"]
    assert near["steps"].tolist() == [2, 1, 1]
    assert near["tied"].tolist() == ["Loyal Customers", "", ""]


# --- customers in the departures ------------------------------------------------------------------


def test_departure_customers_by_hand():
    scores = pd.DataFrame({"R": [5, 5, 1, 3, 3], "F": [5, 1, 1, 3, 1], "M": [5, 5, 1, 1, 2]})
    # (5,5,5) overlap, (5,1,5) gap, (1,1,1) overlap, (3,3,1) Potential Loyalist only, (3,1,2) overlap
    table = rfm.departure_customers(scores, rfm.rule_departures())
    assert table["customers"].to_dict() == {"overlap resolved": 3, "gap filled": 1, "renamed": 0, "as published": 1,
                                            "all customers": 5}
    assert table["cells"].to_dict() == {"overlap resolved": 42, "gap filled": 36, "renamed": 0, "as published": 47,
                                        "all customers": 125}
    assert table["customers_pct"].tolist() == [60.0, 20.0, 0.0, 20.0, 100.0]
    # bins=10: scores go to the 1..5 scale by the centre of their bin, (10, 10, 10) is (5, 5, 5)
    ten = rfm.departure_customers(pd.DataFrame({"R": [10], "F": [10], "M": [1]}), rfm.rule_departures(), bins=10)
    assert ten.loc["gap filled", "customers"] == 1


def test_departure_customers_on_the_default_data(default_segments):
    table = rfm.departure_customers(default_segments, rfm.rule_departures())
    claims = [len(claimants(c)) for c in zip(default_segments["R"], default_segments["F"], default_segments["M"])]
    by_hand = pd.Series(["overlap resolved" if n > 1 else "gap filled" if n == 0 else "as published" for n in claims])
    assert table["customers"].drop(["renamed", "all customers"]).to_dict() == by_hand.value_counts().to_dict()
    assert table.loc["all customers", "customers"] == len(default_segments)
    assert table["customers_pct"].drop("all customers").sum() == pytest.approx(100)


def test_departure_table_groups_and_counts(default_segments):
    d = rfm.rule_departures()
    table = rfm.departure_table(d, default_segments)
    assert table["cells"].sum() == len(d) and table.columns.tolist() == [
        "kind", "published", "segment", "cells", "score cells", "customers", "reason"]
    # every departing cell once, under its own reason
    listed = {(cell, reason) for cells, reason in zip(table["score cells"], table["reason"]) for cell in cells.split()}
    assert listed == {(f"{r}{f}{m}", reason) for r, f, m, reason in zip(d["R"], d["F"], d["M"], d["reason"])}
    assert table["customers"].sum() == rfm.departure_customers(default_segments, d)["customers"].drop(
        ["as published", "all customers"]).sum()
    assert table["kind"].tolist() == sorted(table["kind"], key=list(DEPARTURE_KINDS).index)
    row = table[(table["published"] == "Champions / Loyal Customers")].iloc[0]
    top = default_segments[["R", "F", "M"]]
    in_cells = default_segments[(top >= 4).all(axis=1)]
    assert (row["segment"], row["cells"], row["customers"]) == ("Champions", 8, len(in_cells))


def test_rules_difference_against_both_files_by_hand(default_segments):
    lattice = RESOURCES_DIR / "rfm_segments_lattice.csv"
    old, new = assigned(lattice), assigned()
    diff = rfm.rules_difference(lattice, None, default_segments)
    assert diff["cells"] == sum(old[c] != new[c] for c in CELLS)
    cells = list(zip(default_segments["R"], default_segments["F"], default_segments["M"]))
    changed = [old[c] != new[c] for c in cells]
    assert diff["customers"] == sum(changed)
    assert diff["customers_share"] == pytest.approx(np.mean(changed))
    assert rfm.rules_difference(None, None) == {"cells": 0}


def test_unreadable_published_table_is_refused(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("order,segment,description,R,F,M\n1,All,,1 - 5,<= x,*\n")
    with pytest.raises(DataError, match=r"'All' row has F = '<= x'"):
        rfm.published_segments(path)
    with pytest.raises(DataError, match="does not exist"):
        rfm.published_segments(tmp_path / "missing.csv")
    path.write_text("segment,R,F,M\nAll,1 - 5,1 - 5,1 - 5\n")
    with pytest.raises(DataError, match=r"lacks column\(s\) \['order', 'description'\]"):
        rfm.published_segments(path)


def test_departures_note_words_from_the_counts(default_segments):
    counts = rfm.departure_customers(default_segments, rfm.rule_departures())
    note = rfm.departures_note(counts)
    assert note.startswith("The published table gives 47 of the 125 score cells exactly the name these rules give.")
    assert f"{counts.loc['gap filled', 'customers']:,} customers" in note and "renamed" not in note
    lattice = RESOURCES_DIR / "rfm_segments_lattice.csv"
    other = rfm.departure_customers(default_segments, rfm.rule_departures(lattice))
    assert "(renamed)" in rfm.departures_note(other, rules_name="the lattice rules")


def test_code_that_names_segments_knows_the_default_names():
    """Names other segkit code spells out exist in the default rules (and the playbook covers both files)."""
    import inspect

    from segkit.campaign import simulate
    from segkit.rfm.text import rfm_headline
    from segkit.timeline import migration

    default = set(rfm.load_rules()["segment"])
    lattice = set(rfm.load_rules(rfm.LATTICE_RULES)["segment"])
    assert default | lattice <= set(simulate.DEFAULT_UPLIFT)  # no default segment falls to the fallback uplift
    assert set(migration.TOP_SEGMENTS) | set(migration.LAPSED_SEGMENTS) <= default & lattice
    headline = inspect.signature(rfm_headline).parameters
    assert {headline["segment"].default, *headline["winback"].default} <= default & lattice
    book = rfm.load_playbook()
    assert default | lattice <= set(book.loc[book["view"] == "segment", "name"])
