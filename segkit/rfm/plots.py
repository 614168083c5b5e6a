"""RFM charts, axes-level as in seaborn: each draws on the axes it is given (or the current one) and returns it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from segkit.rfm._validation import _check_bins, _check_scores
from segkit.rfm.scores import RAW_COLUMNS
from segkit.rfm.segments import _rf_grid
from segkit.rfm.views import ABC_TIERS, abc_tiers


def plot_score_distributions(scores: pd.DataFrame, *, bins: int = 5, ax: plt.Axes | None = None) -> plt.Axes:
    """Share of customers at each R, F and M score 1..``bins`` (grouped bars); empty levels show as gaps."""
    bins = _check_bins(bins)
    _check_scores(scores, bins)
    ax = ax or plt.gca()
    levels = pd.RangeIndex(1, bins + 1)
    shares = pd.DataFrame(
        {d: scores[d].value_counts(normalize=True).reindex(levels, fill_value=0) * 100 for d in "RFM"}
    )
    width = 0.8 / 3
    for i, dim in enumerate("RFM"):
        ax.bar(levels + (i - 1) * width, shares[dim], width=width, label=f"{dim} ({RAW_COLUMNS[dim]})")
    ax.set_xticks(levels)
    ax.set_xlabel("score (higher is better)")
    ax.set_ylabel("customers (%)")
    ax.set_title("How customers spread over the R, F and M scores")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_rf_heatmap(
    segments: pd.DataFrame, *, value: str = "revenue", bins: int = 5, ax: plt.Axes | None = None
) -> plt.Axes:
    """Heatmap of mean ``value`` per R × F cell, scores 1..``bins`` (empty cells blank), with values written in."""
    bins = _check_bins(bins)
    _check_scores(segments, bins, columns=[value])
    ax = ax or plt.gca()
    grid = _rf_grid(segments, bins, value)
    sns.heatmap(grid, annot=True, fmt=".0f", cmap="cividis", cbar_kws={"label": f"mean {value}"}, ax=ax)
    ax.set_title(f"Mean {value} per customer by recency and frequency score")
    ax.set_xlabel("F score (more orders →)")
    ax.set_ylabel("R score (more recent ↑)")
    return ax


def plot_segment_shares(summary: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars of customer share and revenue share per group (from :func:`segment_summary`)."""
    from segkit.plots import plot_share_bars

    return plot_share_bars(summary["customers_pct"], summary["revenue_pct"], title="Customers and revenue by segment",
                           ax=ax)


def plot_pareto(
    revenue: pd.Series,
    *,
    a: float = 0.80,
    b: float = 0.95,
    tiers: pd.Series | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Pareto (concentration) curve of revenue with the ABC tier boundaries marked and labelled.

    ``tiers`` (e.g. ``segments["abc_tier"]`` from :func:`rfm_segments`) are used as given;
    without them they are computed from ``revenue`` with ``a`` and ``b``.
    """
    from segkit.plots import plot_lorenz

    ax = plot_lorenz(revenue, ax=ax or plt.gca())
    if tiers is None:
        tiers = abc_tiers(revenue, a=a, b=b)
    ends = 100 * np.cumsum(tiers.value_counts().reindex(ABC_TIERS, fill_value=0).to_numpy()) / len(tiers)
    starts = np.concatenate([[0.0], ends[:-1]])
    for tier, start, end in zip(ABC_TIERS, starts, ends):
        if end < 100:
            ax.axvline(end, color="grey", linestyle=":", linewidth=1)
        ax.text((start + end) / 2, 4, tier, ha="center", va="bottom", fontweight="bold")
    ax.set_title("Concentration of revenue and the ABC tiers")
    ax.legend(loc="center right")
    return ax


def plot_migration(matrix: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of a migration matrix: colour = share of the earlier row (%), text = customers."""
    ax = ax or plt.gca()
    share = matrix.div(matrix.sum(axis=1), axis=0) * 100
    sns.heatmap(share, annot=matrix, fmt="d", cmap="cividis", vmin=0, vmax=100,
                cbar_kws={"label": "% of the earlier segment"}, annot_kws={"fontsize": 7}, ax=ax)
    ax.set_title("Where customers moved between the two snapshots")
    ax.set_xlabel(str(matrix.columns.name or "later"))
    ax.set_ylabel(str(matrix.index.name or "earlier"))
    return ax
