"""The front door: any supported file or DataFrame -> segkit's canonical transaction table."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from segkit.data.columns import COLUMN_ALIASES, NUMERIC, check_required as _check_required
from segkit.data.columns import map_columns
from segkit.errors import DataError

READERS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
}

_MAX_EXAMPLES = 5


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
    mapping, _ = map_columns(frame, columns)
    _check_required(mapping, frame)
    renamed = frame.rename(columns=mapping)
    out = pd.DataFrame(index=renamed.index)
    out["customer_id"] = _parse_ids(renamed["customer_id"])
    out["order_id"] = _parse_ids(renamed["order_id"]) if "order_id" in renamed else (
        out["customer_id"].fillna("") + " @ " + renamed["order_date"].astype(str))
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

