"""Cleaning: the exclusion rules, one pass over the lines, and the data-quality log that reconciles."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from segkit.errors import DataError

#: Customer ids treated as internal or test accounts unless told otherwise.
DEFAULT_TEST_ACCOUNT_PATTERN: str = r"(?i)^(?:test|internal|staff|demo|dummy)"
#: Robust z-score (on log line revenue) above which a line is an extreme outlier.
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
    """Return, cancellation or refund lines: a negative quantity or a negative amount."""
    return (tx["quantity"] < 0) | (tx["amount"] < 0)


def flag_exclusions(
    tx: pd.DataFrame,
    *,
    returns: str = "net",
    test_account_pattern: str | None = DEFAULT_TEST_ACCOUNT_PATTERN,
    test_accounts: tuple[str, ...] | list[str] = (),
    outlier_z: float | None = DEFAULT_OUTLIER_Z,
) -> pd.Series:
    """Give every line of ``tx`` the first rule that excludes it, or ``"kept"``.

    Same options as :func:`clean_transactions`. Returns a string Series aligned with ``tx``.
    """
    if returns not in ("net", "drop"):
        raise DataError(f"returns must be 'net' or 'drop', got {returns!r}.")
    if outlier_z is not None and outlier_z <= 0:
        raise DataError(f"outlier_z must be positive (or None to keep outliers), got {outlier_z}.")
    reason = pd.Series("kept", index=tx.index, dtype=object)

    def exclude(rule: str, mask: pd.Series) -> None:
        reason[mask & (reason == "kept")] = rule

    exclude("missing_customer", tx["customer_id"].isna())
    exclude("missing_date", tx["order_date"].isna())
    exclude("missing_amount", tx["amount"].isna())
    is_test = tx["customer_id"].isin(list(test_accounts))
    if test_account_pattern:
        is_test |= tx["customer_id"].str.contains(test_account_pattern, regex=True, na=False)
    exclude("test_account", is_test)
    exclude("duplicate", tx.duplicated(keep="first"))
    exclude("negative_price", tx["unit_price"] < 0)
    if outlier_z is not None:
        exclude("outlier", _outliers(tx, reason == "kept", outlier_z))
    returned = is_return(tx)
    if returns == "drop":
        exclude("return", returned)
    else:
        exclude("unmatched_return", returned & ~_matched_returns(tx, reason == "kept"))
    exclude("no_net_revenue", _customers_without_net_revenue(tx, reason == "kept"))
    return reason


def robust_log_z(amount: pd.Series, reference: pd.Series) -> pd.Series:
    """Robust z-score of log ``amount``: (log amount - median) / (1.4826 × MAD), both taken over the
    positive amounts where ``reference`` is True. NaN for non-positive amounts or a zero spread.

    Examples
    --------
    >>> amount = pd.Series([1.0, 2.0, 4.0, 8.0, 1024.0])
    >>> robust_log_z(amount, amount > 0).round(1).tolist()
    [-1.3, -0.7, 0.0, 0.7, 5.4]
    """
    positive = amount.where(amount > 0)
    log_reference = np.log(positive[reference & (amount > 0)])
    median = log_reference.median()
    mad = 1.4826 * (log_reference - median).abs().median()
    if not np.isfinite(mad) or mad == 0:
        return pd.Series(np.nan, index=amount.index)
    return (np.log(positive) - median) / mad


def _outliers(tx: pd.DataFrame, kept: pd.Series, z: float) -> pd.Series:
    """Kept purchase lines whose log revenue lies more than ``z`` robust standard deviations above the median."""
    candidates = kept & (tx["quantity"] > 0) & (tx["amount"] > 0)
    return candidates & (robust_log_z(tx["amount"], candidates) > z)


def _group_codes(tx: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """A dense integer code for each line's combination of ``keys``; -1 where a key is missing."""
    parts = [pd.factorize(tx[key]) for key in keys]
    combined = np.zeros(len(tx), dtype=np.int64)
    for codes, uniques in parts:
        combined = combined * (len(uniques) + 1) + codes + 1
    group = pd.factorize(combined)[0]
    group[np.any([codes < 0 for codes, _ in parts], axis=0)] = -1
    return group


def _matched_returns(tx: pd.DataFrame, kept: pd.Series) -> pd.Series:
    """True for return lines whose customer bought at least that quantity of the product in the data.

    Matching is on (customer, product) when product ids exist, else on the customer's revenue.
    """
    keys = ["customer_id", "product_id"] if "product_id" in tx else ["customer_id"]
    measure = tx["quantity" if "product_id" in tx else "amount"].abs().to_numpy(dtype=float)
    group = _group_codes(tx, keys)
    n_groups = int(group.max()) + 1 if len(group) else 0
    live = kept.to_numpy() & (group >= 0)
    back = is_return(tx).to_numpy()
    bought = np.bincount(group[live & ~back], weights=measure[live & ~back], minlength=n_groups)
    returned = np.bincount(group[live & back], weights=measure[live & back], minlength=n_groups)
    ok = returned <= bought + 1e-9
    return pd.Series(np.where(group >= 0, ok[group.clip(min=0)], False), index=tx.index)


