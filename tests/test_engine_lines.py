"""The lines left in the engine: the lines as read as a Parquet file, the data profile computed on files
equal to the one computed on frames, and the exports written by the engine equal to the split in pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segkit import data, engine
from segkit.data import profiling
from segkit.engine import views
from segkit.errors import DataError
from segkit.paths import project_path

CORPUS = Path(__file__).parent / "corpus" / "files"
SAMPLE = project_path("data/raw/transactions.csv.gz")
TABLES = ("overview", "schema", "monthly", "returns", "duplicates", "quantiles", "top_lines", "reconciliation")


@pytest.fixture
def interim(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "interim"
    monkeypatch.setattr(data.cache, "INTERIM_DIR", folder)
    return folder


def mixed_workbook(folder: Path) -> Path:
    """A workbook with a column of numbers and words (mixed Python types), which Parquet cannot hold as read."""
    path = folder / "orders.xlsx"
    pd.DataFrame({"Invoice": ["1", "2", "3", "C4"], "Customer ID": ["a", "b", "a", "a"],
                  "InvoiceDate": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-02-01", "2024-02-03"]),
                  "Quantity": [2, 1, 1, -1], "Price": [2.5, 10.0, 4.0, 2.5], "Note": [1, "gift", 2.5, "x"],
                  "Country": ["FR", "DE", "FR", "FR"]}).to_excel(path, index=False)
    return path


@pytest.mark.parametrize("name", ["small_shop.csv", "shopify_orders.csv", "cdnow_style.csv"])
def test_the_lines_as_read_stay_in_a_parquet_file_equal_to_the_frame(name, interim):
    path = CORPUS / name
    expected = data.read_transactions(path)
    read = engine.read_lines(path)
    assert Path(read.lines).is_file() and Path(read.lines).is_relative_to(interim)
    pd.testing.assert_frame_equal(pd.read_parquet(read.lines), expected.lines)
    pd.testing.assert_frame_equal(read.decisions, expected.decisions)
    # the dtypes the profile reports are pandas' own, read from the file's schema alone
    pd.testing.assert_series_equal(views.pandas_types(read.lines), expected.lines.dtypes)


def test_lines_of_a_folder_are_refused_as_the_front_door_refuses_them(tmp_path, interim):
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(DataError, match=r"^Unknown file type for 'exports': segkit reads \.csv"):
        engine.read_lines(folder)


def test_lines_parquet_cannot_hold_come_back_as_the_frame(tmp_path, interim):
    path = mixed_workbook(tmp_path)
    read = engine.read_lines(path)
    assert isinstance(read.lines, pd.DataFrame) and read.lines["Note"].tolist() == [1, "gift", 2.5, "x"]


def profiles(lines, clean, log, customers) -> dict:
    profile = data.profile_transactions(lines, clean, log, customers)
    return {name: getattr(profile, name) for name in TABLES} | {
        "breakdowns": profile.breakdowns, "facts": profile.facts, "headline": profile.headline,
        "findings": profile.findings}


def assert_same_profile(ours: dict, theirs: dict) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(ours[name], theirs[name], obj=name)
    assert ours["breakdowns"].keys() == theirs["breakdowns"].keys()
    for column, table in ours["breakdowns"].items():
        pd.testing.assert_frame_equal(table, theirs["breakdowns"][column], obj=column)
    assert (ours["facts"], ours["headline"], ours["findings"]) == (theirs["facts"], theirs["headline"],
                                                                    theirs["findings"])


@pytest.mark.parametrize("name", ["small_shop.csv", "shopify_orders.csv"])
def test_the_profile_of_the_files_is_the_profile_of_the_frames(name, interim):
    path = CORPUS / name
    lines = data.read_transactions(path).lines
    split = data.load_split(path)
    customers = data.customer_table(split.clean)
    clean_file = engine.clean_lines(path)
    ours = profiles(engine.read_lines(path).lines, clean_file, engine.cleaning_log(path).log,
                    engine.customer_table(path))
    assert_same_profile(ours, profiles(lines, split.clean, split.log, customers))


def test_the_profile_of_the_sample_file_by_hand_where_it_can_be_counted(interim):
    """The profile of the shipped sample against counts made directly on the frame in pandas."""
    path = SAMPLE
    lines = data.read_file(path).lines
    clean, log = data.load_clean(path)
    profile = data.profile_transactions(engine.read_lines(path).lines, engine.clean_lines(path), log,
                                        engine.customer_table(path))
    schema = profile.schema
    assert schema["missing"].to_dict() == lines.isna().sum().to_dict()
    assert schema["distinct"].to_dict() == lines.nunique().to_dict()
    assert schema["example"].to_dict() == lines.bfill().iloc[0].to_dict()
    repeated = lines[lines.duplicated()]
    assert profile.duplicates["value"].tolist() == [len(repeated), repeated["order_id"].nunique(),
                                                    repeated["customer_id"].nunique(),
                                                    round(repeated["amount"].sum(), 2)]
    month = lines["order_date"].dt.to_period("M")
    assert profile.monthly["revenue"].tolist() == lines["amount"].groupby(month).sum().round(2).tolist()
    quantiles = lines[["quantity", "unit_price", "amount"]].quantile(list(profiling.QUANTILES.values())).T.round(2)
    assert profile.quantiles.to_numpy().tolist() == quantiles.to_numpy().tolist()
    assert profile.facts.rows_kept == len(clean) and profile.facts.customers_in == lines["customer_id"].nunique()
    by_country = clean.groupby("country")["customer_id"].nunique()
    assert profile.breakdowns["country"]["customers"].sort_index().tolist() == by_country.sort_index().tolist()


def test_a_frame_parquet_cannot_hold_is_profiled_as_it_is(tmp_path, interim):
    path = mixed_workbook(tmp_path)
    lines = engine.read_lines(path).lines
    split = data.load_split(path)
    profile = data.profile_transactions(lines, engine.clean_lines(path), split.log, engine.customer_table(path))
    # the engine reads a column of mixed types as text: its example is the first value's text
    assert profile.schema.loc["Note", ["type", "filled", "distinct", "example"]].tolist() == ["object", 4, 4, "1"]
    assert profile.returns.loc["cancelled invoices (C...)", "lines"] == 1
    assert (profile.reconciliation["difference"] == 0).all()


@pytest.mark.parametrize("options", [{}, {"returns": "drop"}, {"outlier_z": 4.0}])
def test_the_exports_are_the_split_in_pandas(options, tmp_path, interim):
    path = SAMPLE
    split = data.load_split(path, **options)
    exported = engine.export_lines(path, tmp_path / "out", **options)
    assert (exported.n_clean, exported.n_excluded) == (len(split.clean), len(split.excluded))
    pd.testing.assert_frame_equal(pd.read_parquet(exported.clean), split.clean, check_dtype=False)
    excluded = pd.read_parquet(exported.excluded)
    assert excluded.columns[0] == "source_line"
    pd.testing.assert_frame_equal(excluded.set_index("source_line").rename_axis(None), split.excluded,
                                  check_dtype=False, check_index_type=False)


def test_two_exports_are_the_same_bytes(tmp_path, interim):
    path = SAMPLE
    first = engine.export_lines(path, tmp_path / "first")
    second = engine.export_lines(path, tmp_path / "second")
    for ours, theirs in zip(first[:2], second[:2], strict=True):
        assert ours.read_bytes() == theirs.read_bytes()


def test_the_exports_of_lines_cleaned_in_memory(tmp_path, interim):
    path = mixed_workbook(tmp_path)
    split = data.load_split(path)
    exported = engine.export_lines(path, tmp_path / "out")
    pd.testing.assert_frame_equal(pd.read_parquet(exported.clean), split.clean, check_dtype=False)
    assert pd.read_parquet(exported.excluded)["source_line"].tolist() == split.excluded.index.tolist()


@pytest.mark.parametrize("options", [{"returns": "drop"}, {"outlier_z": 4.0}])
def test_a_cleaning_log_without_an_entry_is_counted_without_writing_the_lines(options, interim):
    """Before any entry exists the log and totals are counted in the engine, and no clean entry is made;
    they equal what load_clean's entry gives afterwards, and the log of split_transactions in memory."""
    counted = engine.cleaning_log(SAMPLE, **options)
    assert not list(interim.glob("clean-*"))
    clean, log = data.load_clean(SAMPLE, **options)
    pd.testing.assert_frame_equal(counted.log, log)
    pd.testing.assert_frame_equal(counted.log, data.split_transactions(data.read_file(SAMPLE).lines, **options).log)
    assert counted.totals == engine.cleaning_log(SAMPLE, **options).totals  # now read from the entry
    assert counted.totals == {"n_lines": len(clean), "n_no_customer": 0, "first": clean["order_date"].min(),
                              "last": clean["order_date"].max(), "revenue": round(clean["amount"].sum(), 2)}


def test_a_cleaning_log_of_lines_parquet_cannot_hold_is_counted_from_the_frame(tmp_path, interim):
    path = mixed_workbook(tmp_path)
    counted = engine.cleaning_log(path, returns="drop")
    split = data.split_transactions(data.read_file(path).lines, returns="drop")
    pd.testing.assert_frame_equal(counted.log, split.log)
    assert (counted.totals["n_lines"], counted.totals["revenue"]) == (3, 19.0) == (len(split.clean),
                                                                                split.clean["amount"].sum())


def test_a_cleaning_log_refuses_options_as_load_clean_does(interim):
    with pytest.raises(DataError, match="^returns must be 'net' or 'drop', got 'keep'"):
        engine.cleaning_log(SAMPLE, returns="keep")
