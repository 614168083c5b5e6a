"""Rules per segment, the rules specific to a segment, the item mix per segment and the next best item.

A segment's rules are computed on its own baskets (support, confidence and lift within the segment).
``lift_vs_base`` = lift within the segment ÷ lift of the same pair over all baskets, and
``lift_vs_rest`` = lift within the segment ÷ lift over the baskets of all *other* customers.

Why both: a pair bought together in one segment only (the "diapers and beer" of one group) also
has a high lift over all baskets, because lift is not an average of the segments' lifts: mixing
the segment's baskets into the base concentrates both items in the same baskets, and the base lift
can even exceed the segment's (``lift_vs_base`` below 1 for the most specific pair of all). Against
the other customers' baskets the planted pair is at chance level, so ``lift_vs_rest`` is far above
1. Specific rules are therefore chosen by ``lift_vs_rest``; ``lift_vs_base`` is exported as asked
(how the segment compares with the average basket). The mix index of a segment and a category is its share of
the segment's revenue ÷ its share of all revenue × 100 (100 = as the base).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from segkit.basket import _sql
from segkit.basket.baskets import Baskets, _columns, _filled
from segkit.basket.rules import RULE_COLUMNS, _check_basket_pairs, _check_thresholds, labelled, pair_table
from segkit.data.customers import CleanLines
from segkit.engine import database, duck
from segkit.errors import DataError

#: The segment label of the rules over all baskets.
BASE: str = "All customers"
#: The columns of :func:`segment_rules`.
SEGMENT_RULE_COLUMNS: tuple[str, ...] = ("segment",) + RULE_COLUMNS + ("base_lift", "lift_vs_base", "rest_lift",
                                                                       "lift_vs_rest")
#: The columns of :func:`item_mix`.
MIX_COLUMNS: tuple[str, ...] = ("segment", "dimension", "value", "revenue", "share", "base_share", "index")


def basket_segments(baskets: Baskets, segments: pd.Series) -> pd.Series:
    """The segment of each basket's customer (missing for customers without a segment)."""
    if not isinstance(segments, pd.Series):
        raise DataError("segments must be a Series of segment labels indexed by customer_id.")
    if not segments.index.is_unique:
        raise DataError(f"segments has {segments.index.duplicated().sum():,} repeated customer id(s): one segment "
                        "per customer is needed.")
    keys = pd.Index(segments.index.astype(str))
    return pd.Series(pd.Series(segments.to_numpy(), index=keys).reindex(pd.Index(baskets.customers).astype(str))
                     .to_numpy(), name="segment")


def _segment_order(segments: pd.Series) -> list:
    """Segments with customers, largest first (ties by label), the order of every table here."""
    counts = segments.astype(object).dropna().value_counts()
    counts = counts[counts > 0]
    return sorted(counts.index, key=lambda s: (-counts[s], str(s)))


def segment_rules(
    baskets: Baskets, segments: pd.Series, *, min_support: float = 0.01, min_confidence: float = 0.0,
    min_lift: float = 1.0, min_baskets: int = 2, min_buyers: int = 2,
) -> pd.DataFrame:
    """Association rules over all baskets (segment :data:`BASE`) and within each segment.

    Parameters
    ----------
    baskets : Baskets
    segments : Series
        Segment label per customer, indexed by ``customer_id`` (e.g. RFM segments or planted groups).
    min_support, min_confidence, min_lift, min_baskets, min_buyers
        As in :func:`segkit.basket.association_rules`, applied within each segment (support is a
        share of the segment's baskets).

    Returns
    -------
    DataFrame
        Columns :data:`SEGMENT_RULE_COLUMNS`: the base's rules first, then each segment's (largest
        segment first), each ranked by lift. ``base_lift`` is the pair's lift over all baskets
        (unfiltered), ``lift_vs_base`` = ``lift / base_lift``; ``rest_lift`` is its lift over the
        other segments' baskets and ``lift_vs_rest`` = ``lift / rest_lift`` (infinite when the others
        never buy the pair together; both NaN for the base's rows).

    Raises
    ------
    DataError
        As :func:`association_rules`, or bad ``segments``.
    """
    _check_thresholds(min_support=min_support, min_confidence=min_confidence, min_lift=min_lift)
    _check_basket_pairs(baskets)
    per_basket = basket_segments(baskets, segments)
    base = pair_table(baskets)
    base_pairs = base.set_index(["a", "b"])["baskets"]
    base_lift = base.set_index(["a", "b"])["lift"]
    n_item = np.asarray(baskets.matrix.sum(axis=0)).ravel()
    tables = []
    for label, part in [(BASE, baskets)] + [(s, baskets.subset((per_basket == s).to_numpy()))
                                            for s in _segment_order(segments)]:
        pairs = base if part is baskets else pair_table(part)
        keep = ((pairs["support"] >= min_support) & (pairs["confidence"] >= min_confidence)
                & (pairs["lift"] >= min_lift) & (pairs["baskets"] >= min_baskets))
        if min_buyers > 1 and part.n_baskets:
            enough = (part.item_buyers() >= min_buyers).to_numpy()
            keep &= enough[pairs["a"].to_numpy()] & enough[pairs["b"].to_numpy()]
        kept = pairs[keep]
        key = pd.MultiIndex.from_arrays([kept["a"], kept["b"]])
        rest = _rest_lift(kept, base_pairs.reindex(key).to_numpy(), n_item, baskets.n_baskets, part.n_baskets)
        kept = kept.assign(base_lift=base_lift.reindex(key).to_numpy(),
                           rest_lift=np.nan if part is baskets else rest)
        rules = labelled(kept, baskets.items, keep=("base_lift", "rest_lift"))
        tables.append(rules.assign(segment=label, lift_vs_base=rules["lift"] / rules["base_lift"],
                                   lift_vs_rest=_ratio(rules["lift"].to_numpy(), rules["rest_lift"].to_numpy())))
    out = pd.concat(tables, ignore_index=True)
    return out[list(SEGMENT_RULE_COLUMNS)]