def _customers_without_net_revenue(tx: pd.DataFrame, kept: pd.Series) -> pd.Series:
    """Customers who returned everything they bought; a customer whose purchases were all free stays."""
    live = tx.loc[kept]
    per_customer = live.assign(returned=is_return(live)).groupby("customer_id", observed=True).agg(
        net=("amount", "sum"), returned=("returned", "any"))
    gone = per_customer.index[(per_customer["net"] <= 1e-6) & per_customer["returned"]]
    return tx["customer_id"].isin(gone) & kept


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


def split_transactions(tx: pd.DataFrame, **options) -> Split:
    """:func:`clean_transactions`, plus the excluded lines themselves, from one pass of the rules.

    Takes the same options. Returns a named triple ``(clean, excluded, log)``: ``excluded``
    holds every line that was left out, as it was in ``tx``, with the rule that excluded it in
    ``excluded_by``; it adds up to ``log`` line for line.
    """
    reason = flag_exclusions(tx, **options)
    kept = reason == "kept"
    clean = tx[kept].copy()
    clean["is_return"] = is_return(clean)
    clean = clean.sort_values(["order_date", "order_id"], kind="stable").reset_index(drop=True)
    excluded = tx[~kept].assign(excluded_by=reason[~kept])
    return Split(clean, excluded, _quality_log(tx, reason))


def _quality_log(tx: pd.DataFrame, reason: pd.Series) -> pd.DataFrame:
    kept = (reason == "kept").to_numpy()
    customer, customers = pd.factorize(tx["customer_id"])
    identified = customer >= 0
    kept_any = np.bincount(customer[kept & identified], minlength=len(customers)) > 0
    lost = identified & ~kept_any[customer.clip(min=0)]
    # a lost customer is charged to the last rule (in rule order) that removed any of their lines
    rank = reason.map({rule: i for i, rule in enumerate(RULES)}).to_numpy()
    last_rule = np.full(len(customers), -1)
    np.maximum.at(last_rule, customer[lost], rank[lost].astype(int))
    lost_by = pd.Series(last_rule[last_rule >= 0]).map(dict(enumerate(RULES)))
    grouped = tx[~kept].assign(reason=reason[~kept]).groupby("reason")
    log = pd.DataFrame({
        "rows": grouped.size(),
        "customers": grouped["customer_id"].nunique(),
        "revenue": grouped["amount"].sum(),
    }).reindex(list(RULES)).fillna(0)
    log["customers_lost"] = lost_by.value_counts().reindex(list(RULES)).fillna(0)
    log.insert(0, "action", "excluded")
    log.insert(1, "description", [RULES[r] for r in log.index])
    log = pd.concat([log, _flagged(tx[kept])])
    log = log.astype({"rows": int, "customers": int, "customers_lost": int})
    return log.rename_axis("rule").reset_index()[
        ["rule", "action", "description", "rows", "customers", "customers_lost", "revenue"]]


def _flagged(kept: pd.DataFrame) -> pd.DataFrame:
    """Log rows for kept lines worth a mention: zero-value purchases."""
    zero = kept[(kept["amount"] == 0) & ~is_return(kept)]
    return pd.DataFrame(
        {"action": "kept", "description": FLAGS["zero_value"], "rows": len(zero),
         "customers": zero["customer_id"].nunique(), "customers_lost": 0, "revenue": 0.0},
        index=pd.Index(["zero_value"]))


def excluded_rules(log: pd.DataFrame) -> pd.DataFrame:
    """The rows of the quality log that excluded lines (not those that only flag kept lines)."""
    return log[log["action"] == "excluded"]


def reconcile(tx: pd.DataFrame, clean: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Rows, customers and revenue: in = kept + excluded, with the difference (must be 0).

    Three independent counts: "in raw data" from the lines that were cleaned (``tx``), "kept"
    from the clean lines, "excluded" from the log's excluded rules (customers: those left with
    no line at all). A line counted under no rule or under two, or a lost customer charged to
    no rule or to two, shows as a difference.

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
    excluded = excluded_rules(log)
    table = pd.DataFrame(
        {
            "in raw data": [len(tx), tx["customer_id"].nunique(), tx["amount"].sum()],
            "kept": [len(clean), clean["customer_id"].nunique(), clean["amount"].sum()],
            "excluded": [excluded["rows"].sum(), excluded["customers_lost"].sum(), excluded["revenue"].sum()],
        },
        index=pd.Index(["rows", "customers", "revenue"], name="measure"),
    ).astype(float)
    table["difference"] = (table["in raw data"] - table["kept"] - table["excluded"]).round(6)
    return table
