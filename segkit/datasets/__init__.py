"""Every generator of example or synthetic data, with known ground truth.

- :func:`generate_transactions` / :func:`write_default_data`: the default shop (below).
- :func:`example_customers`: a ready-made customer table for RFM examples, tests and benchmarks.
- The model simulators stay beside the model they simulate and are re-exported here:
  :func:`simulate_bgnbd` and :func:`simulate_transactions` (BG/NBD, :mod:`segkit.clv.simulate`),
  :func:`simulate_campaign` (a randomised campaign, :mod:`segkit.campaign.simulate`).

Run ``python -m segkit.datasets`` to rewrite the default data set under ``data/raw/``:
``transactions.csv.gz``, ``ground_truth.csv``, ``affinity_truth.csv`` and ``generator_params.json``
(group parameters, the mess shares and every planted effect of :func:`planted_truth`).

The package's modules, one job each: :mod:`~segkit.datasets.design` (the planted groups, effects and mess, with
the account of each effect), :mod:`~segkit.datasets.purchases` (who buys when), :mod:`~segkit.datasets.lines`
(what is in each order), :mod:`~segkit.datasets.mess` (what goes wrong in the export),
:mod:`~segkit.datasets.shop` (the export and its truth), :mod:`~segkit.datasets.truth` (the truth written beside
the data), :mod:`~segkit.datasets.files` (the files on disk) and :mod:`~segkit.datasets.examples`.
"""

from __future__ import annotations

from segkit.campaign.simulate import simulate_campaign
from segkit.clv.simulate import simulate_bgnbd, simulate_transactions
from segkit.datasets.design import (  # noqa: F401  (the design's constants, as tests and docs name them)
    CATEGORIES, CATEGORY_PAIRS, CATEGORY_WEIGHTS, CHANNELS, COHORT_EFFECT, GROUPS, LAPSES, MESS, N_DAYS, PRODUCT_PAIR,
    SEASONALITY, START, Group,
)
from segkit.datasets.examples import example_customers
from segkit.datasets.files import write_default_data
from segkit.datasets.purchases import seasonal_intensity
from segkit.datasets.shop import generate_transactions
from segkit.datasets.truth import affinity_truth, expected_category_share, group_parameters, planted_truth

__all__ = [
    "affinity_truth",
    "example_customers",
    "expected_category_share",
    "generate_transactions",
    "group_parameters",
    "planted_truth",
    "seasonal_intensity",
    "simulate_bgnbd",
    "simulate_campaign",
    "simulate_transactions",
    "write_default_data",
]
