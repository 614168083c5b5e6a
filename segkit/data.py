"""Load, validate and clean transactions; build the customer table.

The data flows one way::

    raw file --load_transactions--> canonical lines --clean_transactions--> (clean, quality log)
             --customer_table--> one row per customer

``load_transactions`` is the only place where input is validated: every problem raises
:class:`segkit.DataError` with a message naming the problem and the fix. ``clean_transactions``
applies the exclusion rules and returns a log that reconciles rows, customers and revenue
exactly. ``customer_table`` keeps the two recency conventions apart by name (see its docstring).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.errors import DataError
from segkit.paths import INTERIM_DIR

#: The canonical columns and the raw names recognised for each, compared after lower-casing
#: and dropping spaces, underscores and dashes. Covers the UCI "Online Retail" and
#: "Online Retail II" layouts and the usual e-commerce export names.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": ("customerid", "customer", "custid", "clientid", "memberid", "userid", "buyerid"),
    "order_id": ("orderid", "invoiceno", "invoice", "invoiceid", "ordernumber", "orderno", "transactionid"),
    "order_date": ("orderdate", "invoicedate", "date", "transactiondate", "purchasedate", "orderdatetime"),
    "product_id": ("productid", "stockcode", "sku", "itemid", "productcode", "product"),
    "description": ("description", "productname", "itemname"),
    "quantity": ("quantity", "qty", "units"),
    "unit_price": ("unitprice", "price", "itemprice", "priceeach"),
    "amount": ("amount", "revenue", "sales", "linetotal", "lineamount", "totalprice"),
    "country": ("country",),
    "channel": ("channel", "saleschannel"),
    "category": ("category", "productcategory"),
    "discount": ("discount", "discountrate"),
}
REQUIRED: tuple[str, ...] = ("customer_id", "order_id", "order_date")
NUMERIC: tuple[str, ...] = ("quantity", "unit_price", "amount", "discount")
READERS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
}

#: Customer ids treated as internal or test accounts unless told otherwise.
DEFAULT_TEST_ACCOUNT_PATTERN: str = r"(?i)^(?:test|internal|staff|demo|dummy)"
#: Robust z-score (on log line revenue) above which a line is an extreme outlier.
DEFAULT_OUTLIER_Z: float = 6.0

_MAX_EXAMPLES = 5


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _normalise_name(name: object) -> str:
    return re.sub(r"[\s_\-./]+", "", str(name)).lower()


def _file_kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".zip", ".xz", ".zst"):
        suffixes = suffixes[:-1]
    kind = READERS.get(suffixes[-1] if suffixes else "")
    if kind is None:
        known = ", ".join(sorted(READERS)) + " (optionally compressed: .gz, .bz2, .zip, .xz)"
        raise DataError(
            f"Unknown file type for '{path.name}': segkit reads {known}. "
            "Save the file in one of these formats, or load it yourself and pass the DataFrame."
        )
    return kind


def _read_file(path: Path, *, encoding: str) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"File not found: '{path}'. Check the path (relative paths are read from the project root).")
    if path.stat().st_size == 0:
        raise DataError(f"The file '{path.name}' is empty (0 bytes). Export the transactions again.")
    kind = _file_kind(path)
    try:
        if kind in ("csv", "tsv"):
            # every column as text first, so that ids keep their leading zeros and
            # numbers and dates are parsed once, with our own error messages
            return pd.read_csv(path, sep="\t" if kind == "tsv" else ",", dtype=str, encoding=encoding,
                               keep_default_na=False, na_values=[""])
        if kind == "parquet":
            return pd.read_parquet(path)
        return pd.read_excel(path, dtype=object)
    except UnicodeDecodeError as error:
        raise DataError(
            f"'{path.name}' is not valid {encoding} text (byte {error.start} cannot be decoded). "
            "It was probably saved in another encoding: pass encoding='latin-1' (or 'cp1252') "
            "to load_transactions, or re-save the file as UTF-8."
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"The file '{path.name}' has no header and no rows. Export the transactions again.") from None
    except (pd.errors.ParserError, ValueError, OSError, ImportError) as error:
        raise DataError(
            f"Could not read '{path.name}' as {kind}: {str(error).splitlines()[0]}. "
            "Check that the file is not truncated and that its extension matches its content."
        ) from None


def _map_columns(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> dict[str, str]:
    """Return {raw column: canonical name}, from the explicit mapping first, then the aliases."""
    columns = dict(columns or {})
    unknown = [raw for raw in columns if raw not in frame.columns]
    if unknown:
        raise DataError(
            f"The column mapping names {unknown}, which the data does not have. "
            f"Columns found: {list(frame.columns)}. Fix the mapping's keys (raw names) to match."
        )
    bad_targets = sorted(set(columns.values()) - set(COLUMN_ALIASES))
    if bad_targets:
        raise DataError(
            f"The column mapping maps to {bad_targets}, which are not segkit columns. "
            f"Map raw names to one of: {sorted(COLUMN_ALIASES)}."
        )
    mapping = dict(columns)
    taken = set(columns.values())
    for canonical, aliases in COLUMN_ALIASES.items():
        if canonical in taken:
            continue
        matches = [c for c in frame.columns if c not in mapping and _normalise_name(c) in (_normalise_name(canonical), *aliases)]
        if len(matches) > 1:
            raise DataError(
                f"Ambiguous columns for '{canonical}': {matches} all look like it. "
                f"Say which one to use with columns={{'{matches[0]}': '{canonical}'}}."
            )
        if matches:
            mapping[matches[0]] = canonical
    return mapping


def _check_required(mapping: dict[str, str], frame: pd.DataFrame) -> None:
    present = set(mapping.values())
    missing = [c for c in REQUIRED if c not in present]
    if not ({"quantity", "unit_price"} <= present or "amount" in present):
        missing.append("amount (or quantity and unit_price)")
    if missing:
        raise DataError(
            f"Missing required column(s): {', '.join(missing)}. Columns found: {list(frame.columns)}. "
            "Rename them, or pass a mapping such as columns={'MyCustomerCol': 'customer_id'} "
            "(in the notebooks: the column_map parameter)."
        )


def _examples(values: pd.Series) -> str:
    return ", ".join(repr(v) for v in values.head(_MAX_EXAMPLES).tolist())


def _parse_numbers(raw: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw):
        return raw.astype(float)
    text = raw.astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    if bad.any():
        raise DataError(
            f"Column '{name}' has {int(bad.sum())} non-numeric value(s), e.g. {_examples(text[bad])}. "
            "Remove currency symbols and thousands separators, or fix these rows, then load again."
        )
    return numbers.astype(float)


def _parse_dates(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
    else:
        text = raw.astype("string").str.strip()
        dates = pd.to_datetime(text, errors="coerce")
        if dates.isna().sum() > text.isna().sum():
            # a file may mix layouts (e.g. '2024-01-05' and '05/01/2024 10:00')
            dates = pd.to_datetime(text, errors="coerce", format="mixed")
        bad = dates.isna() & text.notna()
        if bad.any():
            raise DataError(
                f"Column 'order_date' has {int(bad.sum())} value(s) that are not dates, e.g. {_examples(text[bad])}. "
                "Use one date format (ISO 'YYYY-MM-DD HH:MM' is safest) or fix these rows."
            )
    missing = int(dates.isna().sum())
    if missing:
        raise DataError(f"Column 'order_date' is empty in {missing} row(s). Fill in or remove those rows.")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.astype("datetime64[ns]")


def _parse_ids(raw: pd.Series) -> pd.Series:
    """Ids as text: '17850.0' (a float-typed export) becomes '17850'; blanks become missing."""
    text = raw.astype("string").str.strip()
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return text.mask(text.isin(["", "nan", "NaN", "None"]))


def load_transactions(
    source: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read order lines from a file or DataFrame into segkit's canonical layout.

    Parameters
    ----------
    source : path or DataFrame
        CSV (optionally ``.gz``/``.zip``/...), TSV, Parquet or Excel file, or a DataFrame.
    columns : mapping, optional
        Raw column name -> canonical name, for columns segkit does not recognise. The UCI
        "Online Retail" (I and II) names and common export names are recognised without it.
    encoding : str, default "utf-8"
        Text encoding of CSV files (UCI's exports are ``"latin-1"``).

    Returns
    -------
    DataFrame
        ``customer_id`` (string, missing for guest orders), ``order_id`` (string),
        ``order_date`` (datetime64), ``quantity``, ``unit_price``, ``amount`` (line revenue,
        ``quantity * unit_price`` unless the file has its own), plus ``product_id``,
        ``description``, ``country``, ``channel``, ``category``, ``discount`` where present,
        and any other columns as they were.

    Raises
    ------
    DataError
        Unknown, unreadable, empty or wrongly encoded file; missing or ambiguous columns;
        dates or numbers that cannot be parsed.

    Examples
    --------
    >>> raw = pd.DataFrame({"Invoice": ["1", "1"], "Customer ID": [7.0, 7.0],
    ...                     "InvoiceDate": ["2024-01-02", "2024-01-02"],
    ...                     "Quantity": [2, 1], "Price": [3.5, 10.0]})
    >>> load_transactions(raw)[["customer_id", "order_id", "amount"]].values.tolist()
    [['7', '1', 7.0], ['7', '1', 10.0]]
    """
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), "the DataFrame"
    else:
        path = Path(source)
        frame, name = _read_file(path, encoding=encoding), f"'{path.name}'"
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataError(f"{name} has no rows{'' if frame.shape[1] else ' and no columns'}. Check the export.")
    frame.columns = [str(c).strip() for c in frame.columns]
    mapping = _map_columns(frame, columns)
    _check_required(mapping, frame)
    renamed = frame.rename(columns=mapping)
    out = pd.DataFrame(index=renamed.index)
    out["customer_id"] = _parse_ids(renamed["customer_id"])
    out["order_id"] = _parse_ids(renamed["order_id"])
    if out["order_id"].isna().any():
        raise DataError(
            f"Column 'order_id' is empty in {int(out['order_id'].isna().sum())} row(s). "
            "Every order line needs an order (invoice) number: fill in or remove those rows."
        )
    out["order_date"] = _parse_dates(renamed["order_date"])
    numbers = {c: _parse_numbers(renamed[c], c) for c in NUMERIC if c in renamed}
    out["quantity"] = numbers.get("quantity", pd.Series(1.0, index=out.index))
    out["unit_price"] = numbers.get("unit_price", numbers.get("amount"))
    out["amount"] = numbers.get("amount", out["quantity"] * out["unit_price"])
    for column in ("product_id", "description", "country", "channel", "category"):
        if column in renamed:
            out[column] = renamed[column].astype("string").str.strip()
    if "discount" in numbers:
        out["discount"] = numbers["discount"]
    extras = [c for c in renamed.columns if c not in out.columns and c not in COLUMN_ALIASES]
    return pd.concat([out, renamed[extras]], axis=1).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------

