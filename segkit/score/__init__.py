"""A saved segmentation: fit it once, save it as JSON, score later exports into the same segments.

Segmentation is a monthly routine: next month's export should land in the segments the business
already uses, not in segments recomputed from scratch (new quintile cut points, new centroids, names
that move). :func:`fit_model` learns the segmentation of record (RFM cut points and rules, the k-means
preprocessing, centroids and names), :func:`save_model` writes it as versioned, human-readable JSON,
:func:`load_model` reads it back with every field checked, and :func:`score_customers` /
:func:`score_orders` apply it without refitting. From the shell::

    python -m segkit.score --model reports/segmentation_model.json --data new_orders.csv --out reports/scored.csv

Modules: ``model`` (the model and its fit), ``io`` (the JSON file), ``apply`` (scoring), ``__main__`` (the command).

Examples
--------
>>> from segkit.datasets import example_customers
>>> customers = example_customers(300, seed=1)
>>> model = fit_model(customers, n_clusters=3, random_state=0)
>>> scored = score_customers(model, customers)
>>> model.k, scored["cluster"].between(0, 2).all()
(3, np.True_)
"""

from segkit.score.apply import score_customers, score_orders
from segkit.score.io import load_model, save_model
from segkit.score.model import SegmentationModel, fit_model

__all__ = [
    "SegmentationModel",
    "fit_model",
    "load_model",
    "save_model",
    "score_customers",
    "score_orders",
]
