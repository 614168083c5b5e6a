"""Cleaning: the exclusion rules, one pass over the lines, and the data-quality log that reconciles."""

from __future__ import annotations

import os
from typing import NamedTuple

import pandas as pd

from segkit.engine import exclusions, profile_sql, views
from segkit.errors import DataError

#: Customer ids treated as internal or test accounts unless told otherwise.
DEFAULT_TEST_ACCOUNT_PATTERN: str = r"(?i)^(?:test|internal|staff|demo|dummy)"
#: Robust z-score (on log line revenue) above which a line is an extreme outlier (see
#: :func:`segkit.data.profiling.top_lines`).
DEFAULT_OUTLIER_Z: float = 6.0

#: The exclusion rules in the order they are applied, with a plain description for the log.
RULES: dict[str, str] = {
    "missing_customer": "no customer id (guest checkout): cannot be attributed to a customer",
    "missing_date": "no order date: cannot be placed in time",
    "missing_amount": "no amount (and no quantity and unit price to compute one)",
    "test_account": "internal or test account",
    "duplicate": "exact duplicate of an earlier line (double export)",
    "negative_price": "negative unit price (bad-debt and accounting adjustments)",
    "outlier": "extreme line revenue (robust z-score on log revenue above the threshold)",
    "return": "return, cancellation or refund (negative quantity or amount)",
    "unmatched_return": "return with no matching purchase in the data (bought before the data starts)",
    "no_net_revenue": "customer whose purchases were all returned (returns and net revenue <= 0)",
}
#: Lines that are kept but listed in the log, with what they mean.
FLAGS: dict[str, str] = {
    "zero_value": "kept: zero-value purchase (free item or promotion); a purchase occasion with no revenue",
}


class Cleaned(NamedTuple):
    """The kept lines and the data-quality log; unpacks as ``clean, log = ...``.

    Every line of the input is either in ``clean`` or counted under exactly one excluded rule
    of ``log``, so the totals follow from the two: see :func:`reconcile`.
    """

    clean: pd.DataFrame
    log: pd.DataFrame


class Split(NamedTuple):
    """:class:`Cleaned` plus the excluded lines themselves; unpacks as ``clean, excluded, log = ...``."""

    clean: pd.DataFrame
    excluded: pd.DataFrame
    log: pd.DataFrame


def is_return(tx: pd.DataFrame) -> pd.Series:
    """Return, cancellation or refund lines: a negative quantity or a negative amount (the engine's
    ``sql.IS_RETURN``, for profiling lines in pandas)."""
    return (tx["quantity"] < 0) | (tx["amount"] < 0)


def _check_options(returns: str, outlier_z: float | None) -> None:
    if returns not in ("net", "drop"):
        raise DataError(f"returns must be 'net' or 'drop', got {returns!r}.")
    if outlier_z is not None and outlier_z <= 0:
        raise DataError(f"outlier_z must be positive (or None to keep outliers), got {outlier_z}.")


