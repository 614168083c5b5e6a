"""RFM scoring and segmentation: scores, named segments, value types, ABC tiers, lifecycle, migration.

RFM ranks customers on three questions: how **R**ecently did they buy
(``days_since_last_purchase``, fewer days is better), how **F**requently
(``n_orders``) and for how much **M**oney (``revenue``). Each dimension becomes a score
from 1 to ``bins`` where higher is always better, and rules on the three scores give
each customer one named segment.

Modules: ``scores`` (R, F, M scores and how many levels they really use), ``rules`` (the segment
rules CSV and the 1..5 rule scale), ``segments`` (rules applied to scores, :func:`rfm_segments`
the one call, summaries), ``views`` (value types, ABC tiers, lifecycle stages, playbook),
``migration`` (movement between two snapshots), ``plots`` (axes-level charts), ``text`` (the
sentences the reports show, written from numbers) and ``example`` (a synthetic customer table).
The public API is re-exported here: write ``rfm.rfm_segments``, not the module path.

Examples
--------
>>> from segkit.datasets import example_customers
>>> from segkit.rfm import rfm_segments
>>> seg = rfm_segments(example_customers(500, seed=1), warn=False)
>>> int(seg["segment"].notna().sum()), seg["R"].between(1, 5).all()
(500, np.True_)
"""

from segkit.rfm.migration import Migration, migration_study, segment_migration
from segkit.rfm.plots import (
    plot_migration,
    plot_pareto,
    plot_rf_heatmap,
    plot_score_distributions,
    plot_segment_shares,
)
from segkit.rfm.rules import load_rules, rule_to_scale
from segkit.rfm.scores import RAW_COLUMNS, RFMWarning, rfm_scores, score_report
from segkit.rfm.segments import assign_segments, rfm_segments, segment_summary
from segkit.rfm.text import NO_LONGER_IN_TABLE, NOT_YET_A_CUSTOMER
from segkit.rfm.views import (
    ABC_TIERS,
    LIFECYCLE_STAGES,
    VALUE_TYPES,
    abc_tiers,
    lifecycle_stages,
    load_playbook,
    playbook_for,
    value_types,
)

__all__ = [
    "ABC_TIERS",
    "LIFECYCLE_STAGES",
    "NOT_YET_A_CUSTOMER",
    "NO_LONGER_IN_TABLE",
    "RAW_COLUMNS",
    "RFMWarning",
    "VALUE_TYPES",
    "abc_tiers",
    "assign_segments",
    "lifecycle_stages",
    "Migration",
    "migration_study",
    "load_playbook",
    "load_rules",
    "playbook_for",
    "plot_migration",
    "plot_pareto",
    "plot_rf_heatmap",
    "plot_score_distributions",
    "plot_segment_shares",
    "rfm_scores",
    "rfm_segments",
    "rule_to_scale",
    "score_report",
    "segment_migration",
    "segment_summary",
    "value_types",
]
