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


def _lorenz_curve(values: pd.Series) -> pd.DataFrame:
    """Cumulative share of customers (largest first) against cumulative share of ``values``.

    Returns a frame with ``customer_share`` and ``value_share``, both from 0 to 1.

    Examples
    --------
    >>> _lorenz_curve(pd.Series([1.0, 1.0, 2.0])).round(2).values.tolist()
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
    curve = _lorenz_curve(values)
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


# --- axis formatters: ticks written like the tables (segkit.present), units in the axis label ----------------
# The rule: every axis label carries its unit. Money axes say the currency, "revenue (£)", via money_axis;
# shares say "(%)" via percent_axis; counts say what is counted ("customers", "orders per month").


def _unit_label(ax: plt.Axes, axis: str, unit: str, label: str | None) -> None:
    """Put ``unit`` in the axis label: ``label (unit)``, or replace a placeholder ``(money)`` / append it."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    current = label if label is not None else target.get_label_text()
    if not current and label is None:
        return
    if f"({unit}" in current:
        text = current
    elif "(money" in current:  # "(money)", "(money, log scale)"
        text = current.replace("(money", f"({unit}")
    else:
        text = f"{current} ({unit})"
    target.set_label_text(text)


def money_axis(ax: plt.Axes, currency: str, *, axis: str = "y", label: str | None = None) -> plt.Axes:
    """Write an axis's ticks as money (``£1,200``) and put the currency in its label.

    Ticks have no decimals unless the axis spans less than 10 units of money. The label is
    ``label`` (or the axis's current one) with ``(£)`` added, or with ``£`` in place of the word
    ``money`` in a ``(money)`` or ``(money, log scale)`` placeholder.

    Examples
    --------
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1], [0, 2500]); _ = ax.set_ylabel("revenue (money)")
    >>> ax = money_axis(ax, "£"); ax.get_ylabel(), ax.yaxis.get_major_formatter()(2500, 0)
    ('revenue (£)', '£2,500')
    >>> plt.close(fig)
    """
    from matplotlib.ticker import FuncFormatter

    from segkit.present.values import format_money

    target = ax.yaxis if axis == "y" else ax.xaxis
    limits = ax.get_ylim if axis == "y" else ax.get_xlim

    def tick(value: float, _position: int) -> str:
        low, high = limits()
        return format_money(value, currency, decimals=0 if abs(high - low) >= 10 else 2)

    target.set_major_formatter(FuncFormatter(tick))
    _unit_label(ax, axis, currency.strip() or "money", label)
    return ax


def percent_axis(ax: plt.Axes, *, axis: str = "y", fraction: bool = True, decimals: int = 0,
                 label: str | None = None) -> plt.Axes:
    """Write an axis's ticks as percentages (``12%``): from fractions (``fraction=True``) or from 0-100.

    Examples
    --------
    >>> fig, ax = plt.subplots(); ax = percent_axis(ax, label="share of customers")
    >>> ax.get_ylabel(), ax.yaxis.get_major_formatter()(0.25, 0)
    ('share of customers (%)', '25%')
    >>> plt.close(fig)
    """
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(xmax=1.0 if fraction else 100.0, decimals=decimals))
    _unit_label(ax, axis, "%", label)
    return ax


def count_axis(ax: plt.Axes, *, axis: str = "y", label: str | None = None) -> plt.Axes:
    """Write an axis's ticks as whole numbers with thousands separators (``12,500``)."""
    from matplotlib.ticker import StrMethodFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    if label is not None:
        target.set_label_text(label)
    return ax