#: The exclusion rules in the order they are applied, with a plain description for the log.
RULES: dict[str, str] = {
    "missing_customer": "no customer id (guest checkout): cannot be attributed to a customer",
    "test_account": "internal or test account",
    "duplicate": "exact duplicate of an earlier line (double export)",
    "non_positive_price": "zero or negative unit price (free samples, bad-debt adjustments)",
    "outlier": "extreme line revenue (robust z-score on log revenue above the threshold)",
    "return": "return or cancellation (negative quantity)",
    "unmatched_return": "return with no matching purchase in the data (bought before the data starts)",
    "no_net_revenue": "customer whose purchases were all returned (net revenue <= 0)",
}


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
    is_test = tx["customer_id"].isin(list(test_accounts))
    if test_account_pattern:
        is_test |= tx["customer_id"].str.contains(test_account_pattern, regex=True, na=False)
    exclude("test_account", is_test)
    exclude("duplicate", tx.duplicated(keep="first"))
    exclude("non_positive_price", tx["unit_price"] <= 0)
    if outlier_z is not None:
        exclude("outlier", _outliers(tx, reason == "kept", outlier_z))
    is_return = tx["quantity"] < 0
    if returns == "drop":
        exclude("return", is_return)
    else:
        exclude("unmatched_return", is_return & ~_matched_returns(tx, reason == "kept"))
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


