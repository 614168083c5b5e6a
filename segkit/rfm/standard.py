"""The published 11-segment RFM table and where a rules file departs from it, cell by cell.

The default rules (``resources/rfm_segments.csv``) start from the table published with the R package
``rfm`` (Aravind Hebbali, version 0.2.2, vignette "Introduction to RFM"; transcribed in
``resources/rfm_published_segments.csv``, with the full citation in both files). That table names
47 of the 125 score cells once, 42 cells two to five times (overlaps) and 36 cells not at all (gaps).
A rules file gives every cell exactly one name, so it departs from the table at least on those 78 cells:

* **overlap resolved**: several published segments claim the cell; the rule that comes first in the
  priority order names it.
* **gap filled**: no published segment claims the cell; the stated gap rule names it (the nearest
  segment whose rule holds the cell's R score, counted in F and M score steps, ties to the earlier rule).
* **renamed**: one published segment claims the cell but the rules give another name (none in the
  default rules; other rules files, such as segkit's lattice, have many).

:func:`rule_departures` lists them with a reason written from the two tables, :func:`departure_customers`
counts the customers in them and :func:`rules_difference` compares two rules files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from segkit.errors import DataError
from segkit.paths import RESOURCES_DIR
from segkit.rfm._validation import _check_bins, _check_scores
from segkit.rfm.rules import _RULE_SCALE, load_rules, rule_cells, rule_to_scale

#: The published table, transcribed as printed (ranges such as ``4 - 5`` and ``<= 2``).
PUBLISHED_TABLE: Path = RESOURCES_DIR / "rfm_published_segments.csv"
#: The kinds of departure from the published table, in the order reports list them.
DEPARTURE_KINDS: tuple[str, ...] = ("overlap resolved", "gap filled", "renamed")
_CELL_COLUMNS = ["R", "F", "M"]


def _printed_range(text: str, *, segment: str, column: str) -> tuple[int, int]:
    """``4 - 5`` → (4, 5); ``<= 2`` → (1, 2); ``5`` → (5, 5), on the 1..5 scale."""
    raw = str(text).replace(" ", "")
    try:
        if raw.startswith("<="):
            low, high = 1, int(raw[2:])
        else:
            parts = raw.split("-")
            low, high = int(parts[0]), int(parts[-1])
    except ValueError:
        low = high = 0
    if not 1 <= low <= high <= _RULE_SCALE:
        raise DataError(f"the published table's {segment!r} row has {column} = {text!r}; write it as printed, "
                        f"e.g. '4 - 5', '<= 2' or '3', on the 1..{_RULE_SCALE} scale.")
    return low, high


def published_segments(path: str | Path | None = None) -> pd.DataFrame:
    """The published 11-segment table: its rows in published order, ranges as printed and as integers.

    Parameters
    ----------
    path : path, optional
        A CSV with columns ``order, segment, description, R, F, M`` (``#`` lines are comments);
        defaults to the shipped transcription ``resources/rfm_published_segments.csv``.

    Returns
    -------
    DataFrame
        Index ``segment`` in published order; ``description``, ``R``, ``F``, ``M`` (text as printed),
        ``r_min`` … ``m_max`` (integers) and ``cells`` (how many of the 125 cells the row claims).

    Examples
    --------
    >>> table = published_segments()
    >>> len(table), table.loc["Can't Lose Them", ["r_min", "r_max", "cells"]].tolist()
    (11, [1, 1, 4])
    """
    path = Path(path) if path is not None else PUBLISHED_TABLE
    if not path.exists():
        raise DataError(f"published table {str(path)!r} does not exist; pass an existing CSV or None for the default.")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    missing = [c for c in ["order", "segment", "description", *_CELL_COLUMNS] if c not in table.columns]
    if missing:
        raise DataError(f"the published table lacks column(s) {missing}; see {PUBLISHED_TABLE.name} for the layout.")
    table = table.assign(order=pd.to_numeric(table["order"])).sort_values("order", kind="stable")
    for dim in _CELL_COLUMNS:
        bounds = [_printed_range(v, segment=s, column=dim) for s, v in zip(table["segment"], table[dim])]
        table[f"{dim.lower()}_min"] = [b[0] for b in bounds]
        table[f"{dim.lower()}_max"] = [b[1] for b in bounds]
    table["cells"] = np.prod([table[f"{d}_max"] - table[f"{d}_min"] + 1 for d in "rfm"], axis=0)
    return table.drop(columns="order").set_index("segment")


def _claims(cells: pd.DataFrame, boxes: pd.DataFrame) -> np.ndarray:
    """Boolean matrix: cell i lies in box j (boxes with ``r_min`` … ``m_max``)."""
    grid = cells[_CELL_COLUMNS].to_numpy()[:, None, :]
    lo = boxes[["r_min", "f_min", "m_min"]].to_numpy()[None]
    hi = boxes[["r_max", "f_max", "m_max"]].to_numpy()[None]
    return ((grid >= lo) & (grid <= hi)).all(axis=2)


def _fm_steps(cells: pd.DataFrame, boxes: pd.DataFrame) -> np.ndarray:
    """F and M score steps from cell i into box j (0 inside), ignoring R."""
    steps = np.zeros((len(cells), len(boxes)), dtype=int)
    for dim in "FM":
        v = cells[dim].to_numpy()[:, None]
        lo, hi = (boxes[f"{dim.lower()}_{e}"].to_numpy()[None] for e in ("min", "max"))
        steps += np.maximum(lo - v, 0) + np.maximum(v - hi, 0)
    return steps


def nearest_segments(cells: pd.DataFrame, rules: str | Path | pd.DataFrame | None = None, *,
                     published: str | Path | None = None) -> pd.DataFrame:
    """The gap rule: for each cell, the nearest segment whose rule holds its R score, in F and M score steps.

    The rules that take part are those that write a published segment within its published ranges (the
    published rows as the rules file has them, e.g. narrowed); ties go to the lower priority number. A
    published segment without such a rule takes part with its published ranges, after all rules.

    Parameters
    ----------
    cells : DataFrame
        Columns ``R``, ``F``, ``M`` on the 1..5 scale.
    rules : path or DataFrame, optional
        Segment rules (see :func:`~segkit.rfm.load_rules`); the shipped default when omitted.
    published : path, optional
        The published table (see :func:`published_segments`); the shipped transcription when omitted.

    Returns
    -------
    DataFrame
        Same index: ``nearest`` (segment), ``steps`` (F and M score steps to its rule) and ``tied``
        (the other segments at the same distance, in priority order, joined by ", ").

    Examples
    --------
    >>> nearest_segments(pd.DataFrame({"R": [5], "F": [1], "M": [4]}))["nearest"].tolist()
    ['Potential Loyalist']
    """
    table = _published_rules(load_rules(rules), published_segments(published))
    r = cells["R"].to_numpy()[:, None]
    holds_r = (table["r_min"].to_numpy()[None] <= r) & (r <= table["r_max"].to_numpy()[None])
    steps = np.where(holds_r, _fm_steps(cells, table), np.iinfo(int).max)
    best = steps.min(axis=1)
    first = steps.argmin(axis=1)  # rows are in priority order, so the first minimum wins ties
    names = table["segment"].to_numpy()
    tied = [", ".join(dict.fromkeys(n for n in names[(row == b)] if n != names[f]))
            for row, b, f in zip(steps, best, first)]
    return pd.DataFrame({"nearest": names[first], "steps": best, "tied": tied}, index=cells.index)


def _published_rules(rules: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The rules that write a published segment within its published ranges, by priority, then the
    published rows of segments that have no such rule (with an infinite priority)."""
    bounds = ["r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]
    known = rules[rules["segment"].isin(table.index)]
    outer = table.loc[known["segment"], bounds].to_numpy()
    inner = known[bounds].to_numpy()
    within = (inner[:, ::2] >= outer[:, ::2]).all(axis=1) & (inner[:, 1::2] <= outer[:, 1::2]).all(axis=1)
    kept = known[within].sort_values("priority", kind="stable")[["segment", "priority", *bounds]]
    missing = table.loc[~table.index.isin(kept["segment"]), bounds].reset_index()
    return pd.concat([kept, missing.assign(priority=np.inf)], ignore_index=True)


def rule_departures(rules: str | Path | pd.DataFrame | None = None, *,
                    published: str | Path | None = None) -> pd.DataFrame:
    """Every score cell where ``rules`` do not simply repeat the published table, with the reason.

    A cell departs when the published table does not give it exactly one name (overlap or gap) or gives
    it another name than the rules do.

    Parameters
    ----------
    rules : path or DataFrame, optional
        Segment rules (see :func:`~segkit.rfm.load_rules`); the shipped default when omitted.
    published : path, optional
        The published table (see :func:`published_segments`); the shipped transcription when omitted.

    Returns
    -------
    DataFrame
        One row per departing cell, R slowest: ``R``, ``F``, ``M``, ``kind`` (one of
        :data:`DEPARTURE_KINDS`), ``published`` (the segments that claim the cell, in published order,
        joined by " / "; empty for a gap), ``segment`` (the rules' name) and ``reason``.

    Examples
    --------
    >>> d = rule_departures()
    >>> d["kind"].value_counts().to_dict()
    {'overlap resolved': 42, 'gap filled': 36}
    """
    table = published_segments(published)
    cells = rule_cells(rules)
    claims = _claims(cells, table)
    names = table.index.to_numpy()
    claimed = [list(names[row]) for row in claims]
    n_claims = claims.sum(axis=1)
    single = np.array([c[0] if len(c) == 1 else "" for c in claimed])
    kind = np.select([n_claims > 1, n_claims == 0, single != cells["segment"].to_numpy()],
                     list(DEPARTURE_KINDS), default="")
    out = cells[_CELL_COLUMNS].assign(kind=kind, published=[" / ".join(c) for c in claimed],
                                      segment=cells["segment"])
    keep = kind != ""
    out, claimed = out[keep].reset_index(drop=True), [c for c, k in zip(claimed, keep) if k]
    out["reason"] = _reasons(out, claimed, table, load_rules(rules), nearest_segments(out, rules, published=published))
    return out


def _rule_notes(rules: pd.DataFrame) -> dict[str, str]:
    """Segment -> the note of its first rule that is not a gap fill, when that note says more than "published"."""
    notes = rules[~rules["note"].str.lower().str.startswith("gap fill")].drop_duplicates("segment")
    return {s: n for s, n in zip(notes["segment"], notes["note"]) if n and n.lower() != "published"}


def _reasons(out: pd.DataFrame, claimed: list[list[str]], table: pd.DataFrame, rules: pd.DataFrame,
             nearest: pd.DataFrame) -> list[str]:
    """One sentence per departing cell, from the published table, the rules' notes and the gap rule."""
    notes = _rule_notes(rules)
    reasons = []
    for i, row in enumerate(out.itertuples(index=False)):
        if row.kind == "gap filled":
            reasons.append(_gap_reason(row.segment, nearest.iloc[i]))
        elif row.kind == "renamed":
            reasons.append(f"the published table names it {claimed[i][0]}; these rules name it {row.segment}")
        else:
            reasons.append(_overlap_reason(row.segment, claimed[i], table["cells"], notes))
    return reasons


def _gap_reason(segment: str, nearest: pd.Series) -> str:
    head = "no published segment claims it; "
    if segment != nearest["nearest"]:
        return head + f"these rules name it {segment}, where the gap rule gives {nearest['nearest']}"
    step = "step" if nearest["steps"] == 1 else "steps"
    tie = f"; tied with {nearest['tied']}, {segment}'s rule comes first" if nearest["tied"] else ""
    return head + f"{segment} is the nearest segment holding its R score ({nearest['steps']} F/M score {step}{tie})"


def _overlap_reason(segment: str, claimed: list[str], sizes: pd.Series, notes: dict[str, str]) -> str:
    head = f"{' / '.join(claimed)} all claim it; "
    if segment not in claimed:
        return head + f"these rules name it {segment}, which the published table does not"
    if segment in notes:
        return head + f"{segment}'s rule comes first in the priority order ({notes[segment]})"
    others = [c for c in claimed if c != segment]
    narrowed = [o for o in others if o in notes]
    if narrowed:
        return head + f"{segment} comes first of the rules that hold it ({narrowed[0]}: {notes[narrowed[0]]})"
    order = list(sizes.index)
    if all(sizes[o] > sizes[segment] or (sizes[o] == sizes[segment] and order.index(o) > order.index(segment))
           for o in others):
        wider = ", ".join(f"{o} {sizes[o]}" for o in others)
        tie = "; equal sizes go in published order" if (sizes[others] == sizes[segment]).any() else ""
        return head + (f"{segment} comes first in the priority order: narrowest ranges "
                       f"({sizes[segment]} cells; {wider}{tie})")
    return head + f"{segment} comes first in these rules' priority order"


def departure_customers(segments: pd.DataFrame, departures: pd.DataFrame, *, bins: int = 5) -> pd.DataFrame:
    """Customers whose score cell is a departure, per kind: how much of the data the departures touch.

    Parameters
    ----------
    segments : DataFrame
        With integer ``R``, ``F``, ``M`` on 1..``bins`` (the output of :func:`~segkit.rfm.rfm_segments`).
    departures : DataFrame
        :func:`rule_departures` of the rules the segments were made with.
    bins : int, default 5
        The score scale of ``segments``; scores are placed on the 1..5 rule scale as the rules do.

    Returns
    -------
    DataFrame
        Index ``kind`` (every kind of :data:`DEPARTURE_KINDS`, then ``"as published"`` and ``"all
        customers"``): ``cells`` (of the 125), ``customers`` and ``customers_pct``.

    Examples
    --------
    >>> scores = pd.DataFrame({"R": [5, 5, 1], "F": [5, 1, 1], "M": [5, 5, 1]})
    >>> departure_customers(scores, rule_departures())["customers"].tolist()
    [2, 1, 0, 0, 3]
    """
    bins = _check_bins(bins)
    _check_scores(segments, bins)
    scaled = pd.DataFrame({d: rule_to_scale(segments[d].to_numpy(), bins) for d in _CELL_COLUMNS})
    kinds = scaled.merge(departures[[*_CELL_COLUMNS, "kind"]], on=_CELL_COLUMNS, how="left")["kind"]
    kinds = kinds.fillna("as published")
    index = [*DEPARTURE_KINDS, "as published"]
    cells = departures["kind"].value_counts().reindex(index, fill_value=0)
    cells["as published"] = _RULE_SCALE ** 3 - len(departures)
    table = pd.DataFrame({"cells": cells, "customers": kinds.value_counts().reindex(index, fill_value=0)})
    table.loc["all customers"] = [_RULE_SCALE ** 3, len(segments)]
    table["customers_pct"] = 100 * table["customers"] / len(segments)
    table.index.name = "kind"
    return table


def departure_table(departures: pd.DataFrame, segments: pd.DataFrame | None = None, *, bins: int = 5) -> pd.DataFrame:
    """The departures grouped for a report: one row per kind, published claim, name given and reason.

    Parameters
    ----------
    departures : DataFrame
        :func:`rule_departures`.
    segments : DataFrame, optional
        Scored customers (``R``, ``F``, ``M`` on 1..``bins``) to count per group; no ``customers`` column without.
    bins : int, default 5
        The score scale of ``segments``.

    Returns
    -------
    DataFrame
        Columns ``kind``, ``published``, ``segment``, ``cells`` (how many), ``score cells`` (``R F M``
        triples such as ``511 521``), ``customers`` when ``segments`` is given, and ``reason``; kinds in
        :data:`DEPARTURE_KINDS` order, then most cells first.

    Examples
    --------
    >>> departure_table(rule_departures()).iloc[0][["kind", "published", "segment", "score cells"]].tolist()
    ['overlap resolved', 'Loyal Customers / At Risk', 'At Risk', '234 235 243 244 245 253 254 255']
    """
    d = departures.assign(cell=departures["R"].astype(str) + departures["F"].astype(str) + departures["M"].astype(str))
    if segments is not None:
        bins = _check_bins(bins)
        _check_scores(segments, bins)
        scaled = pd.DataFrame({k: rule_to_scale(segments[k].to_numpy(), bins) for k in _CELL_COLUMNS})
        counts = scaled.value_counts().rename("customers").reset_index()
        d = d.merge(counts, on=_CELL_COLUMNS, how="left").fillna({"customers": 0})
    agg = {"cells": ("cell", "size"), "score cells": ("cell", " ".join)}
    if segments is not None:
        agg["customers"] = ("customers", "sum")
    grouped = d.groupby(["kind", "published", "segment", "reason"], sort=False).agg(**agg).reset_index()
    grouped["kind_order"] = grouped["kind"].map({k: i for i, k in enumerate(DEPARTURE_KINDS)})
    grouped = grouped.sort_values(["kind_order", "cells"], ascending=[True, False], kind="stable")
    if segments is not None:
        grouped["customers"] = grouped["customers"].astype(int)
    columns = [c for c in grouped.columns if c not in ("kind_order", "reason")] + ["reason"]
    return grouped[columns].reset_index(drop=True)


def rules_difference(old: str | Path | pd.DataFrame | None, new: str | Path | pd.DataFrame | None = None,
                     segments: pd.DataFrame | None = None, *, bins: int = 5) -> dict[str, float]:
    """How far two rules files disagree: score cells named differently and, given scores, customers who change.

    Parameters
    ----------
    old, new : path or DataFrame
        Two segment rules (None is the shipped default).
    segments : DataFrame, optional
        Scored customers (``R``, ``F``, ``M`` on 1..``bins``).
    bins : int, default 5
        The score scale of ``segments``.

    Returns
    -------
    dict
        ``cells`` (of 125 named differently), and with ``segments`` also ``customers`` (how many change
        segment) and ``customers_share`` (their share, 0..1).

    Examples
    --------
    >>> from segkit.rfm.rules import LATTICE_RULES
    >>> rules_difference(LATTICE_RULES, None)["cells"]
    65
    """
    a, b = rule_cells(old), rule_cells(new)
    differs = a["segment"].to_numpy() != b["segment"].to_numpy()
    result: dict[str, float] = {"cells": int(differs.sum())}
    if segments is not None:
        bins = _check_bins(bins)
        _check_scores(segments, bins)
        idx = sum((rule_to_scale(segments[d].to_numpy(), bins) - 1) * _RULE_SCALE ** k
                  for d, k in zip(_CELL_COLUMNS, (2, 1, 0)))
        moved = differs[idx]
        result["customers"] = int(moved.sum())
        result["customers_share"] = float(moved.mean())
    return result