def clean_transactions(
    tx: pd.DataFrame,
    *,
    returns: str = "net",
    test_account_pattern: str | None = DEFAULT_TEST_ACCOUNT_PATTERN,
    test_accounts: tuple[str, ...] | list[str] = (),
    outlier_z: float | None = DEFAULT_OUTLIER_Z,
) -> Cleaned:
    """Apply the exclusion rules and return the clean lines and a data-quality log.

    Rules, in order (a line is counted once, under the first rule that excludes it):
    missing customer id, test account, exact duplicate, non-positive price, extreme outlier,
    then returns, then customers left with no net revenue.

    Parameters
    ----------
    tx : DataFrame
        Output of :func:`load_transactions`.
    returns : {"net", "drop"}, default "net"
        ``"net"`` keeps returns and cancellations that match a purchase of the same customer
        and product as negative lines (``is_return``), so revenue is net of them; returns of
        goods bought before the data starts are excluded. ``"drop"`` excludes every return,
        so revenue is gross sales.
    test_account_pattern : str or None
        Regular expression for internal or test customer ids; ``None`` disables it.
    test_accounts : sequence of str
        Further customer ids to exclude as test accounts.
    outlier_z : float or None, default 6.0
        Robust z-score threshold on log line revenue; ``None`` keeps outliers.

    Returns
    -------
    Cleaned
        A named pair ``(clean, log)``. ``clean``: the kept lines, with ``is_return``. ``log``:
        one row per rule: ``rule``, ``action`` (``excluded``, or ``kept`` for a flag),
        ``description``, ``rows``, ``customers`` (customers with a line excluded),
        ``customers_lost`` (customers left with no line at all), ``revenue``. Each excluded
        line is counted under one rule only; :func:`reconcile` checks the totals.

    Examples
    --------
    >>> from segkit.data import load_transactions
    >>> tx = load_transactions(pd.DataFrame({"order_id": ["1", "2", "C3"], "customer_id": ["a", None, "a"],
    ...     "order_date": ["2024-01-01"] * 3, "quantity": [2, 1, -1], "unit_price": [5.0, 5.0, 5.0],
    ...     "product_id": ["x", "x", "x"]}))
    >>> clean, log = clean_transactions(tx)
    >>> clean["amount"].sum(), log.set_index("rule").loc["missing_customer", "revenue"]
    (np.float64(5.0), np.float64(5.0))
    """
    clean, _, log = split_transactions(
        tx, returns=returns, test_account_pattern=test_account_pattern,
        test_accounts=test_accounts, outlier_z=outlier_z,
    )
    return Cleaned(clean, log)


def split_transactions(
    tx: pd.DataFrame,
    *,
    returns: str = "net",
    test_account_pattern: str | None = DEFAULT_TEST_ACCOUNT_PATTERN,
    test_accounts: tuple[str, ...] | list[str] = (),
    outlier_z: float | None = DEFAULT_OUTLIER_Z,
) -> Split:
    """:func:`clean_transactions`, plus the excluded lines themselves, from one pass of the rules.

    Takes the same options. Returns a named triple ``(clean, excluded, log)``: ``excluded``
    holds every line that was left out, as it was in ``tx`` and in its order, with the rule that
    excluded it in ``excluded_by``; it adds up to ``log`` line for line. The rules run as SQL on
    the embedded engine (:mod:`segkit.engine`), the one implementation of them.
    """
    _check_options(returns, outlier_z)
    split = exclusions.split_lines(tx, returns=returns, test_account_pattern=test_account_pattern,
                             test_accounts=tuple(test_accounts), outlier_z=outlier_z)
    return Split(split.clean, split.excluded, quality_log(split.counts))


def clean_parquet(
    lines: str | os.PathLike,
    folder: str | os.PathLike,
    *,
    returns: str = "net",
    test_account_pattern: str | None = DEFAULT_TEST_ACCOUNT_PATTERN,
    test_accounts: tuple[str, ...] | list[str] = (),
    outlier_z: float | None = DEFAULT_OUTLIER_Z,
    write_lines: bool = True,
) -> pd.DataFrame:
    """:func:`split_transactions` for order lines in segkit's columns in Parquet, file to file.

    Writes ``clean.parquet`` and ``excluded.parquet`` (with each line's ``line_no`` in the source)
    into ``folder`` without bringing the lines into Python, and returns the quality log;
    ``write_lines=False`` writes only ``dropped.parquet``, the excluded lines' numbers and rules (see
    :func:`segkit.engine.exclusions.split_parquet`).
    """
    _check_options(returns, outlier_z)
    split = exclusions.split_parquet(lines, folder, returns=returns, test_account_pattern=test_account_pattern,
                               test_accounts=tuple(test_accounts), outlier_z=outlier_z, write_lines=write_lines)
    return quality_log(split.counts)