def _matched_returns(tx: pd.DataFrame, kept: pd.Series) -> pd.Series:
    """True for return lines whose customer bought at least that quantity of the product in the data.

    Matching is on (customer, product) when product ids exist, else on the customer's revenue.
    """
    keys = ["customer_id", "product_id"] if "product_id" in tx else ["customer_id"]
    measure = "quantity" if "product_id" in tx else "amount"
    live = tx[kept]
    bought = live[live["quantity"] > 0].groupby(keys, observed=True)[measure].sum().rename("bought")
    returned = (-live[live["quantity"] < 0].groupby(keys, observed=True)[measure].sum()).rename("returned")
    totals = pd.concat([bought, returned], axis=1).fillna(0.0)
    ok = totals.index[totals["returned"] <= totals["bought"] + 1e-9]
    return pd.Series(pd.MultiIndex.from_frame(tx[keys]).isin(ok) if len(keys) > 1 else tx[keys[0]].isin(ok),
                     index=tx.index)


def _customers_without_net_revenue(tx: pd.DataFrame, kept: pd.Series) -> pd.Series:
    net = tx.loc[kept].groupby("customer_id", observed=True)["amount"].sum()
    return tx["customer_id"].isin(net.index[net <= 1e-6]) & kept


def clean_transactions(
    tx: pd.DataFrame,
    *,
    returns: str = "net",
    test_account_pattern: str | None = DEFAULT_TEST_ACCOUNT_PATTERN,
    test_accounts: tuple[str, ...] | list[str] = (),
    outlier_z: float | None = DEFAULT_OUTLIER_Z,
) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    clean : DataFrame
        The kept lines, with ``is_return``.
    log : DataFrame
        One row per rule: ``rule``, ``description``, ``rows``, ``customers`` (customers with
        a line excluded), ``customers_lost`` (customers left with no line at all),
        ``revenue``. ``log.attrs`` holds the totals in and kept; see :func:`reconcile`.

    Examples
    --------
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
    return clean, log


