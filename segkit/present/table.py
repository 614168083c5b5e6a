"""Report tables: a frame in, formatted, labelled and split HTML out (pandas Styler underneath).

:func:`table` is the one call a notebook makes per table. It writes every value by its kind
(:mod:`segkit.present.kinds`, :mod:`segkit.present.values`), relabels columns
(:mod:`segkit.present.labels`), and returns a :class:`Table`: Jupyter shows its HTML; its plain
text (what nbval compares) is the same formatted table as text, with no object address in it.

**Wide tables are split, not transposed.** A table with more than ``max_columns`` columns becomes
several tables of even width (12 columns → 6 + 6), every one keeping the row labels, so each
column keeps one kind and one format, and nothing is cut off at 1280 px or in print. (Transposing
would mix money, counts and shares in one column.) Move columns nobody reads to an export instead.

**Deterministic HTML.** Each part's Styler id is a hash of its content, so the same table always
renders to the same bytes (nbval and the byte-identical report checks stay stable) while two
different tables on one page never share element ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd

from segkit.errors import DataError
from segkit.present.kinds import check_kinds, infer_kind, kind_from_name
from segkit.present.labels import label
from segkit.present.values import check_currency, format_any, format_values

_DEFAULTS = {"currency": ""}
#: kinds whose cells are numbers: right-aligned, never wrapped
NUMERIC_KINDS = frozenset({"money", "count", "days", "share", "percent", "rate", "points", "ratio", "number",
                           "score", "pvalue", "date"})
_CSS_TABLE = "border-collapse: collapse; margin: 0.5em 0 1em 0; font-variant-numeric: tabular-nums; width: auto;"
_CSS_CELL = "padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top;"
_CSS_NUMBER = "text-align: right; white-space: nowrap;"
_CSS_TEXT = "text-align: left; white-space: normal; overflow-wrap: anywhere; min-width: 8em; max-width: 32em;"
_CSS_CAPTION = "caption-side: top; text-align: left; font-weight: bold; padding: 0.25em 0;"


def set_currency(currency: str) -> None:
    """Set the currency that :func:`table` and :func:`describe` write when not given one.

    A notebook calls it once in its setup cell with its ``currency`` parameter.
    """
    _DEFAULTS["currency"] = check_currency(currency)


def get_currency(currency: str | None = None) -> str:
    """``currency`` if given, else the one set by :func:`set_currency` ('' until then)."""
    return _DEFAULTS["currency"] if currency is None else check_currency(currency)


@contextmanager
def using_currency(currency: str) -> Iterator[str]:
    """Set the run's currency inside a ``with`` block and restore the one before it afterwards.

    For examples and tests that show money in a currency without changing it for what follows.

    Examples
    --------
    >>> from segkit.present.values import format_money
    >>> with using_currency("EUR") as money:
    ...     format_money(5, get_currency())
    'EUR 5.00'
    """
    before = _DEFAULTS["currency"]
    set_currency(currency)
    try:
        yield currency
    finally:
        _DEFAULTS["currency"] = before


@dataclass(frozen=True)
class Table:
    """A formatted report table, possibly in several parts of at most ``max_columns`` columns.

    ``parts`` hold the written cells (strings) with human labels; ``kinds`` the kind of each
    original column (or row); ``numeric`` says, column by column over all parts, which columns
    hold numbers (right-aligned, never wrapped). Jupyter shows :meth:`to_html`; ``repr`` is the
    same table as plain text.
    """

    parts: list[pd.DataFrame]
    kinds: dict
    numeric: tuple = ()
    caption: str | None = None
    show_index: bool = True
    corner: str = ""
    rows_numeric: bool = False
    _html: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def frame(self) -> pd.DataFrame:
        """All parts side by side: the whole formatted table as strings."""
        return pd.concat(self.parts, axis=1) if len(self.parts) > 1 else self.parts[0]

    def _captions(self) -> list[str | None]:
        n = len(self.parts)
        if n == 1:
            return [self.caption]
        widths = [p.shape[1] for p in self.parts]
        starts = [sum(widths[:i]) + 1 for i in range(n)]
        total = sum(widths)
        where = [f"columns {s}–{s + w - 1} of {total}" if w > 1 else f"column {s} of {total}"
                 for s, w in zip(starts, widths)]
        return [f"{self.caption} ({w})" if self.caption else w[:1].upper() + w[1:] for w in where]

    def stylers(self) -> list:
        """One pandas Styler per part, with the segkit table style and a content-derived id."""
        starts = [sum(p.shape[1] for p in self.parts[:i]) for i in range(len(self.parts))]
        return [self._styler(part, caption, self.numeric[start:start + part.shape[1]])
                for part, caption, start in zip(self.parts, self._captions(), starts)]

    def _styler(self, part: pd.DataFrame, caption: str | None, numeric: tuple):
        shown = part.copy()
        shown.columns = pd.Index(list(part.columns), name=self.corner or None)
        digest = hashlib.sha1(f"{caption}\n{self.corner}\n{part.to_csv()}".encode()).hexdigest()[:10]
        styler = shown.style
        styler.set_uuid(f"segkit-{digest}")
        styler.hide(names=True, axis="index")
        if not self.show_index:
            styler.hide(axis="index")
        if caption:
            styler.set_caption(caption)
        styles = [
            {"selector": "", "props": _CSS_TABLE},
            {"selector": "th, td", "props": _CSS_CELL},
            {"selector": "thead th", "props": "border-bottom: 2px solid #444; vertical-align: bottom;"
                                               " white-space: normal; text-align: left;"},
            {"selector": "tbody th", "props": "text-align: left; white-space: normal; font-weight: normal;"},
            {"selector": "caption", "props": _CSS_CAPTION},
            {"selector": "td", "props": _CSS_NUMBER if self.rows_numeric else _CSS_TEXT},
        ]
        if not self.rows_numeric:  # by position, so that two columns with one label are no problem
            columns = [i for i, flag in enumerate(numeric) if flag]
            styles += [{"selector": f"td.col{i}", "props": _CSS_NUMBER} for i in columns]
            styles += [{"selector": f"th.col_heading.col{i}", "props": "text-align: right;"} for i in columns]
        styler.set_table_styles(styles)
        return styler

    def to_html(self) -> str:
        """The table's HTML: one ``<table>`` per part, with its own scoped ``<style>``."""
        if not self._html:
            self._html.extend(s.to_html(table_attributes='class="segkit-table"') for s in self.stylers())
        return "<div class=\"segkit-tables\">\n" + "\n".join(self._html) + "</div>\n"

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        blocks = []
        for part, caption in zip(self.parts, self._captions()):
            shown = part.rename_axis(columns=self.corner or None)
            shown.index = shown.index.set_names([None] * shown.index.nlevels)
            text = shown.to_string(index=self.show_index)
            blocks.append(f"{caption}\n{text}" if caption else text)
        return "\n\n".join(blocks)

    def __str__(self) -> str:
        return self.__repr__()


