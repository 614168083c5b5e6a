"""segkit: the helpers behind the segkit workbooks notebooks.

Data flows one way: raw file -> :func:`load_transactions` -> :func:`clean_transactions`
(clean frame and quality log) -> :func:`customer_table` -> a method module
(:mod:`segkit.rfm`, :mod:`segkit.cluster`, :mod:`segkit.clv`, :mod:`segkit.campaign`), one subpackage per
method family, each re-exporting its public API.
"""

from segkit.data import (
    calibration_holdout,
    clean_transactions,
    customer_table,
    load_clean,
    load_transactions,
)
from segkit.errors import DataError

__all__ = [
    "DataError",
    "calibration_holdout",
    "clean_transactions",
    "customer_table",
    "load_clean",
    "load_transactions",
]
__version__ = "0.1.0"
