"""The realistic-export corpus (tests/corpus): the reader's totals and decisions against the manifest,
and the whole API path (clean -> customer table -> RFM -> features -> clustering -> CLV) on every file.

Two roads into each file:

* ``by_hand``: the file read with pandas and the parameters the manifest says are right. It checks
  the corpus itself, and feeds the method code a canonical frame of each shape (closed cohort, 150
  customers, 70% one-time buyers, amount only, no product ids, ...) whatever the reader can do.
* ``segkit.data.load_transactions`` / ``load_clean`` on the file: the reader's own decisions.
"""

from __future__ import annotations

import ast
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import campaign, clv, data, rfm
from segkit.cluster import (
    SegmentKMeans,
    WardClustering,
    choose_k,
    kmeans_segmentation,
    prepare_features,
    principal_components,
)
from segkit.rfm.migration import segment_migration

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST: dict[str, dict] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
FILES = list(MANIFEST)

# --- the files read by hand, with the parameters the manifest says are right ------------------


def _number(text: pd.Series, *, decimal: str = ".", thousands: str | None = ",", currency: str = "") -> pd.Series:
    text = text.astype("string").str.strip()
    if currency:
        text = text.str.replace(currency, "", regex=False)
    if thousands:
        text = text.str.replace(thousands, "", regex=False)
    return pd.to_numeric(text.str.replace(decimal, ".", regex=False)).astype(float)


def _blank_to_na(text: pd.Series) -> pd.Series:
    text = text.astype("string").str.strip()
    return text.mask(text == "")


def by_hand(name: str) -> pd.DataFrame:
    """The file as a canonical frame: customer_id, order_id, order_date, quantity, unit_price, amount, ..."""
    path = CORPUS / "files" / name
    expected = MANIFEST[name]["expected"]
    if name.endswith(".parquet"):
        return pd.read_parquet(path)
    if name.endswith(".xlsx"):
        raw = pd.concat(pd.read_excel(path, sheet_name=expected["sheets"]).values(), ignore_index=True)
        return pd.DataFrame({
            "customer_id": raw["Customer ID"].map(lambda v: None if pd.isna(v) else str(int(v))),
            "order_id": raw["Invoice"].astype(str), "order_date": raw["InvoiceDate"],
            "product_id": raw["StockCode"].astype(str), "quantity": raw["Quantity"].astype(float),
            "unit_price": raw["Price"].astype(float), "country": raw["Country"],
        })
    raw = pd.read_csv(path, encoding=expected["encoding"], sep=expected["delimiter"], dtype=str,
                      keep_default_na=False)
    columns = MANIFEST[name]["columns"]
    num = dict(decimal=expected["decimal"], thousands=expected["thousands"], currency=expected["currency"] or "")
    out = pd.DataFrame({"customer_id": _blank_to_na(raw[columns["customer_id"]])})
    out["order_id"] = (raw[columns["order_id"]] if "order_id" in columns
                       else raw[columns["customer_id"]] + "-" + raw[columns["order_date"]])
    dates = raw[columns["order_date"]].str.slice(0, 19) if "%z" in expected["date_format"] else raw[columns["order_date"]]
    out["order_date"] = pd.to_datetime(dates, format=expected["date_format"].replace(" %z", ""))
    for canonical in ("quantity", "unit_price", "amount"):
        if canonical in columns:
            out[canonical] = _number(raw[columns[canonical]], **num)
    for canonical in ("product_id", "description", "country"):
        if canonical in columns:
            out[canonical] = _blank_to_na(raw[columns[canonical]])
    return out


def _line_amount(frame: pd.DataFrame) -> pd.Series:
    return frame["amount"] if "amount" in frame else frame["quantity"] * frame["unit_price"]


@pytest.mark.parametrize("name", FILES)
def test_corpus_files_match_their_manifest(name):
    """The corpus itself: read with the right parameters, each file has the manifest's totals."""
    truth = MANIFEST[name]
    frame = by_hand(name)
    assert len(frame) == truth["rows"]
    assert frame["customer_id"].dropna().nunique() == truth["customers"]
    assert _line_amount(frame).sum() == pytest.approx(truth["revenue"], abs=0.01)
    assert frame["order_date"].min() == pd.Timestamp(truth["date_min"])
    assert frame["order_date"].max() == pd.Timestamp(truth["date_max"])
    assert (CORPUS / "files" / name).stat().st_size < 1_000_000


