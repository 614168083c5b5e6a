"""One look for every figure: the segkit theme, a colour-blind-safe palette and shared charts.

Plot functions are axes-level, as in seaborn: they draw on the ``ax`` they are given
(or the current axes), return it, and never call ``plt.show()``.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

#: Okabe-Ito palette (Okabe & Ito 2008): distinguishable with every common colour-vision deficiency.
PALETTE: list[str] = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
#: Sequential colour map for heatmaps (perceptually uniform and colour-blind safe).
SEQUENTIAL_CMAP: str = "cividis"
#: Diverging colour map for signed heatmaps (e.g. relative importance).
DIVERGING_CMAP: str = "vlag"

FIGSIZE: tuple[float, float] = (8.0, 4.5)
DPI: int = 100


def set_theme() -> None:
    """Apply the segkit theme: seaborn ``whitegrid``, the Okabe-Ito palette, fixed size and dpi.

    Fixed figure size, dpi and SVG hash salt keep rendered reports byte-stable between runs.
    """
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "svg.hashsalt": "segkit",
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "image.cmap": SEQUENTIAL_CMAP,
        }
    )


def palette(n: int) -> list[str]:
    """Return ``n`` colours from the segkit palette, cycling past eight.

    Examples
    --------
    >>> palette(2)
    ['#0072B2', '#E69F00']
    """
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def lorenz_curve(values: pd.Series) -> pd.DataFrame:
    """Cumulative share of customers (largest first) against cumulative share of ``values``.

    Returns a frame with ``customer_share`` and ``value_share``, both from 0 to 1.

    Examples
    --------
    >>> lorenz_curve(pd.Series([1.0, 1.0, 2.0])).round(2).values.tolist()
    [[0.0, 0.0], [0.33, 0.5], [0.67, 0.75], [1.0, 1.0]]
    """
    ordered = np.sort(np.asarray(values, dtype=float))[::-1]
    total = ordered.sum()
    cumulative = np.concatenate([[0.0], np.cumsum(ordered) / total if total else np.zeros_like(ordered)])
    customers = np.linspace(0.0, 1.0, len(ordered) + 1)
    return pd.DataFrame({"customer_share": customers, "value_share": cumulative})


def plot_lorenz(values: pd.Series, *, label: str = "revenue", ax: plt.Axes | None = None) -> plt.Axes:
    """Draw the concentration (Lorenz-style) curve of ``values`` across customers, largest first."""
    ax = ax or plt.gca()
    curve = lorenz_curve(values)
    ax.plot(curve["customer_share"] * 100, curve["value_share"] * 100, color=PALETTE[0], label=label)
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1, label="equal shares")
    ax.set_xlabel("customers, largest first (% of customers)")
    ax.set_ylabel(f"cumulative {label} (% of total)")
    ax.set_title(f"Concentration of {label}")
    ax.legend(loc="lower right")
    return ax


def plot_share_bars(
    customer_pct: pd.Series,
    value_pct: pd.Series,
    *,
    value_label: str = "revenue",
    title: str,
    legend_loc: str = "lower right",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Paired horizontal bars per group: share of customers against share of value, both in percent.

    Groups are drawn in the order given, the first at the top; the gap between a group's two
    bars is the point of the chart (e.g. 20% of customers, 60% of revenue).
    """
    ax = ax or plt.gca()
    y = np.arange(len(customer_pct))
    ax.barh(y - 0.2, np.asarray(customer_pct, dtype=float), height=0.4, color=PALETTE[0], label="share of customers")
    ax.barh(y + 0.2, np.asarray(value_pct, dtype=float), height=0.4, color=PALETTE[1], label=f"share of {value_label}")
    ax.set_yticks(y, [str(label) for label in customer_pct.index])
    ax.invert_yaxis()
    ax.set_xlabel("share (%)")
    ax.set_title(title)
    ax.legend(loc=legend_loc)
    return ax