def split_transactions(tx: pd.DataFrame, **options) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`clean_transactions`, plus the excluded lines themselves, from one pass of the rules.

    Takes the same options. Returns ``(clean, excluded, log)``: ``excluded`` holds every line
    that was left out, as it was in ``tx``, with the rule that excluded it in ``excluded_by``;
    it adds up to ``log`` line for line.
    """
    reason = flag_exclusions(tx, **options)
    kept = reason == "kept"
    clean = tx[kept].copy()
    clean["is_return"] = clean["quantity"] < 0
    clean = clean.sort_values(["order_date", "order_id"], kind="stable").reset_index(drop=True)
    excluded = tx[~kept].assign(excluded_by=reason[~kept])
    return clean, excluded, _quality_log(tx, reason)


def _quality_log(tx: pd.DataFrame, reason: pd.Series) -> pd.DataFrame:
    kept = reason == "kept"
    customers_in = tx["customer_id"].dropna().unique()
    kept_customers = set(tx.loc[kept, "customer_id"].unique())
    lost = tx[tx["customer_id"].notna() & ~tx["customer_id"].isin(kept_customers)]
    # a lost customer is charged to the last rule (in rule order) that removed any of their lines
    rule_rank = {rule: i for i, rule in enumerate(RULES)}
    lost_by = reason[lost.index].map(rule_rank).groupby(lost["customer_id"]).max().map(dict(enumerate(RULES)))
    grouped = tx.assign(reason=reason)[~kept].groupby("reason")
    log = pd.DataFrame({
        "rows": grouped.size(),
        "customers": grouped["customer_id"].nunique(),
        "revenue": grouped["amount"].sum(),
    }).reindex(list(RULES)).fillna(0)
    log["customers_lost"] = lost_by.value_counts().reindex(list(RULES)).fillna(0)
    log = log.astype({"rows": int, "customers": int, "customers_lost": int})
    log.insert(0, "description", [RULES[r] for r in log.index])
    log = log.rename_axis("rule").reset_index()[["rule", "description", "rows", "customers", "customers_lost", "revenue"]]
    log.attrs = {
        "rows_in": int(len(tx)),
        "revenue_in": float(tx["amount"].sum()),
        "customers_in": int(len(customers_in)),
        "rows_kept": int(kept.sum()),
        "revenue_kept": float(tx.loc[kept, "amount"].sum()),
        "customers_kept": int(len(kept_customers)),
    }
    return log


def reconcile(log: pd.DataFrame) -> pd.DataFrame:
    """Rows, customers and revenue: in = kept + excluded, with the difference (must be 0).

    Examples
    --------
    >>> tx = load_transactions(pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["a", "TEST1"],
    ...     "order_date": ["2024-01-01"] * 2, "quantity": [1, 1], "unit_price": [5.0, 7.0]}))
    >>> reconcile(clean_transactions(tx)[1])["difference"].tolist()
    [0.0, 0.0, 0.0]
    """
    totals = log.attrs
    table = pd.DataFrame(
        {
            "in raw data": [totals["rows_in"], totals["customers_in"], totals["revenue_in"]],
            "kept": [totals["rows_kept"], totals["customers_kept"], totals["revenue_kept"]],
            "excluded": [log["rows"].sum(), log["customers_lost"].sum(), log["revenue"].sum()],
        },
        index=pd.Index(["rows", "customers", "revenue"], name="measure"),
    ).astype(float)
    table["difference"] = (table["in raw data"] - table["kept"] - table["excluded"]).round(6)
    return table


def load_clean(
    source: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    cache: bool = True,
    **cleaning,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`load_transactions` then :func:`clean_transactions`, cached under ``data/interim/``.

    The cache key is the file's content hash and every option, so a changed file or option
    is never served stale. Options in ``cleaning`` go to :func:`clean_transactions`.
    """
    path = Path(source)
    key = None
    if cache and path.is_file():
        digest = hashlib.sha256(path.read_bytes())
        digest.update(repr((sorted((columns or {}).items()), encoding, sorted(cleaning.items()))).encode())
        key = INTERIM_DIR / f"clean-{digest.hexdigest()[:20]}.pkl"
        if key.exists():
            with open(key, "rb") as handle:
                return pickle.load(handle)
    result = clean_transactions(load_transactions(path, columns=columns, encoding=encoding), **cleaning)
    if key is not None:
        _atomic_pickle(result, key)
    return result