def test_corpus_is_what_the_generator_writes(tmp_path, monkeypatch):
    """make_corpus.py is deterministic and the committed files are its output."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_corpus", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "FILES", tmp_path / "files")
    monkeypatch.setattr(module, "MANIFEST", tmp_path / "manifest.json")
    module.main()
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8")) == MANIFEST
    for name in FILES:
        assert (tmp_path / "files" / name).read_bytes() == (CORPUS / "files" / name).read_bytes(), name


def test_corpus_shapes_are_as_described():
    """The shapes the method code must survive are really in the files."""
    cdnow = by_hand("cdnow_style.csv")
    firsts = cdnow.groupby("customer_id")["order_date"].min()
    assert firsts.max() < cdnow["order_date"].min() + pd.Timedelta(weeks=12)
    assert cdnow["order_date"].max() - cdnow["order_date"].min() > pd.Timedelta(days=540)
    assert by_hand("small_shop.csv")["customer_id"].nunique() == 150
    one = by_hand("one_timers.parquet")
    orders = one[one["amount"] >= 0].groupby("customer_id")["order_id"].nunique()
    assert (orders == 1).mean() == pytest.approx(0.70)
    assert (one["amount"] < 0).any() and (one["amount"] == 0).any()
    onec = by_hand("onec_cp1251.csv")
    assert (onec["order_date"].dt.day > 12).mean() > 0.4 and (onec["amount"] < 0).any()


# --- the reader against the manifest ---------------------------------------------------------


def _read(name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    tx = data.load_transactions(CORPUS / "files" / name)
    clean, log = data.clean_transactions(tx)
    return tx, clean, log


@pytest.mark.parametrize("name", FILES)
def test_reader_totals_match_the_manifest(name):
    truth = MANIFEST[name]
    tx, clean, log = _read(name)
    table = data.reconcile(tx, clean, log)
    assert table.loc["rows", "in raw data"] == truth["rows"]
    assert table.loc["customers", "in raw data"] == truth["customers"]
    assert table.loc["revenue", "in raw data"] == pytest.approx(truth["revenue"], abs=0.01)
    assert (table["difference"] == 0).all(), table
    assert tx["order_date"].min() == pd.Timestamp(truth["date_min"])
    assert tx["order_date"].max() == pd.Timestamp(truth["date_max"])


@pytest.mark.parametrize("name", FILES)
def test_snapshot_date_is_read_back_from_the_customer_table(name):
    """The default snapshot is the day after the manifest's last line; an explicit one comes back as given."""
    truth = MANIFEST[name]
    _, clean, _ = _read(name)
    assert data.snapshot_date(data.customer_table(clean)) == pd.Timestamp(truth["date_max"]).normalize() + pd.Timedelta(days=1)
    middle = pd.Timestamp(truth["date_min"]) + (pd.Timestamp(truth["date_max"]) - pd.Timestamp(truth["date_min"])) / 2
    earlier = data.customer_table(clean, snapshot_date=middle)
    assert data.snapshot_date(earlier) == middle.normalize()
    assert data.snapshot_date(earlier.iloc[::-1].head(5)) == middle.normalize()


def _decisions(name: str) -> pd.DataFrame:
    """The reader's decisions for a corpus file, as segkit.data.decisions_table gives them."""
    return data.read_transactions(CORPUS / "files" / name).decisions


def _value(decisions: pd.DataFrame, aspect: str, subject: str | None = None) -> str | None:
    rows = decisions[decisions["aspect"] == aspect]
    if subject is not None:
        rows = rows[rows["subject"] == subject]
    return None if rows.empty else str(rows["value"].iloc[0])


def _unquote(value: str | None) -> str | None:
    try:
        return ast.literal_eval(value) if value else value
    except (ValueError, SyntaxError):
        return value


