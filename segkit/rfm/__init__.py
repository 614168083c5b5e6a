"""RFM scoring and segmentation: scores, named segments, value types, ABC tiers, lifecycle, migration.

RFM ranks customers on three questions: how **R**ecently did they buy
(``days_since_last_purchase``, fewer days is better), how **F**requently
(``n_orders``) and for how much **M**oney (``revenue``). Each dimension becomes a score
from 1 to ``bins`` where higher is always better, and rules on the three scores give
each customer one named segment.

Modules: ``scores`` (the score scale :class:`RFMScale`, R, F, M scores and how many levels they
really use), ``rules`` (the segment rules CSV and the 1..5 rule scale), ``standard`` (the published
11-segment table the default rules start from, and every cell where rules depart from it), ``segments`` (rules applied
to scores, :func:`rfm_segments` the one call, summaries), ``views`` (value types, ABC tiers,
lifecycle stages, playbook), ``migration`` (movement between two snapshots), ``plots`` (axes-level
charts) and ``text`` (the sentences the reports show, written from numbers). The public API is
re-exported here: write ``rfm.rfm_segments``, not the module path. The building blocks
(``rfm_scores``, ``assign_segments``, ``value_types``, ``abc_tiers``, ``lifecycle_stages``,
``segment_migration``, ...) stay importable from their modules.

Examples
--------
>>> from segkit.datasets import example_customers
>>> from segkit.rfm import rfm_segments
>>> seg = rfm_segments(example_customers(500, seed=1), warn=False)
>>> int(seg["segment"].notna().sum()), seg["R"].between(1, 5).all()
(500, np.True_)
"""

from segkit.rfm.migration import migration_study
from segkit.rfm.plots import (
    plot_migration,
    plot_pareto,
    plot_rf_heatmap,
    plot_score_distributions,
    plot_segment_shares,
)
from segkit.rfm.rules import LATTICE_RULES, load_rules, rule_cells  # rule_cells: not in __all__ (tests call it)
from segkit.rfm.scores import RFMScale, score_report
from segkit.rfm.segments import rfm_segments, segment_summary
from segkit.rfm.standard import (
    departure_customers,
    departure_table,
    published_segments,
    rule_departures,
    rules_difference,
)
from segkit.rfm.text import departures_note, rfm_headline, rules_difference_note, score_levels_note
from segkit.rfm.views import load_playbook, playbook_for

__all__ = [
    "LATTICE_RULES",
    "RFMScale",
    "departure_customers",
    "departure_table",
    "departures_note",
    "load_playbook",
    "load_rules",
    "migration_study",
    "playbook_for",
    "plot_migration",
    "plot_pareto",
    "plot_rf_heatmap",
    "plot_score_distributions",
    "plot_segment_shares",
    "published_segments",
    "rfm_headline",
    "rfm_segments",
    "rule_departures",
    "rules_difference",
    "rules_difference_note",
    "score_levels_note",
    "score_report",
    "segment_summary",
]