def _atomic_pickle(obj: object, path: Path) -> None:
    """Write then rename, so notebooks running in parallel never read a half-written cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
        pickle.dump(obj, handle)
    os.replace(handle.name, path)


# --------------------------------------------------------------------------------------------
# Customer table
# --------------------------------------------------------------------------------------------

CUSTOMER_COLUMNS: tuple[str, ...] = (
    "first_purchase", "last_purchase", "days_since_last_purchase", "n_orders", "revenue",
    "avg_order_value", "tenure_days", "frequency", "recency", "T", "monetary_value",
)


def _check_clean(clean: pd.DataFrame) -> None:
    missing = [c for c in ("customer_id", "order_id", "order_date", "amount", "quantity") if c not in clean]
    if missing:
        raise DataError(
            f"The transactions lack column(s) {missing}. Pass the output of clean_transactions "
            "(or load_clean), not the raw file."
        )
    if clean["customer_id"].isna().any():
        raise DataError(
            f"{int(clean['customer_id'].isna().sum())} line(s) have no customer id. "
            "Run clean_transactions first: it removes and logs them."
        )
    if len(clean) == 0:
        raise DataError("There are no transactions left to summarise. Check the cleaning log: every row was excluded.")


def check_customer_table(
    customers: object, columns: Sequence[str], *, fix: str = "build it with segkit.data.customer_table(clean)"
) -> None:
    """Check that ``customers`` is a non-empty DataFrame with ``columns``; raise :class:`DataError` otherwise.

    The one boundary check of every method module that reads a customer table (RFM,
    features, ROI): the message names the problem and ``fix``.

    Examples
    --------
    >>> check_customer_table(pd.DataFrame({"revenue": [1.0]}), ["revenue", "n_orders"])
    Traceback (most recent call last):
    ...
    segkit.errors.DataError: the customer table lacks column(s) ['n_orders']; build it with segkit.data.customer_table(clean), or rename your columns to these names.
    """
    if not isinstance(customers, pd.DataFrame):
        raise DataError(
            f"expected the customer table as a pandas DataFrame (one row per customer), "
            f"got {type(customers).__name__}; {fix}."
        )
    missing = [c for c in columns if c not in customers.columns]
    if missing:
        raise DataError(f"the customer table lacks column(s) {missing}; {fix}, or rename your columns to these names.")
    if len(customers) == 0:
        raise DataError(
            "the customer table is empty (0 rows); check the data path and the cleaning log (segkit.data.load_clean)."
        )


def _snapshot(clean: pd.DataFrame, snapshot_date: object) -> pd.Timestamp:
    if snapshot_date is None or snapshot_date == "":
        return clean["order_date"].max().normalize() + pd.Timedelta(days=1)
    try:
        snapshot = pd.Timestamp(snapshot_date).normalize()
    except (ValueError, TypeError):
        raise DataError(f"snapshot_date {snapshot_date!r} is not a date. Use 'YYYY-MM-DD'.") from None
    first = clean["order_date"].min()
    if snapshot <= first.normalize():
        raise DataError(
            f"snapshot_date {snapshot.date()} is on or before the first transaction ({first.date()}): "
            "no customer exists yet. Choose a later date."
        )
    return snapshot


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of ``values`` numbered in sorted order of the values, and the sorted values."""
    codes, uniques = pd.factorize(values, sort=False)
    order = np.argsort(np.asarray(uniques, dtype=object))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], pd.Index(np.asarray(uniques, dtype=object)[order])


