"""Numbers inside sentences: money in the run's currency, written the way the tables write it.

Every text module (``segkit.*.text``) writes an amount of money through :func:`money_text`, so a
sentence says "a loss of £2,027" or "a loss of EUR 2,027" with the currency the notebook set
(:func:`segkit.present.set_currency`), exactly as the tables beside it do. Counts, days, shares
and ratios in sentences are not money and stay plain numbers.
"""

from __future__ import annotations

from segkit.present.table import get_currency
from segkit.present.values import format_money


def money_text(value: object, currency: str | None = None, *, decimals: int = 0) -> str:
    """An amount of money for a sentence: sign, currency, thousands separators, ``decimals`` decimals.

    Parameters
    ----------
    value : float
        The amount; a missing value is written "–".
    currency : str, optional
        A symbol (``£``) or a three-letter ISO code (``EUR``); by default the one set by
        :func:`segkit.present.set_currency` ('' until then: a bare amount).
    decimals : int
        Decimals shown: 0 for totals and headlines, 2 for a price or an average order.

    Returns
    -------
    str
        As :func:`segkit.present.format_money` writes it: ``£2,027``, ``-£2,027``, ``EUR 2,027``.

    Raises
    ------
    DataError
        If ``currency`` is not a symbol or an ISO code.

    Examples
    --------
    >>> money_text(2027.4, "£"), money_text(-2027.4, "£"), money_text(2027.4, "EUR")
    ('£2,027', '-£2,027', 'EUR 2,027')
    >>> money_text(12.5, "$", decimals=2)
    '$12.50'
    """
    return format_money(value, get_currency(currency), decimals=decimals)