@pytest.mark.parametrize("name", FILES)
def test_reader_decisions_match_the_manifest(name):
    truth, expected = MANIFEST[name], MANIFEST[name]["expected"]
    decisions = _decisions(name)
    if expected["encoding"]:
        accepted = {expected["encoding"], *expected.get("encoding_also_accepted", [])}
        assert _value(decisions, "encoding") in accepted
    if expected["delimiter"]:
        assert _unquote(_value(decisions, "delimiter")) == expected["delimiter"]
    if expected["sheets"]:
        sheets = _value(decisions, "sheets")
        assert all(repr(sheet) in sheets for sheet in expected["sheets"]), sheets
    if expected["date_format"] and expected["date_format"].startswith("%"):
        column = f"column '{truth['columns']['order_date']}'"
        # '%H:%M:%S %z' and '%H:%M:%S%z' read the same text ('14:02:11 +0100')
        assert _value(decisions, "date format", column).replace(" %z", "%z") == expected["date_format"].replace(" %z", "%z")
    money_column = truth["columns"].get("amount", truth["columns"].get("unit_price"))
    if expected["decimal"]:
        value = _value(decisions, "number format", f"column '{money_column}'")
        assert value is not None and f"decimal '{expected['decimal']}'" in value, value
        if expected["thousands"]:
            # a no-break space is reported as a space separator
            spaces = {expected["thousands"], " "} if expected["thousands"].isspace() else {expected["thousands"]}
            assert any(f"thousands '{mark}'" in value for mark in spaces), value
        else:
            assert "thousands" not in value, value
    if "order_id" not in truth["columns"]:
        assert _value(decisions, "order id") is not None


# --- the API path, from the file and from the hand-read frame ----------------------------------


def _api_path(clean: pd.DataFrame) -> dict:
    """customer table -> RFM -> features -> k-means -> CLV fit; returns what the tests check."""
    customers = data.customer_table(clean)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segments = rfm.rfm_segments(customers, warn=False)
        summary = rfm.segment_summary(segments)
        earlier = data.customer_table(clean, snapshot_date=data.snapshot_date(customers) - pd.Timedelta(days=90))
        migration = segment_migration(rfm.rfm_segments(earlier, warn=False), segments)
        prepared = prepare_features(customers, clean, feature_set="extended")
        selection = choose_k(prepared.scaled, k_range=range(2, 7), random_state=0)
        labels = SegmentKMeans(n_clusters=selection.chosen_k, random_state=0).fit(prepared.scaled).labels_
        # the notebooks' own chains: k-means with stability (02, 04), Ward (03), PCA (04), the campaign plan (06)
        kmeans = kmeans_segmentation(customers, clean, feature_set="extended", k_range=range(3, 9), n_init=2,
                                     gap_references=2, stability_refits=3, random_state=0)
        ward = WardClustering(k_range=(3, 8), random_state=0).fit(prepared.scaled, order_by=customers["revenue"])
        pca = principal_components(kmeans.scaled, random_state=0)
        migration_study = rfm.migration_study(clean, segments, days=90)
        customers = customers.assign(segment=campaign.segment_customers(customers, by="rfm"))
        study = campaign.campaign_study(campaign.match_campaign(None, customers), customers, budget=1000.0,
                                   planned_uplift=0.02, n_boot=100, random_state=0)
    return {"customers": customers, "segments": segments, "summary": summary, "migration": migration,
            "features": prepared, "labels": labels, "kmeans": kmeans, "ward": ward, "pca": pca,
            "migration_study": migration_study, "campaign": study}


def _check_api_path(result: dict) -> None:
    customers, segments = result["customers"], result["segments"]
    assert segments.index.equals(customers.index) and segments["segment"].notna().all()
    assert result["summary"]["customers"].sum() == len(customers)
    assert result["migration"].to_numpy().sum() == len(customers)
    assert np.isfinite(result["features"].scaled.to_numpy()).all()
    assert len(result["labels"]) == len(customers)
    assert len(result["kmeans"].labels) == len(result["ward"].labels_) == len(customers)
    assert result["pca"].explained["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert result["migration_study"].summary("Champions")
    study = result["campaign"]
    assert study.model is None and study.headline.startswith("**No campaign was measured")
    assert study.allocation["spend"].sum() <= 1000.0 + 1e-6


def _check_clv_fit(clean: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        purchases, spend = clv.fit_models(data.customer_table(clean))
    assert np.isfinite(purchases.params_.to_numpy(float)).all() and np.isfinite(spend.params_.to_numpy(float)).all()


@pytest.mark.parametrize("name", FILES)
def test_api_path_on_each_shape(name):
    """Every shape in the corpus runs through the method code (read by hand, so whatever the reader can do)."""
    clean, _ = data.clean_transactions(data.load_transactions(by_hand(name)))
    _check_api_path(_api_path(clean))


@pytest.mark.parametrize("name", FILES)
def test_clv_fit_on_each_shape(name):
    clean, _ = data.clean_transactions(data.load_transactions(by_hand(name)))
    _check_clv_fit(clean)


@pytest.mark.parametrize("name", FILES)
def test_api_path_from_the_file(name):
    clean, _ = data.load_clean(CORPUS / "files" / name, cache=False)
    _check_api_path(_api_path(clean))
    _check_clv_fit(clean)