def _summarise_days(code: np.ndarray, day: np.ndarray, amount: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Per customer: number of distinct purchase days, first and last day, value of the first and of all days.

    One sort of an integer (customer, day) key does the work of a two-level groupby.
    """
    span = int(day.max() - day.min() + 1)
    key = code * span + (day - day.min())
    unique_keys, inverse = np.unique(key, return_inverse=True)
    day_value = np.bincount(inverse, weights=amount, minlength=len(unique_keys))
    day_code = unique_keys // span
    n_days = np.bincount(day_code, minlength=n)
    first_index = np.searchsorted(day_code, np.arange(n))  # keys are sorted: a customer's first day comes first
    has_days = n_days > 0
    first_day = np.where(has_days, unique_keys[first_index.clip(max=len(unique_keys) - 1)] % span + day.min(), 0)
    last_index = (first_index + n_days - 1).clip(min=0)
    last_day = np.where(has_days, unique_keys[last_index.clip(max=len(unique_keys) - 1)] % span + day.min(), 0)
    first_value = np.where(has_days, day_value[first_index.clip(max=len(unique_keys) - 1)], 0.0)
    return {"n_days": n_days, "first_day": first_day, "last_day": last_day,
            "first_value": first_value, "total_value": np.bincount(day_code, weights=day_value, minlength=n)}


def _count_distinct(code: np.ndarray, other: np.ndarray, n: int) -> np.ndarray:
    """Number of distinct ``other`` values per customer code."""
    width = int(other.max()) + 1
    pairs = np.sort(code * width + other)  # an explicit sort: np.unique's hashing is slower at this size
    distinct = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]
    return np.bincount(distinct // width, minlength=n)


def customer_table(clean: pd.DataFrame, *, snapshot_date: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per customer at a snapshot date, with RFM and buy-till-you-die summaries.

    Only lines dated before the snapshot day count, so an earlier snapshot gives the table
    as it was then. Two conventions are kept apart by name:

    ====================  ===========================================================
    RFM                   ``days_since_last_purchase`` (lower is better), ``n_orders``,
                          ``revenue`` (net of returns), ``avg_order_value``
    buy-till-you-die      ``frequency`` = repeat purchase days (distinct days - 1),
    (lifetimes, pymc-     ``recency`` = days from first to last purchase (age at last
    marketing)            purchase, higher means more recently active), ``T`` = days
                          from first purchase to the snapshot, ``monetary_value`` =
                          mean net value of the repeat purchase days (0 if none)
    ====================  ===========================================================

    Parameters
    ----------
    clean : DataFrame
        Output of :func:`clean_transactions`.
    snapshot_date : date-like, optional
        The analysis date; default the day after the last transaction.

    Returns
    -------
    DataFrame indexed by ``customer_id``; the snapshot is in ``.attrs["snapshot_date"]``.

    Examples
    --------
    >>> tx = load_transactions(pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["a", "a", "b"],
    ...     "order_date": ["2024-01-01", "2024-01-11", "2024-01-05"], "quantity": [1, 2, 1],
    ...     "unit_price": [10.0, 10.0, 4.0]}))
    >>> table = customer_table(tx.assign(is_return=False))
    >>> columns = ["days_since_last_purchase", "n_orders", "revenue", "frequency", "recency", "T"]
    >>> table[columns].astype(float).to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'a': {'days_since_last_purchase': 1.0, 'n_orders': 2.0, 'revenue': 30.0, 'frequency': 1.0, 'recency': 10.0, 'T': 11.0},
     'b': {'days_since_last_purchase': 7.0, 'n_orders': 1.0, 'revenue': 4.0, 'frequency': 0.0, 'recency': 0.0, 'T': 7.0}}
    """
    _check_clean(clean)
    snapshot = _snapshot(clean, snapshot_date)
    before = clean[clean["order_date"] < snapshot]
    code, customers = _codes(before["customer_id"])
    n = len(customers)
    day = (before["order_date"].to_numpy().astype("datetime64[D]") - np.datetime64(snapshot.date(), "D")).astype(np.int64)
    amount = before["amount"].to_numpy(dtype=float)
    purchase = before["quantity"].to_numpy() > 0
    days = _summarise_days(code[purchase], day[purchase], amount[purchase], n)
    n_orders = _count_distinct(code[purchase], pd.factorize(before["order_id"])[0][purchase], n)
    net = np.bincount(code, weights=amount, minlength=n)
    gross = days["total_value"]
    frequency = np.maximum(days["n_days"] - 1, 0)
    # returns are spread over a customer's purchase days in proportion, so monetary_value is net
    net_share = np.divide(net, gross, out=np.zeros(n), where=gross > 0).clip(0, None)
    repeat_value = (gross - days["first_value"]) * net_share
    revenue = net.clip(0, None)
    table = pd.DataFrame(
        {
            "first_purchase": snapshot + pd.to_timedelta(days["first_day"], unit="D"),
            "last_purchase": snapshot + pd.to_timedelta(days["last_day"], unit="D"),
            "days_since_last_purchase": -days["last_day"],
            "n_orders": n_orders,
            "revenue": revenue.round(6),
            "avg_order_value": np.divide(revenue, n_orders, out=np.zeros(n), where=n_orders > 0).round(6),
            "tenure_days": -days["first_day"],
            "frequency": frequency,
            "recency": days["last_day"] - days["first_day"],
            "T": -days["first_day"],
            "monetary_value": np.divide(repeat_value, frequency, out=np.zeros(n), where=frequency > 0).round(6),
        },
        index=customers.rename("customer_id"),
    )[days["n_days"] > 0]
    table.attrs["snapshot_date"] = snapshot
    return table


def calibration_holdout(
    clean: pd.DataFrame,
    *,
    calibration_end: str | pd.Timestamp,
    holdout_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Split purchase histories into a calibration and a holdout period, as lifetimes does.

    Calibration covers purchases before ``calibration_end``; the holdout covers
    ``calibration_end <= date < holdout_end`` (default: the day after the last transaction).
    Only customers who bought in the calibration period are kept: they are the ones a
    model fitted on calibration data can predict.

    Returns
    -------
    DataFrame indexed by ``customer_id`` with ``frequency_cal``, ``recency_cal``, ``T_cal``,
    ``monetary_value_cal`` (as in :func:`customer_table` at ``calibration_end``) and
    ``frequency_holdout`` (purchase days in the holdout), ``monetary_value_holdout`` (mean
    value of those days, 0 if none), ``duration_holdout`` (days).
    """
    _check_clean(clean)
    start = _snapshot(clean, calibration_end)
    end = _snapshot(clean, holdout_end)
    if end <= start:
        raise DataError(
            f"holdout_end {end.date()} must be after calibration_end {start.date()}. "
            "Choose a calibration_end inside the data's date range."
        )
    cal = customer_table(clean, snapshot_date=start)
    holdout = clean[(clean["order_date"] >= start) & (clean["order_date"] < end) & (clean["quantity"] > 0)]
    holdout = holdout[holdout["customer_id"].isin(cal.index)]
    by_day = holdout.groupby(["customer_id", holdout["order_date"].dt.normalize()])["amount"].sum()
    per_customer = by_day.groupby(level="customer_id").agg(["size", "mean"])
    out = cal[["frequency", "recency", "T", "monetary_value"]].add_suffix("_cal")
    out["frequency_holdout"] = per_customer["size"].reindex(out.index, fill_value=0).astype(int)
    out["monetary_value_holdout"] = per_customer["mean"].reindex(out.index, fill_value=0.0)
    out["duration_holdout"] = (end - start).days
    out.attrs = {"calibration_end": start, "holdout_end": end}
    return out
