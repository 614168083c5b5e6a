"""What the reader decided about a file and its columns, in a form the reports can show.

The reader decides each of encoding, delimiter, sheets, decimal mark, thousands separator,
currency and date format once per file or per column, from all the values it sees, and records
each decision with its evidence, so that the profiling report and the quality log can say
what was decided and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Decision:
    """One reading decision.

    Attributes
    ----------
    subject : str
        What it is about: ``"file"``, ``"sheet 'Year 2010-2011'"`` or ``"column 'Price'"``
        (the raw column name as in the file).
    aspect : str
        Which decision: ``"encoding"``, ``"delimiter"``, ``"sheets"``, ``"number format"``,
        ``"date format"``, ``"order id"``, ...
    value : str
        What was decided, e.g. ``"gbk"``, ``"';'"``, ``"decimal ',' thousands ' ' currency '₽'"``,
        ``"%d.%m.%Y %H:%M"``.
    evidence : str
        Why, in a short sentence a person can check, e.g. ``"412 of 9,870 values have a day above 12"``.
    given : bool
        True when the user set it (a parameter), False when segkit decided from the data.
    """

    subject: str
    aspect: str
    value: str
    evidence: str
    given: bool = False


def decisions_table(decisions: Iterable[Decision]) -> pd.DataFrame:
    """The decisions as a table (one row each), in the order they were made."""
    rows = [asdict(d) for d in decisions]
    return pd.DataFrame(rows, columns=["subject", "aspect", "value", "evidence", "given"])
