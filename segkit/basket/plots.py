"""Axes-level charts of basket affinities: the mix heatmap and the strongest rules."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from segkit.plots import DIVERGING_CMAP, PALETTE


def plot_mix_heatmap(mix: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Segments (rows) × values (columns) coloured by the mix index (100 = base), numbers = index.

    ``mix`` is :func:`segkit.basket.item_mix`'s long table; the colour scale is logarithmic around 100
    so that half (50) and double (200) are equally far from the middle.
    """
    ax = ax or plt.gca()
    table = mix.pivot(index="segment", columns="value", values="index")
    table = table.reindex(index=list(dict.fromkeys(mix["segment"])), columns=list(dict.fromkeys(mix["value"])))
    logged = np.log2(table.clip(lower=25, upper=400) / 100)
    sns.heatmap(logged, annot=table.round(0), fmt=".0f", cmap=DIVERGING_CMAP, center=0, vmin=-1, vmax=1,
                cbar_kws={"label": "index (log scale, 100 = base)", "ticks": [-1, 0, 1]}, ax=ax)
    ax.collections[0].colorbar.set_ticklabels(["50", "100", "200"])
    ax.set_xlabel(str(mix["dimension"].iloc[0]) if len(mix) else "")
    ax.set_ylabel("")
    ax.set_title("Revenue mix per segment against the base (index 100 = base)")
    return ax


def plot_top_rules(rules: pd.DataFrame, *, top: int = 10, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars of lift for the ``top`` rules (one direction per pair), labelled with their support."""
    ax = ax or plt.gca()
    key = [" + ".join(sorted(p)) for p in zip(rules["antecedent"], rules["consequent"])]
    shown = rules.assign(_key=key).drop_duplicates("_key").head(top)
    labels = [f"{a} → {c}" for a, c in zip(shown["antecedent"], shown["consequent"])]
    y = np.arange(len(shown))
    ax.barh(y, shown["lift"], color=PALETTE[0])
    for yi, (lift, support) in enumerate(zip(shown["lift"], shown["support"])):
        ax.text(lift, yi, f"  {100 * support:.1f}% of baskets", va="center", fontsize=9)
    ax.axvline(1, color="0.3", lw=1, ls="--")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("lift (1 = bought together by chance)")
    ax.set_xlim(0, max(1.0, float(shown["lift"].max()) if len(shown) else 1.0) * 1.35)
    return ax
