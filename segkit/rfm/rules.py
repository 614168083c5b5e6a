"""Segment rules: read and check the rules CSV, and map scores to the scale the rules are written on.

* **Rules on a 1..5 scale for any ``bins``.** The rules file
  (``resources/rfm_segments.csv``) states score ranges on the 1..5 scale with an
  explicit ``priority`` (lower wins). Lines starting with ``#`` are comments (the shipped files cite
  their source there); an optional ``note`` column says why a rule is there. The default file is the
  published 11-segment table (see :mod:`segkit.rfm.standard`); ``resources/rfm_segments_lattice.csv``
  (:data:`LATTICE_RULES`) is segkit's earlier gap-free lattice. For ``bins != 5`` a score is mapped to the 1..5
  level whose fifth of the customer base holds the centre of its own bin:
  ``level = floor(5 × (score − 0.5) / bins) + 1`` (deciles 1–2 → 1, 3–4 → 2, …;
  with ``bins=3`` the scores 1, 2, 3 become 1, 3, 5). The rules are checked on all
  125 cells: a gap, two rules of equal priority claiming one cell, or a rule that
  never wins raise :class:`~segkit.errors.DataError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from segkit.errors import DataError
from segkit.paths import RESOURCES_DIR

#: The score scale on which segment rules are written.
_RULE_SCALE: int = 5
_DEFAULT_RULES: Path = RESOURCES_DIR / "rfm_segments.csv"
#: segkit's own gap-free lattice of rules, the default before the published table (an alternative rules file).
LATTICE_RULES: Path = RESOURCES_DIR / "rfm_segments_lattice.csv"

_RULE_COLUMNS = ["priority", "segment", "R", "F", "M"]


def _parse_range(text: object, *, row: int, column: str) -> tuple[int, int]:
    raw = str(text).strip().replace("–", "-")
    if raw in {"*", "any"}:
        return 1, _RULE_SCALE
    parts = raw.split("-")
    try:
        low, high = (int(parts[0]), int(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        low = high = None
    if low is None or not (1 <= low <= high <= _RULE_SCALE):
        raise DataError(
            f"rules row {row} column {column!r} has {text!r}; write a score range on the 1..{_RULE_SCALE} "
            "scale such as '4-5', a single score such as '3', or '*' for any score."
        )
    return low, high


def load_rules(rules: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check segment rules: every (R, F, M) cell on the 1..5 scale gets exactly one segment.

    The rules file has columns ``priority, segment, R, F, M`` and optionally ``note``;
    ``R``/``F``/``M`` are score ranges on the 1..5 scale (``4-5``, ``3``, ``*``). Where rules
    overlap, the lowest ``priority`` wins; a segment may span several rows. Lines starting
    with ``#`` are comments.

    Parameters
    ----------
    rules : path or DataFrame, optional
        Defaults to the shipped ``resources/rfm_segments.csv``.

    Returns
    -------
    DataFrame
        The rules in the file's order (the order segment names first appear there is the order of
        the segment categories; precedence is by ``priority`` alone): ``priority``, ``segment``,
        ``R``, ``F``, ``M``, ``note``
        (empty when the file has none), integer ``r_min`` … ``m_max`` columns and ``cells``
        (how many of the 125 cells each rule wins).

    Raises
    ------
    DataError
        Missing columns, unreadable ranges, a cell no rule covers (gap), a cell two
        rules of the same priority cover (ambiguous overlap), or a rule that never wins.

    Examples
    --------
    >>> load_rules()[["priority", "segment", "cells"]].head(2).to_numpy().tolist()
    [[5, 'Champions', 8], [11, 'Loyal Customers', 16]]
    >>> load_rules(LATTICE_RULES)[["segment", "cells"]].head(2).to_numpy().tolist()
    [['Champions', 8], ['Loyal Customers', 19]]
    """
    table = _parse_rules(_read_rules(rules))
    table["cells"] = _rule_lattice(table)[1]
    return table


