"""RFM scores and segments in SQL, for the engines: tie-aware rank cut points, scores on given cuts,
and the segment of each score from the rule lattice. The text keeps to what DuckDB and Spark SQL
both read, as :mod:`segkit.engine.sql` does."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


#: Score name -> the customer-table column and whether a higher value is better (as in segkit.rfm).
RFM_DIMENSIONS: dict[str, tuple[str, bool]] = {
    "R": ("days_since_last_purchase", False), "F": ("n_orders", True), "M": ("revenue", True)}


def _goodness(dim: str) -> str:
    column, higher_is_better = RFM_DIMENSIONS[dim]
    return f"CAST({column} AS DOUBLE)" if higher_is_better else f"-CAST({column} AS DOUBLE)"


def rfm_cuts_query(customers: str, bins: int) -> str:
    """The cut points of tie-aware rank scores, in goodness (higher is better), one row per dimension.

    ``score = 1 + floor(bins × share of customers strictly worse)``; ``cut_k`` is the smallest
    goodness scoring at least ``k`` (NULL when no customer does), as :meth:`segkit.rfm.RFMScale.fit`.
    """
    parts = []
    for dim in RFM_DIMENSIONS:
        scored = (f"SELECT {_goodness(dim)} AS good, floor((rank() OVER (ORDER BY {_goodness(dim)}) - 1) * {bins} "
                  f"/ CAST(count(*) OVER () AS DOUBLE)) + 1 AS score FROM {customers}")
        cuts = ", ".join(f"min(CASE WHEN score >= {k} THEN good END) AS cut_{k}" for k in range(2, bins + 1))
        parts.append(f"SELECT '{dim}' AS dim, {cuts} FROM ({scored}) AS scored_{dim}")
    return "\nUNION ALL\n".join(parts)


def read_cuts(rows) -> dict[str, tuple[float, ...]]:
    """The rows of :func:`rfm_cuts_query` (a frame indexed by ``dim``) as cut points, ``inf`` for an empty level."""
    return {dim: tuple(float(v) if v == v and v is not None else float("inf") for v in rows.loc[dim])
            for dim in RFM_DIMENSIONS}


def _double(value: float) -> str:
    """A float as a SQL literal; infinities as casts, which DuckDB and Spark both read."""
    return repr(float(value)) if np.isfinite(value) else f"CAST('{'inf' if value > 0 else '-inf'}' AS DOUBLE)"


def _score(dim: str, cuts: Sequence[float]) -> str:
    """1 + the number of cut points (in goodness) at or below the customer's goodness in ``dim``."""
    steps = " + ".join(f"CASE WHEN {_goodness(dim)} >= {_double(cut)} THEN 1 ELSE 0 END"
                       for cut in cuts if cut != float("inf"))
    return f"(1 + {steps or '0'})"


def rfm_scores_query(customers: str, cuts: dict[str, Sequence[float]], *, key: str = "customer_id") -> str:
    """R, F, M scores of each customer (``key`` kept) on given cut points, in goodness (higher is better),
    ascending, ``inf`` for a level no customer reaches."""
    return f"SELECT {key}, {_score('R', cuts['R'])} AS R, {_score('F', cuts['F'])} AS F, " \
           f"{_score('M', cuts['M'])} AS M FROM {customers}"


def rfm_assign_query(scores: str, bins: int, lattice: str, *, key: str = "customer_id") -> str:
    """The segment of each row of ``scores`` (``key``, R, F, M on 1..``bins``) from ``lattice`` (r, f, m on
    the 1..5 rule scale, segment): each score is read at the centre of its bin on the rule scale."""
    def rule_scale(dim: str) -> str:  # as segkit.rfm.rules.rule_to_scale
        return f"CAST(floor(5 * (2 * {dim} - 1) / {2 * bins}.0) AS INT) + 1"

    return f"""
SELECT s.{key}, s.R, s.F, s.M, l.segment
FROM {scores} AS s JOIN {lattice} AS l
    ON l.r = {rule_scale('s.R')} AND l.f = {rule_scale('s.F')} AND l.m = {rule_scale('s.M')}
ORDER BY s.{key}
"""


def rfm_segments_query(customers: str, cuts: dict[str, Sequence[float]], bins: int, lattice: str) -> str:
    """R, F, M scores on given cut points (:func:`rfm_scores_query`) and the segment of each customer
    (:func:`rfm_assign_query`)."""
    return f"WITH scores AS ({rfm_scores_query(customers, cuts)})\n{rfm_assign_query('scores', bins, lattice)}"