def _as_frame(frame: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(frame, pd.Series):
        return frame.to_frame(frame.name if frame.name is not None else "value")
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"present.table takes a DataFrame or a Series, got {type(frame).__name__}.")
    return frame


def _index_labels(index: pd.Index) -> pd.Index:
    """Row labels as text: dates as dates, numbers with separators; MultiIndex levels one by one."""
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays([_index_labels(index.get_level_values(i)) for i in range(index.nlevels)],
                                         names=index.names)
    return pd.Index([format_any(v) for v in index], name=index.name)


def _corner(frame: pd.DataFrame, labels: dict | None) -> str:
    """What the top-left cell says: the rows' label (and the columns' one, for a cross table)."""
    names = [n for n in frame.index.names if n is not None]
    rows = " / ".join(label(n, labels) for n in names)
    cols = label(frame.columns.name, labels) if frame.columns.name is not None else ""
    return f"{rows} ↓ {cols} →" if rows and cols else rows or cols


def _split(frame: pd.DataFrame, max_columns: int) -> list[pd.DataFrame]:
    """As few parts as fit ``max_columns``, of even widths (9 columns → 5 + 4, not 8 + 1)."""
    n_parts = max(1, -(-frame.shape[1] // max_columns))
    edges = [-(-i * frame.shape[1] // n_parts) for i in range(n_parts + 1)]  # earlier parts take the extra column
    return [frame.iloc[:, a:b] for a, b in zip(edges, edges[1:])]


def _write_columns(frame: pd.DataFrame, explicit: dict, currency: str) -> tuple[pd.DataFrame, dict]:
    """Each column written by its kind (explicit, else inferred); returns the cells and the kinds."""
    found = {c: explicit.get(c) or infer_kind(c, frame[c]) for c in frame.columns}
    written = pd.DataFrame({i: format_values(frame.iloc[:, i], found[c], currency=currency)
                            for i, c in enumerate(frame.columns)}, index=frame.index)
    return written, found


def _write_rows(frame: pd.DataFrame, explicit: dict, currency: str) -> tuple[pd.DataFrame, dict]:
    """Each row written by its kind (explicit, else from the row's name, else text)."""
    found = {r: explicit.get(r) or kind_from_name(r) or "text" for r in frame.index}
    written = pd.DataFrame([format_values(frame.iloc[i], found[r], currency=currency).tolist()
                            for i, r in enumerate(frame.index)], columns=range(frame.shape[1]), index=frame.index)
    return written, found


def table(frame: pd.DataFrame | pd.Series, *, currency: str | None = None, kinds: dict | str | None = None,
          labels: dict | None = None, max_columns: int = 8, caption: str | None = None, by: str = "columns",
          index: bool | None = None) -> Table:
    """A frame as a table for people: values written by kind, human labels, at most ``max_columns`` wide.

    Parameters
    ----------
    frame : DataFrame or Series
        The table as computed (machine column names, full precision).
    currency : str, optional
        Symbol (``"£"``) or ISO code (``"EUR"``) written on money values; default the one set by
        :func:`set_currency`.
    kinds : dict or str, optional
        Column (or, with ``by="rows"``, row) name → kind, overriding the inferred kind; see
        :data:`segkit.present.kinds.KINDS`. A single kind applies to every column (a matrix of shares).
    labels : dict, optional
        Column name → label, overriding :data:`segkit.present.labels.LABELS`.
    max_columns : int
        Wider tables are split into as few parts of even width as keep each within this many
        columns (12 → 6 + 6), each part keeping the row labels.
    caption : str, optional
        Shown above the table.
    by : {"columns", "rows"}
        Where the kinds are: per column (usual), or per row for a measure/value table whose rows
        are different quantities (``order lines``, ``gross sales``, ``first order``).
    index : bool, optional
        Show the row labels; default: unless the index is an unnamed plain 0..n-1 range.

    Returns
    -------
    Table

    Raises
    ------
    DataError
        For an unknown kind, a kind or label for a column that is not there, or ``max_columns < 1``.

    Examples
    --------
    >>> t = table(pd.DataFrame({"revenue": [1234567.891], "customers": [4982.0], "revenue_share": [0.1234]}),
    ...           currency="£")
    >>> t.frame.iloc[0].tolist(), list(t.frame.columns)
    (['£1,234,567.89', '4,982', '12.3%'], ['Revenue', 'Customers', 'Share of revenue'])
    """
    frame = _as_frame(frame)
    if by not in {"columns", "rows"}:
        raise DataError(f"by={by!r}: use 'columns' (a kind per column) or 'rows' (a kind per row).")
    if not isinstance(max_columns, int) or max_columns < 1:
        raise DataError(f"max_columns={max_columns!r}: give a whole number of at least 1 (8 reads well).")
    names = frame.columns if by == "columns" else frame.index
    if isinstance(kinds, str):  # one kind for every column (or row)
        kinds = dict.fromkeys(names, kinds)
    explicit = check_kinds(kinds, names, where=by)
    unused = [k for k in (labels or {}) if k not in set(frame.columns) | set(frame.index) | set(frame.index.names)]
    if unused:
        raise DataError(f"labels= names {unused}, which are not columns or rows of the table; fix or drop them.")
    written, found = (_write_columns if by == "columns" else _write_rows)(frame, explicit, get_currency(currency))
    written.columns = [label(c, labels) for c in frame.columns]
    written.index = _index_labels(frame.index)
    if by == "rows" and not isinstance(frame.index, pd.MultiIndex):
        written.index = pd.Index([label(r, labels) for r in frame.index], name=frame.index.name)
    numeric = tuple(found.get(c) in NUMERIC_KINDS for c in frame.columns) if by == "columns" \
        else (True,) * frame.shape[1]
    show = index if index is not None else not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
    return Table(parts=_split(written, max_columns), kinds=found, numeric=numeric, caption=caption,
                 show_index=show, corner=_corner(frame, labels) if show else "", rows_numeric=by == "rows")