def clean_counts(
    lines: pd.DataFrame | str | os.PathLike,
    *,
    returns: str = "net",
    test_account_pattern: str | None = DEFAULT_TEST_ACCOUNT_PATTERN,
    test_accounts: tuple[str, ...] | list[str] = (),
    outlier_z: float | None = DEFAULT_OUTLIER_Z,
) -> tuple[pd.DataFrame, dict]:
    """The quality log of :func:`split_transactions` and the totals of its clean lines (``n_lines``,
    ``n_no_customer``, ``first`` and ``last`` order date, ``revenue``), counted in the engine without
    writing or returning any line; ``lines`` is a frame or Parquet, as for :func:`clean_parquet`."""
    _check_options(returns, outlier_z)
    counts, totals = exclusions.count_split(lines, returns=returns, test_account_pattern=test_account_pattern,
                                      test_accounts=tuple(test_accounts), outlier_z=outlier_z)
    return quality_log(counts), totals


def quality_log(counts: pd.DataFrame) -> pd.DataFrame:
    """The data-quality log from the engine's per-rule counts: every rule of :data:`RULES` in order
    (zeros where it excluded nothing), with its action and description, then the flag rows."""
    by_rule = counts.set_index("rule")
    numbers = ["rows", "customers", "customers_lost", "revenue"]
    excluded = by_rule.reindex(list(RULES))[numbers].fillna(0)
    excluded.insert(0, "action", "excluded")
    excluded.insert(1, "description", list(RULES.values()))
    flagged = by_rule.reindex(list(FLAGS))[numbers].fillna(0)
    flagged.insert(0, "action", "kept")
    flagged.insert(1, "description", list(FLAGS.values()))
    log = pd.concat([excluded, flagged]).astype({"rows": int, "customers": int, "customers_lost": int,
                                                 "revenue": float})
    return log.rename_axis("rule").reset_index()


def excluded_rules(log: pd.DataFrame) -> pd.DataFrame:
    """The rows of the quality log that excluded lines (not those that only flag kept lines)."""
    return log[log["action"] == "excluded"]


def reconcile(tx: pd.DataFrame | str | os.PathLike, clean: pd.DataFrame | str | os.PathLike,
              log: pd.DataFrame) -> pd.DataFrame:
    """Rows, customers and revenue: in = kept + excluded, with the difference (must be 0).

    Three independent counts: "in raw data" from the lines that were cleaned (``tx``), "kept"
    from the clean lines, "excluded" from the log's excluded rules (customers: those left with
    no line at all). A line counted under no rule or under two, or a lost customer charged to
    no rule or to two, shows as a difference. The lines are frames or Parquet files, counted
    by the engine (revenue summed exactly, as money).

    Examples
    --------
    >>> from segkit.data import load_transactions
    >>> tx = load_transactions(pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["a", "TEST1"],
    ...     "order_date": ["2024-01-01"] * 2, "quantity": [1, 1], "unit_price": [5.0, 7.0]}))
    >>> reconcile(tx, *clean_transactions(tx)).to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'rows': {'in raw data': 2.0, 'kept': 1.0, 'excluded': 1.0, 'difference': 0.0},
     'customers': {'in raw data': 2.0, 'kept': 1.0, 'excluded': 1.0, 'difference': 0.0},
     'revenue': {'in raw data': 12.0, 'kept': 5.0, 'excluded': 7.0, 'difference': 0.0}}
    """
    totals = []
    for lines in (tx, clean):
        with views.lines_view(lines) as view:
            totals.append(views.first_row(view, profile_sql.count_query(view.name)))
    return reconcile_totals(*totals, log)


def reconcile_totals(read: dict, kept: dict, log: pd.DataFrame) -> pd.DataFrame:
    """:func:`reconcile` from the totals (``lines``, ``customers``, ``revenue``) of the lines as read and
    of the clean lines (:func:`segkit.engine.profile_sql.count_query`)."""
    excluded = excluded_rules(log)
    table = pd.DataFrame(
        {
            "in raw data": [read["lines"], read["customers"], read["revenue"]],
            "kept": [kept["lines"], kept["customers"], kept["revenue"]],
            "excluded": [excluded["rows"].sum(), excluded["customers_lost"].sum(), excluded["revenue"].sum()],
        },
        index=pd.Index(["rows", "customers", "revenue"], name="measure"),
    ).astype(float)
    table["difference"] = (table["in raw data"] - table["kept"] - table["excluded"]).round(6)
    return table
