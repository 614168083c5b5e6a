"""The other notebooks' exports that persona cards are built from, read from one folder, with notes for the missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from segkit.errors import DataError

#: Each export the cards read: the notebook that writes it, what it gives the card, and the columns used.
INPUTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "rfm_segments.csv": ("01_rfm", "the segments, their size, revenue, recency, frequency and spend",
                         ("customer_id", "segment", "days_since_last_purchase", "n_orders", "revenue")),
    "clv.csv": ("05_clv", "predicted CLV and P(alive)", ("customer_id", "clv", "p_alive")),
    "campaign_plan.csv": ("06_campaign_roi", "campaign response and the recommended action's expected return",
                          ("segment", "uplift", "uplift_source", "verdict", "action", "expected_profit", "spend")),
    "purchase_cycle.csv": ("07_segments_over_time", "the purchase cycle", ("customer_id", "median_gap_days",
                                                                            "overdue")),
    "segment_affinities.csv": ("08_what_segments_buy", "the top affinity",
                               ("segment", "antecedent", "consequent", "support", "lift")),
    "category_mix.csv": ("08_what_segments_buy", "top categories, preferred channel and country mix",
                         ("segment", "dimension", "value", "share", "index")),
}


@dataclass(frozen=True)
class PersonaInputs:
    """The exports found (by file name) and, for each one missing or unusable, the note the cards show."""

    folder: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def read_exports(folder: str | Path) -> PersonaInputs:
    """Read each export of :data:`INPUTS` from ``folder``; a missing or malformed one becomes a note.

    ``customer_id`` and ``segment`` are read as text. Never raises for a missing file (the card
    leaves that part out); raises :class:`DataError` only when ``folder`` itself does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"The exports folder {folder} does not exist: run the other notebooks first "
                        "(make report), or set exports_dir to the folder that holds their exports.")
    tables, missing = {}, {}
    for name, (notebook, gives, columns) in INPUTS.items():
        path = folder / name
        if not path.exists():
            missing[name] = (f"{name} is missing ({notebook} failed or has not run): {gives} "
                             "left out of the cards.")
            continue
        table = pd.read_csv(path, dtype={"customer_id": "string", "segment": "string"})
        absent = [c for c in columns if c not in table.columns]
        if absent:
            missing[name] = f"{name} lacks the column(s) {absent}: {gives} left out of the cards."
            continue
        tables[name] = table
    return PersonaInputs(folder, tables, missing)