def _read_rules(rules: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """The rules as text: read from the CSV (default the shipped one) or copied from a DataFrame; columns checked."""
    if rules is None:
        rules = _DEFAULT_RULES
    if isinstance(rules, (str, Path)):
        path = Path(rules)
        if not path.exists():
            raise DataError(f"rules file {str(path)!r} does not exist; pass an existing CSV or None for the default.")
        table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    elif isinstance(rules, pd.DataFrame):
        table = rules.astype(str)
        if "note" in rules.columns:  # a missing note is no note, not the text 'nan'
            table["note"] = rules["note"].fillna("").astype(str)
    else:
        raise DataError(f"rules must be a CSV path or a DataFrame, got {type(rules).__name__}.")
    missing = [c for c in _RULE_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(
            f"the rules lack column(s) {missing}; the file needs columns {_RULE_COLUMNS} "
            f"(see {_DEFAULT_RULES.name} for an example)."
        )
    if len(table) == 0:
        raise DataError("the rules table has no rows; add at least one rule (e.g. a catch-all '*,*,*').")
    notes = table["note"] if "note" in table.columns else ""
    return table[_RULE_COLUMNS].assign(note=notes).reset_index(drop=True)


def _parse_rules(table: pd.DataFrame) -> pd.DataFrame:
    """Numeric priorities, stripped names and integer ``r_min`` … ``m_max`` bounds, rows in the file's order."""
    priority = pd.to_numeric(table["priority"], errors="coerce")
    if priority.isna().any():
        row = int(priority.isna().idxmax()) + 1
        raise DataError(f"rules row {row} has priority {table['priority'][row - 1]!r}; use a number (lower wins).")
    table["priority"] = priority
    table["segment"] = table["segment"].str.strip()
    if (table["segment"] == "").any():
        raise DataError(f"rules row {int((table['segment'] == '').idxmax()) + 1} has an empty segment name.")
    for dim in "RFM":
        bounds = [_parse_range(v, row=i + 1, column=dim) for i, v in enumerate(table[dim])]
        table[f"{dim.lower()}_min"] = [b[0] for b in bounds]
        table[f"{dim.lower()}_max"] = [b[1] for b in bounds]
    return table.reset_index(drop=True)


def _rule_lattice(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Winning rule per cell of the 5×5×5 lattice and the number of cells each rule wins."""
    levels = np.arange(1, _RULE_SCALE + 1)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    lo = table[["r_min", "f_min", "m_min"]].to_numpy()
    hi = table[["r_max", "f_max", "m_max"]].to_numpy()
    match = ((grid[:, None, :] >= lo[None]) & (grid[:, None, :] <= hi[None])).all(axis=2)
    gaps = ~match.any(axis=1)
    if gaps.any():
        cells = "; ".join(f"R={r} F={f} M={m}" for r, f, m in grid[gaps][:5])
        raise DataError(
            f"the rules leave {int(gaps.sum())} of {len(grid)} score cells without a segment (gap), e.g. {cells}. "
            "Widen a rule's ranges or add a last catch-all rule with R, F, M = '*'."
        )
    prio = table["priority"].to_numpy(dtype=float)
    best = np.where(match, prio[None, :], np.inf).min(axis=1)
    tied = match & (prio[None, :] == best[:, None])
    ambiguous = tied.sum(axis=1) > 1
    if ambiguous.any():
        cell = int(np.argmax(ambiguous))
        names = table["segment"][tied[cell]].tolist()
        r, f, m = grid[cell]
        raise DataError(
            f"rules {names} have the same priority {best[cell]:g} and both claim {int(ambiguous.sum())} cell(s), "
            f"e.g. R={r} F={f} M={m} (overlap). Give them different priorities (lower wins) "
            "or make the ranges disjoint."
        )
    winner = np.argmax(tied, axis=1)
    wins = np.bincount(winner, minlength=len(table))
    if (wins == 0).any():
        dead = table["segment"][wins == 0].tolist()
        raise DataError(
            f"rule(s) for {dead} never apply: every cell they cover is taken by rules of higher precedence. "
            "Give them a lower priority number or remove them."
        )
    return winner, wins


def rule_cells(rules: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """The segment of every one of the 125 score cells under ``rules``: one row per (R, F, M) on the 1..5 scale.

    Parameters
    ----------
    rules : path or DataFrame, optional
        Segment rules (see :func:`load_rules`); the shipped default when omitted.

    Returns
    -------
    DataFrame
        Columns ``R``, ``F``, ``M`` (R slowest, M fastest), ``segment`` and ``priority`` (of the winning rule).

    Examples
    --------
    >>> cells = rule_cells()
    >>> len(cells), cells.set_index(["R", "F", "M"]).loc[(5, 5, 5), "segment"]
    (125, 'Champions')
    """
    table = load_rules(rules)
    winner, _ = _rule_lattice(table)
    levels = np.arange(1, _RULE_SCALE + 1)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    return pd.DataFrame({"R": grid[:, 0], "F": grid[:, 1], "M": grid[:, 2],
                         "segment": table["segment"].to_numpy()[winner],
                         "priority": table["priority"].to_numpy()[winner]})



def lattice_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The segment of every cell of the 5×5×5 rule lattice of a checked rules table, as rows (r, f, m,
    segment): the table the engine joins scores to (:func:`segkit.engine.duck.assign_segments`)."""
    winner, _ = _rule_lattice(table)
    levels = np.arange(1, _RULE_SCALE + 1)
    r, f, m = (axis.ravel() for axis in np.meshgrid(levels, levels, levels, indexing="ij"))
    return pd.DataFrame({"r": r, "f": f, "m": m, "segment": table["segment"].to_numpy()[winner]})


def rule_to_scale(scores: np.ndarray | pd.Series, bins: int) -> np.ndarray:
    """Map scores on 1..``bins`` to the 1..5 rule scale by the centre of each score's bin.

    Examples
    --------
    >>> rule_to_scale(np.arange(1, 11), 10).tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    >>> rule_to_scale(np.array([1, 2, 3]), 3).tolist()
    [1, 3, 5]
    """
    s = np.asarray(scores, dtype=np.int64)
    return (_RULE_SCALE * (2 * s - 1)) // (2 * bins) + 1
