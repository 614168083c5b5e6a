"""A summary of a table's columns for people: the replacement for ``DataFrame.describe()`` dumps.

One row per column: how many values it has, then mean, minimum, quartiles, median and maximum,
each written in the column's own kind (money as money, days as days, dates as dates), so a
reader sees "£137.40" and "2024-09-21" instead of ``137.4`` and ``2024-09-21 00:00:00.000000000``.
Text and flag columns have no quartiles and are left out (name them in ``columns`` to see why not).
"""

from __future__ import annotations

import pandas as pd

from segkit.errors import DataError
from segkit.present.kinds import check_kinds, infer_kind
from segkit.present.labels import label
from segkit.present.table import NUMERIC_KINDS, Table, get_currency
from segkit.present.values import format_count, format_values

#: The statistics shown, in order, with their labels.
STATISTICS: dict[str, str] = {
    "count": "Values",
    "mean": "Mean",
    "min": "Minimum",
    "q25": "Lower quartile",
    "median": "Median",
    "q75": "Upper quartile",
    "max": "Maximum",
}


def _statistics(values: pd.Series) -> pd.Series:
    """count, mean, min, quartiles, median, max of one numeric or date column (missing values skipped)."""
    present = values.dropna()
    if present.empty:
        return pd.Series({**{k: None for k in STATISTICS}, "count": 0}, dtype=object)
    q25, median, q75 = present.quantile([0.25, 0.5, 0.75]).tolist()
    return pd.Series({"count": len(present), "mean": present.mean(), "min": present.min(), "q25": q25,
                      "median": median, "q75": q75, "max": present.max()}, dtype=object)


def _dates_only(values: pd.Series) -> bool:
    """Whether a date column holds whole days (so its mean and quartiles are shown as days too)."""
    stamps = pd.to_datetime(values.dropna())
    return bool((stamps == stamps.dt.normalize()).all())


def describe(frame: pd.DataFrame, *, currency: str | None = None, kinds: dict | None = None,
             labels: dict | None = None, caption: str | None = None) -> Table:
    """Count, mean, minimum, quartiles, median and maximum per column, each written in its kind.

    Parameters
    ----------
    frame : DataFrame
        The table to summarise (e.g. the customer table).
    currency, kinds, labels, caption
        As in :func:`segkit.present.table`.

    Returns
    -------
    Table
        One row per numeric or date column, labelled; columns as in :data:`STATISTICS`.

    Examples
    --------
    >>> t = describe(pd.DataFrame({"revenue": [10.0, 20.0, 30.0, None]}), currency="£")
    >>> t.frame.loc["Revenue"].tolist()
    ['3', '£20.00', '£10.00', '£15.00', '£20.00', '£25.00', '£30.00']
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"present.describe takes a DataFrame, got {type(frame).__name__}.")
    explicit = check_kinds(kinds, frame.columns, where="columns")
    found = {c: explicit.get(c) or infer_kind(c, frame[c]) for c in frame.columns}
    shown = [c for c in frame.columns if found[c] in NUMERIC_KINDS]
    if not shown:
        raise DataError(f"present.describe found no numeric or date column among {list(frame.columns)[:12]}; "
                        "pass a table with numbers or name their kinds in kinds=.")
    money = get_currency(currency)
    rows = []
    for column in shown:  # one pass per column (a handful), each vectorised
        stats = _statistics(frame[column])
        if found[column] == "date" and _dates_only(frame[column]):
            stats = stats.map(lambda v: pd.Timestamp(v).normalize() if isinstance(v, pd.Timestamp) else v)
        written = format_values(stats.drop("count"), found[column], currency=money)
        rows.append([format_count(stats["count"]), *written.tolist()])
    written = pd.DataFrame(rows, index=pd.Index([label(c, labels) for c in shown]),
                           columns=list(STATISTICS.values()))
    return Table(parts=[written], kinds={c: found[c] for c in shown}, numeric=(True,) * written.shape[1],
                 caption=caption, show_index=True, corner="")
