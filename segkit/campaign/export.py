"""The campaign plan a CRM needs, as one table."""

from __future__ import annotations

import numpy as np
import pandas as pd

MEASURED_EXPORT_COLUMNS: tuple[str, ...] = ("abs_lift_low", "abs_lift_high", "revenue_lift", "significant")


def plan_export(allocation: pd.DataFrame, actions: pd.DataFrame, *, lift: pd.DataFrame | None = None) -> pd.DataFrame:
    """The campaign plan a CRM needs: one row per segment, whole contacts, spend and expected profit.

    Columns: the :func:`allocate_budget` plan, ``uplift_source`` ("measured" from the campaign in
    ``lift``, or "assumed" when ``lift`` is None), the measured interval columns
    :data:`MEASURED_EXPORT_COLUMNS` (empty when assumed), then ``verdict``, ``pays``, ``contacts``
    (rounded down to whole customers) and ``action`` from :func:`campaign_actions`; ``spend`` and
    ``expected_profit`` are recomputed for the whole contacts.
    """
    export = allocation.drop(columns=["contacts"])
    export.insert(export.columns.get_loc("uplift") + 1, "uplift_source", "measured" if lift is not None else "assumed")
    if lift is not None:
        export = export.join(lift[list(MEASURED_EXPORT_COLUMNS)])
    else:
        export = export.assign(**{c: np.nan for c in MEASURED_EXPORT_COLUMNS})
    export = export.join(actions[["verdict", "pays", "contacts", "action"]])
    export["spend"] = export["contacts"] * export["contact_cost"]
    export["expected_profit"] = export["contacts"] * export["profit_per_contact"] + 0.0  # no -0.0 in the file
    return export
