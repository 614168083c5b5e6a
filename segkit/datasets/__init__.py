"""Every generator of example or synthetic data, with known ground truth.

The public API (``__all__``) is what notebooks and other packages' examples use:

- :func:`example_customers`: a ready-made customer table for RFM examples, tests and benchmarks.
- The model simulators, which stay beside the model they simulate and are re-exported here:
  :func:`simulate_bgnbd` (BG/NBD, :mod:`segkit.clv.simulate`) and :func:`simulate_campaign` (a
  randomised campaign, :mod:`segkit.campaign.simulate`).

The default shop is written to disk by ``python -m segkit.datasets`` (``make data``), which rewrites
``data/raw/``: ``transactions.csv.gz``, ``ground_truth.csv``, ``affinity_truth.csv`` and
``generator_params.json`` (group parameters, the mess shares and every planted effect). Its functions
(:func:`~segkit.datasets.shop.generate_transactions`, :func:`~segkit.datasets.files.write_default_data`, the truth
of :mod:`~segkit.datasets.truth`), its design constants (``START``, ``GROUPS``, ``LAPSES``, ...) and
:func:`~segkit.clv.simulate.simulate_transactions` are importable from here for the tests, but are not part
of ``__all__``: no notebook or other package calls them.

The package's modules, one job each: :mod:`~segkit.datasets.design` (the planted groups, effects and mess, with
the account of each effect), :mod:`~segkit.datasets.purchases` (who buys when), :mod:`~segkit.datasets.lines`
(what is in each order), :mod:`~segkit.datasets.mess` (what goes wrong in the export),
:mod:`~segkit.datasets.shop` (the export and its truth), :mod:`~segkit.datasets.truth` (the truth written beside
the data), :mod:`~segkit.datasets.files` (the files on disk) and :mod:`~segkit.datasets.examples`.
"""

from __future__ import annotations

from segkit.campaign.simulate import simulate_campaign
from segkit.clv.simulate import simulate_bgnbd
from segkit.datasets.examples import example_customers

# Not in __all__ (see above): the default shop, its truth and its design, for the tests.
from segkit.clv.simulate import simulate_transactions  # noqa: F401
from segkit.datasets.design import (  # noqa: F401
    CATEGORIES, CATEGORY_PAIRS, CATEGORY_WEIGHTS, CHANNELS, COHORT_EFFECT, GROUPS, LAPSES, MESS, N_DAYS, PRODUCT_PAIR,
    SEASONALITY, START, Group,
)
from segkit.datasets.files import write_default_data  # noqa: F401
from segkit.datasets.purchases import seasonal_intensity  # noqa: F401
from segkit.datasets.shop import generate_transactions  # noqa: F401
from segkit.datasets.truth import affinity_truth, expected_category_share, group_parameters, planted_truth  # noqa: F401

__all__ = [
    "example_customers",
    "simulate_bgnbd",
    "simulate_campaign",
]