def _rest_lift(kept: pd.DataFrame, base_ab: np.ndarray, n_item: np.ndarray, n: int, n_part: int) -> np.ndarray:
    """Lift of each kept pair over the baskets *outside* the part (base counts minus the part's)."""
    n_rest = n - n_part
    if n_rest == 0:
        return np.full(len(kept), np.nan)
    a, b = kept["a"].to_numpy(), kept["b"].to_numpy()
    n_a = n_item[a] - np.rint(kept["antecedent_support"].to_numpy() * n_part)
    n_b = n_item[b] - np.rint(kept["consequent_support"].to_numpy() * n_part)
    ab = base_ab - kept["baskets"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((n_a > 0) & (n_b > 0), ab * n_rest / (n_a * n_b), np.nan)


def _ratio(lift: np.ndarray, other: np.ndarray) -> np.ndarray:
    """``lift / other``; infinite when the pair is never bought together elsewhere, NaN when undefined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(other > 0, lift / np.where(other > 0, other, 1), np.where(other == 0, np.inf, np.nan))


def specific_rules(rules: pd.DataFrame, *, min_ratio: float = 1.5, top: int = 3) -> pd.DataFrame:
    """Each segment's rules whose lift is at least ``min_ratio`` × the lift in the other segments, best ``top``.

    Ranked within each segment by lift (then support): ``lift_vs_rest`` only selects, because a rare
    pair never bought together elsewhere has an infinite ratio on a handful of baskets. The base's own
    rows are left out.
    """
    own = rules[(rules["segment"] != BASE) & (rules["lift_vs_rest"] >= min_ratio)]
    order = {s: i for i, s in enumerate(dict.fromkeys(rules["segment"]))}
    own = own.assign(_order=own["segment"].map(order)).sort_values(
        ["_order", "lift", "support"], ascending=[True, False, False], kind="mergesort")
    return own.groupby("segment", sort=False).head(top).drop(columns="_order").reset_index(drop=True)


def _segment_codes(segments: pd.Series, order: list) -> pd.DataFrame:
    """The small frame the engine joins: each customer with a segment (id as text) and its segment's
    position in ``order``."""
    position = {label: i for i, label in enumerate(order)}
    codes = pd.Series(segments.to_numpy(), index=pd.Index(segments.index.astype(str))).map(position)
    known = codes.notna().to_numpy()
    return pd.DataFrame({"customer_id": codes.index[known].to_numpy(object),
                         "code": codes.to_numpy()[known].astype(np.int64)})


def item_mix(lines: CleanLines, segments: pd.Series, *, column: str = "category",
             snapshot_date: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Revenue share of each value of ``column`` per segment against the base (index 100 = base share).

    Purchase lines only (``amount`` > 0, not returns), of ``lines`` (a frame or the Parquet file of
    :func:`segkit.engine.clean_lines`) dated before ``snapshot_date`` when given. The revenue per
    segment and value is summed in the engine, with the segments joined there. Returns columns
    :data:`MIX_COLUMNS`, one row per segment and value (values a segment never bought have share 0 and
    index 0).

    Raises
    ------
    DataError
        ``column`` or ``amount`` missing, or no purchase line with a value.
    """
    return _item_mix(lines, segments, column=column, snapshot_date=snapshot_date, connection=database.session())


def _item_mix(lines: CleanLines, segments: pd.Series, *, column: str, snapshot_date, connection) -> pd.DataFrame:
    """:func:`item_mix` on a given DuckDB connection (one for all the dimensions of :func:`segment_mix`)."""
    columns = _columns(lines)
    for needed in (column, "amount", "customer_id"):
        if needed not in columns:
            raise DataError(f"The {column} mix needs a '{needed}' column; the data has none (map one with column_map).")
    order = _segment_order(segments)
    before = None if snapshot_date in (None, "") else duck._date(pd.Timestamp(snapshot_date).normalize())
    bought = _sql.purchase_rule(columns, item=column, amount=True, before=before)
    con = connection
    con.register("segment_labels", _segment_codes(segments, order))
    try:
        part = duck._query_lines(con, lines, lambda relation: _sql.mix_query(relation, column, bought))
    finally:
        con.unregister("segment_labels")
    if part.empty:
        raise DataError(f"No purchase line has a {column}: there is no {column} mix to show.")
    base = part.loc[part["code"] == -1].set_index("value")["revenue"].sort_index()
    base_share = base / base.sum()
    own = part.loc[part["code"] >= 0]
    table = own.pivot_table(index="code", columns="value", values="revenue", aggfunc="sum", fill_value=0.0)
    table = table.reindex(index=[i for i in range(len(order)) if i in table.index], columns=base.index,
                          fill_value=0.0)
    table.index = pd.Index([order[i] for i in table.index], name="segment")
    share = table.div(table.sum(axis=1), axis=0)
    long = share.stack().rename("share").reset_index()
    long["revenue"] = table.stack().to_numpy()
    long["base_share"] = base_share.reindex(long["value"]).to_numpy()
    long["index"] = 100 * long["share"] / long["base_share"]
    return long.assign(dimension=column)[list(MIX_COLUMNS)]


#: The columns a segment mix is shown for, when the data has them.
MIX_DIMENSIONS: tuple[str, ...] = ("category", "channel", "country")


def segment_mix(lines: CleanLines, segments: pd.Series, *, dimensions: tuple[str, ...] = MIX_DIMENSIONS,
                snapshot_date: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """:func:`item_mix` for each of ``dimensions`` the data has (with a value), stacked; empty when it has none.

    The ``dimension`` column says which; a dimension the data lacks is simply absent, so a file without
    a category column still gets its channel and country mix. ``lines`` and ``snapshot_date`` as in
    :func:`item_mix`.
    """
    con = database.session()
    filled = _filled(lines, list(dimensions), connection=con)
    present = [c for c in dimensions if filled.get(c)]
    if not present:
        return pd.DataFrame(columns=list(MIX_COLUMNS))
    return pd.concat([_item_mix(lines, segments, column=c, snapshot_date=snapshot_date, connection=con)
                      for c in present], ignore_index=True)


def customer_items(baskets: Baskets) -> tuple[sparse.csr_matrix, pd.Index]:
    """Customer × item 0/1 matrix (has the customer ever bought the item) and its customer ids."""
    codes, customers = pd.factorize(pd.Series(baskets.customers).astype(str), sort=True)
    owner = sparse.csr_matrix((np.ones(baskets.n_baskets, dtype=np.int32), (codes, np.arange(baskets.n_baskets))),
                              shape=(len(customers), baskets.n_baskets))
    bought = (owner @ baskets.matrix) > 0
    return sparse.csr_matrix(bought, dtype=np.int32), pd.Index(customers, name="customer_id")


def next_best_items(baskets: Baskets, segments: pd.Series, rules: pd.DataFrame, *, top: int = 1) -> pd.DataFrame:
    """Cross-sell per segment: the rule whose consequent the most segment customers are likely to take up.

    For each rule of a segment, ``reach`` counts the segment's customers who have bought the antecedent
    but never the consequent; ``expected_takers`` = reach × confidence (the share of the antecedent's
    baskets that hold the consequent, a rough take-up rate). The ``top`` rules per segment by expected
    takers are returned, with segment, antecedent, consequent, confidence, lift, lift_vs_base, reach and
    expected_takers.
    """
    columns = ["segment", "antecedent", "consequent", "confidence", "lift", "lift_vs_base", "reach",
               "expected_takers"]
    own = rules[rules["segment"] != BASE]
    if own.empty:
        return pd.DataFrame(columns=columns)
    bought, customers = customer_items(baskets)
    keys = pd.Series(segments.to_numpy(), index=pd.Index(segments.index.astype(str)))
    customer_segment = keys.reindex(customers).to_numpy()
    a = baskets.items.get_indexer(own["antecedent"])
    c = baskets.items.get_indexer(own["consequent"])
    reach = np.zeros(len(own), dtype=np.int64)
    for label in own["segment"].unique():
        rows = np.flatnonzero(own["segment"].to_numpy() == label)
        mine = bought[np.flatnonzero(customer_segment == label)]
        has_a, has_c = mine[:, a[rows]], mine[:, c[rows]]
        reach[rows] = np.asarray((has_a - has_a.multiply(has_c)).sum(axis=0)).ravel()
    out = own.assign(reach=reach, expected_takers=reach * own["confidence"].to_numpy())
    out = out.sort_values("expected_takers", ascending=False, kind="mergesort")
    order = {s: i for i, s in enumerate(dict.fromkeys(own["segment"]))}
    out = out.groupby("segment", sort=False).head(top)
    out = out.assign(_o=out["segment"].map(order)).sort_values(["_o", "expected_takers"], ascending=[True, False],
                                                               kind="mergesort")
    return out[columns].reset_index(drop=True)
