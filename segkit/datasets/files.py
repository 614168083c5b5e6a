"""The default data set on disk, as ``make data`` writes it under ``data/raw/``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from segkit.datasets.design import MESS, N_DAYS, START
from segkit.datasets.shop import generate_transactions
from segkit.datasets.truth import affinity_truth, group_parameters, planted_truth
from segkit.paths import DEFAULT_GROUND_TRUTH, DEFAULT_TRANSACTIONS, RAW_DIR


def write_default_data(*, n_customers: int = 5000, seed: int = 2024, target: Path = RAW_DIR) -> dict[str, int]:
    """Write the default data set to ``target``: raw export, ground truth, affinity truth, generator parameters."""
    raw, truth = generate_transactions(n_customers=n_customers, seed=seed)
    target.mkdir(parents=True, exist_ok=True)
    # mtime=0 in the gzip header keeps the file byte-identical between runs
    with gzip.GzipFile(target / DEFAULT_TRANSACTIONS.name, "wb", mtime=0) as handle:
        handle.write(raw.to_csv(index=False).encode("utf-8"))
    truth.to_csv(target / DEFAULT_GROUND_TRUTH.name, index=False)
    affinity_truth(seed=seed).to_csv(target / "affinity_truth.csv", index=False)
    params = group_parameters().drop(columns=["acquisition_window", "channel_probs"])
    (target / "generator_params.json").write_text(
        json.dumps({"seed": seed, "n_customers": n_customers, "start": str(START.date()), "n_days": N_DAYS,
                    "mess": MESS, "groups": params.round(6).to_dict(orient="index"), **planted_truth()},
                   indent=2) + "\n"
    )
    return {"lines": len(raw), "customers": n_customers, "planted_lapses": int(truth["planted_lapse"].sum())}
