"""Migration and alerts between two snapshots: who moved, who is slipping, who came back.

Two snapshots are either two exports (last month's and this month's) or two days of one export (the
snapshot and ``days`` before it). :func:`snapshot_pair` builds what both need once: the customer table and
the purchase cycle at each snapshot, and each customer's **revenue at stake**: their net revenue over the
``stake_days`` (365) days before the later snapshot, a year of value that a lost customer takes away (a
customer missing from the later data is counted over the year before the earlier snapshot).

The segments come from the caller (a model fitted at the earlier snapshot scores both, with
:mod:`segkit.score`), so that a customer changes segment because they changed. :func:`migration_table`
is the matrix of :func:`segkit.rfm.migration.segment_migration` in customers and in revenue, long;
:func:`migration_alerts` lists the customers to act on; :func:`recut_comparison` counts the moves that
only re-cutting the quintiles at the later snapshot makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.data import customer_table
from segkit.data.customers import CleanLines
from segkit.errors import DataError
from segkit.rfm.views import abc_tiers
from segkit.rfm.migration import segment_migration
from segkit.rfm.text import NO_LONGER_IN_TABLE, NOT_YET_A_CUSTOMER
from segkit.timeline import _sql
from segkit.timeline._lines import Lines, _lines
from segkit.timeline.cycle import _check_multiple, purchase_cycle
from segkit.timeline.text import REASONS

#: Segments whose customers are the business's best: leaving them raises an alert.
TOP_SEGMENTS: tuple[str, ...] = ("Champions", "Loyal Customers")
#: Segments of customers who have lapsed or are at risk: buying again from there is a win-back.
LAPSED_SEGMENTS: tuple[str, ...] = ("At Risk", "Can't Lose Them", "Hibernating", "Lost")
#: Columns of :func:`migration_table` and of :func:`migration_alerts`.
MIGRATION_COLUMNS: tuple[str, ...] = ("from", "to", "customers", "revenue")
ALERT_COLUMNS: tuple[str, ...] = ("customer_id", "from", "to", "revenue_at_stake", "reason")


@dataclass(frozen=True)
class SnapshotPair:
    """The two snapshots, as :func:`snapshot_pair` builds them.

    Attributes
    ----------
    earlier_date, later_date : Timestamp
        The snapshot days (lines dated before them count).
    earlier, later : DataFrame
        :func:`segkit.data.customer_table` at each snapshot.
    cycle_earlier, cycle_later : DataFrame
        :func:`segkit.timeline.purchase_cycle` at each snapshot.
    at_stake : Series
        Revenue at stake of every customer of either snapshot (see the module docstring).
    stake_days : int
        The window of ``at_stake``, in days.
    """

    earlier_date: pd.Timestamp
    later_date: pd.Timestamp
    earlier: pd.DataFrame
    later: pd.DataFrame
    cycle_earlier: pd.DataFrame
    cycle_later: pd.DataFrame
    at_stake: pd.Series
    stake_days: int

    @property
    def days(self) -> int:
        """Days between the two snapshots."""
        return int((self.later_date - self.earlier_date).days)


def _whole_days(value: object, name: str, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DataError(f"{name}={value!r} must be a whole number of days of at least 1 ({example}).")
    return int(value)


def snapshot_pair(
    clean: CleanLines,
    *,
    earlier_clean: CleanLines | None = None,
    days: int = 90,
    snapshot_date: str | pd.Timestamp | None = None,
    earlier_snapshot_date: str | pd.Timestamp | None = None,
    overdue_multiple: float = 2.0,
    stake_days: int = 365,
) -> SnapshotPair:
    """Customer tables, purchase cycles and revenue at stake at an earlier and a later snapshot.

    Parameters
    ----------
    clean : DataFrame or path
        Clean order lines of the later export (:func:`segkit.data.load_clean`), or their Parquet file
        (:func:`segkit.engine.clean_lines`): every table is computed in the engine.
    earlier_clean : DataFrame or path, optional
        Clean order lines of an earlier export; default ``clean`` itself (two days of one export).
    days : int, default 90
        Days between the snapshots when one export is compared with itself.
    snapshot_date : date-like, optional
        The later snapshot; default the day after ``clean``'s last line.
    earlier_snapshot_date : date-like, optional
        The earlier snapshot; default the day after ``earlier_clean``'s last line for two exports, else
        ``days`` before the later snapshot.
    overdue_multiple : float, default 2
        As in :func:`segkit.timeline.purchase_cycle`.
    stake_days : int, default 365
        Window of the revenue at stake, in days before the later snapshot.

    Returns
    -------
    SnapshotPair

    Raises
    ------
    DataError
        Unusable options, an earlier snapshot that is not before the later one or before which nobody
        bought, or two snapshots with no customers in common (each message says what to change).
    """
    days = _whole_days(days, "days", "e.g. 90 for a quarter")
    stake_days = _whole_days(stake_days, "stake_days", "e.g. 365 for a year of revenue")
    multiple = _check_multiple(overdue_multiple)
    later_lines = _lines(clean, snapshot_date)
    later_date = later_lines.snapshot
    same_export = earlier_clean is None
    source = clean if same_export else earlier_clean
    if earlier_snapshot_date in (None, "") and same_export:
        earlier_snapshot_date = later_date - pd.Timedelta(days=days)
    span = later_lines if same_export else _lines(source, None)  # the first line, and the day after the last
    earlier_date = _earlier_date(span.first, span.snapshot, earlier_snapshot_date, later_date, days=days,
                                 same_export=same_export)
    earlier_lines = _lines(source, earlier_date)
    earlier, later = (customer_table(source, snapshot_date=earlier_date),
                      customer_table(clean, snapshot_date=later_date))
    _check_common(earlier.index, later.index)
    at_stake = _recent_revenue(later_lines, stake_days, later.index)
    gone = earlier.index.difference(later.index)
    if len(gone):
        at_stake = pd.concat([at_stake, _recent_revenue(earlier_lines, stake_days, gone)])
    return SnapshotPair(
        earlier_date=earlier_date, later_date=later_date, earlier=earlier, later=later,
        cycle_earlier=purchase_cycle(source, snapshot_date=earlier_date, overdue_multiple=multiple),
        cycle_later=purchase_cycle(clean, snapshot_date=later_date, overdue_multiple=multiple),
        at_stake=at_stake.rename("revenue_at_stake"), stake_days=stake_days)


def _earlier_date(first: pd.Timestamp, after_last: pd.Timestamp, given: object, later_date: pd.Timestamp, *,
                  days: int, same_export: bool) -> pd.Timestamp:
    """The earlier snapshot: ``given``, or ``after_last`` (the day after the earlier export's last line)."""
    first = first.normalize()
    if given in (None, ""):
        date = after_last
    else:
        try:
            date = pd.Timestamp(given).normalize()
        except (ValueError, TypeError):
            raise DataError(f"earlier_snapshot_date {given!r} is not a date. Use 'YYYY-MM-DD'.") from None
    if date >= later_date:
        raise DataError(f"the earlier snapshot {date.date()} is not before the later one {later_date.date()}; "
                        "pass the older export as the earlier one, or an earlier_snapshot_date before the later.")
    if date <= first:
        fix = (f"set the comparison below {(later_date - first).days:,} days (it is {days:,})" if same_export
               else "choose a later earlier_snapshot_date")
        raise DataError(f"nobody had bought by the earlier snapshot {date.date()}: the data start on {first.date()}, "
                        f"{(later_date - first).days:,} days before the later snapshot {later_date.date()}; {fix}.")
    return date


def _check_common(earlier: pd.Index, later: pd.Index) -> None:
    if len(earlier.intersection(later)):
        return
    raise DataError(
        f"the two snapshots have no customers in common: the earlier has {len(earlier):,} customers "
        f"(e.g. {earlier[:3].tolist()}), the later {len(later):,} (e.g. {later[:3].tolist()}), so nobody can be "
        "followed from one to the other. Compare two exports of the same shop whose customer ids are read alike: "
        "map the same column to customer_id in both (column_map) and check that ids keep their form "
        "(leading zeros, prefixes)."
    )


def _recent_revenue(lines: Lines, days: int, ids: pd.Index) -> pd.Series:
    """Net revenue per customer over the ``days`` days before the snapshot (0 without a line there), in the engine."""
    since = lines.before(lines.snapshot - pd.Timedelta(days=days))
    found = lines.query(lambda relation, l: _sql.recent_revenue_query(relation, since, l.before()))
    revenue = pd.Series(found["revenue"].to_numpy(float), index=found["customer_id"].to_numpy(object))
    return revenue.reindex(ids, fill_value=0.0).astype(float)


def migration_table(earlier: pd.Series, later: pd.Series, at_stake: pd.Series) -> pd.DataFrame:
    """Customers and their revenue at stake moving from each earlier to each later segment, one row per move.

    ``from`` is ``"(not yet a customer)"`` for customers new since the earlier snapshot and ``to`` is
    ``"(no longer in the table)"`` for customers missing later (two exports only). Customers add up to
    the customers of either snapshot, revenue to their revenue at stake.

    Parameters
    ----------
    earlier, later : Series
        Segment per customer at each snapshot, indexed by ``customer_id`` (categoricals keep their order).
    at_stake : Series
        Revenue at stake of every customer of either snapshot (:attr:`SnapshotPair.at_stake`).

    Returns
    -------
    DataFrame
        ``from``, ``to``, ``customers``, ``revenue``; only moves with customers, in segment order.

    Examples
    --------
    >>> e = pd.Series(["x", "y"], index=["a", "b"])
    >>> l = pd.Series(["y", "y", "x"], index=["a", "b", "c"])
    >>> migration_table(e, l, pd.Series([1.0, 2.0, 4.0], index=["a", "b", "c"])).to_numpy().tolist()
    [['x', 'y', 1, 1.0], ['y', 'y', 1, 2.0], ['(not yet a customer)', 'x', 1, 4.0]]
    """
    counts = segment_migration(earlier, later, drop_empty=False)
    revenue = segment_migration(earlier, later, drop_empty=False, weights=at_stake)
    frm = np.repeat(counts.index.to_numpy(object), counts.shape[1])
    to = np.tile(counts.columns.to_numpy(object), counts.shape[0])
    table = pd.DataFrame({"from": frm, "to": to, "customers": counts.to_numpy().ravel(),
                          "revenue": revenue.to_numpy(float).ravel()})
    return table.loc[table["customers"] > 0].reset_index(drop=True)


def migration_alerts(
    pair: SnapshotPair,
    earlier: pd.Series,
    later: pd.Series,
    *,
    top_segments: Sequence[str] = TOP_SEGMENTS,
    lapsed_segments: Sequence[str] = LAPSED_SEGMENTS,
    valuable_share: float = 0.5,
) -> pd.DataFrame:
    """Customers to act on between the two snapshots, one row per customer and reason.

    Reasons (:data:`segkit.timeline.text.REASONS`): ``left top segment``: in one of ``top_segments``
    earlier, in none of them later (or gone); ``newly overdue``: a valuable customer overdue on their
    own purchase cycle at the later snapshot but not at the earlier one (valuable: the highest revenue
    at stake customers who together bring ``valuable_share`` of it, as an ABC tier A); ``won back``: in
    one of ``lapsed_segments`` earlier, and bought since.

    Parameters
    ----------
    pair : SnapshotPair
    earlier, later : Series
        Segment per customer at each snapshot (as for :func:`migration_table`).
    top_segments, lapsed_segments : sequence of str
        Segment names; each must be a segment of ``earlier`` or ``later``.
    valuable_share : float, default 0.5
        Share of revenue at stake that the valuable customers bring, in (0, 1).

    Returns
    -------
    DataFrame
        ``customer_id``, ``from``, ``to``, ``revenue_at_stake``, ``reason``: by reason, then largest
        revenue at stake first.
    """
    if not isinstance(pair, SnapshotPair):
        raise DataError(f"pair must be a SnapshotPair, got {type(pair).__name__}; build it with "
                        "segkit.timeline.snapshot_pair(clean, days=90).")
    known = set(map(str, _names(earlier))) | set(map(str, _names(later)))
    top, lapsed = _check_segments(top_segments, "top_segments", known), _check_segments(
        lapsed_segments, "lapsed_segments", known)
    if isinstance(valuable_share, bool) or not isinstance(valuable_share, (int, float)) \
            or not 0 < valuable_share < 1:
        raise DataError(f"valuable_share={valuable_share!r} must be a share of revenue between 0 and 1 "
                        "(exclusive), e.g. 0.5 for the customers who bring the top half of it.")
    ids = earlier.index.append(later.index).unique()
    before = earlier.reindex(ids).astype(object).fillna(NOT_YET_A_CUSTOMER)
    after = later.reindex(ids).astype(object).fillna(NO_LONGER_IN_TABLE)
    stake = pair.at_stake.reindex(ids).fillna(0.0)
    flags = {
        "left_top": before.isin(top) & ~after.isin(top),
        "newly_overdue": _valuable(pair.at_stake.reindex(later.index), valuable_share).reindex(ids, fill_value=False)
        & _newly_overdue(pair).reindex(ids, fill_value=False),
        "won_back": before.isin(lapsed) & _bought_since(pair).reindex(ids, fill_value=False),
    }
    parts = [pd.DataFrame({"customer_id": ids[mask.to_numpy()], "from": before[mask].to_numpy(),
                           "to": after[mask].to_numpy(), "revenue_at_stake": stake[mask].to_numpy(float),
                           "reason": REASONS[key], "_order": i})
             for i, (key, mask) in enumerate(flags.items())]
    alerts = pd.concat(parts, ignore_index=True).sort_values(
        ["_order", "revenue_at_stake", "customer_id"], ascending=[True, False, True], kind="stable")
    return alerts.drop(columns="_order").reset_index(drop=True)


def _names(segments: pd.Series) -> list:
    if isinstance(segments.dtype, pd.CategoricalDtype):
        return list(segments.cat.categories)
    return list(segments.dropna().unique())


def _check_segments(names: Sequence[str], option: str, known: set[str]) -> list[str]:
    if isinstance(names, str) or not len(names):
        raise DataError(f"{option} must be a non-empty list of segment names, e.g. {list(TOP_SEGMENTS)}; "
                        f"got {names!r}.")
    unknown = [n for n in names if str(n) not in known]
    if unknown:
        raise DataError(f"{option} names segment(s) {unknown} that neither snapshot has; the segments are "
                        f"{sorted(known)}. Spell them as the segment rules do.")
    return [str(n) for n in names]


def _valuable(at_stake: pd.Series, share: float) -> pd.Series:
    values = at_stake.clip(lower=0.0)
    if values.sum() <= 0:
        return pd.Series(False, index=at_stake.index)
    return abc_tiers(values, a=share, b=1.0) == "A"


def _newly_overdue(pair: SnapshotPair) -> pd.Series:
    before = pair.cycle_earlier["overdue"].reindex(pair.cycle_later.index, fill_value=False)
    return pair.cycle_later["overdue"] & ~before.astype(bool)


def _bought_since(pair: SnapshotPair) -> pd.Series:
    """A purchase on or after the earlier snapshot day: at most ``pair.days`` days before the later one."""
    return pair.cycle_later["days_since_last_purchase"] <= pair.days


def recut_comparison(earlier: pd.Series, fixed: pd.Series, refit: pd.Series) -> pd.Series:
    """How many moves only re-cutting the quintiles makes: the later snapshot scored two ways.

    Parameters
    ----------
    earlier : Series
        Segment per customer at the earlier snapshot.
    fixed : Series
        Later segments with the model fitted at the earlier snapshot (cut points kept).
    refit : Series
        Later segments with the cut points re-cut on the later customers.

    Returns
    -------
    Series
        Counts: ``customers`` (later), ``differ`` (fixed and refit segments differ), ``followed`` (customers of
        both snapshots), ``moved_fixed`` and ``moved_refit`` (of those, segment changed under each scoring),
        ``only_refit`` (moved under refit only: artefacts of re-cutting) and ``only_fixed`` (moves re-cutting hides).

    Examples
    --------
    >>> e = pd.Series(["x", "x"], index=["a", "b"])
    >>> recut_comparison(e, pd.Series(["x", "y"], index=["a", "b"]), pd.Series(["y", "y"], index=["a", "b"]))["only_refit"]
    np.int64(1)
    """
    if not fixed.index.sort_values().equals(refit.index.sort_values()) or fixed.index.has_duplicates:
        raise DataError(f"the two scorings of the later snapshot cover different customers ({len(fixed):,} and "
                        f"{len(refit):,}); score the same customer table both ways.")
    refit = refit.reindex(fixed.index).astype(object)
    fixed = fixed.astype(object)
    both = fixed.index.intersection(earlier.index)
    before = earlier.reindex(both).astype(object)
    moved_fixed = (fixed.reindex(both) != before).to_numpy()
    moved_refit = (refit.reindex(both) != before).to_numpy()
    return pd.Series({
        "customers": len(fixed), "differ": int((fixed != refit).sum()), "followed": len(both),
        "moved_fixed": int(moved_fixed.sum()), "moved_refit": int(moved_refit.sum()),
        "only_refit": int((moved_refit & ~moved_fixed).sum()), "only_fixed": int((moved_fixed & ~moved_refit).sum()),
    }, dtype=np.int64)
