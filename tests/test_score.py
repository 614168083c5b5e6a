"""segkit.score: the model file round trip, exact label reproduction, the command end to end, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from segkit import cluster, data, rfm
from segkit.datasets import example_customers
from segkit.errors import DataError
from segkit.paths import PROJECT_ROOT
from segkit.score import fit_model, load_model, save_model, score_customers, score_orders
from segkit.score.__main__ import main
from segkit.score.io import model_to_dict


@pytest.fixture(scope="module")
def customers():
    return example_customers(1500, seed=11)


@pytest.fixture(scope="module")
def model(customers):
    return fit_model(customers, n_clusters=4, random_state=3)


def test_scoring_the_fitted_customers_reproduces_their_labels_exactly(customers, model, tmp_path):
    saved = load_model(save_model(model, tmp_path / "m.json"))
    scored = score_customers(saved, customers)
    segments = rfm.rfm_segments(customers, warn=False)
    assert scored["segment"].tolist() == segments["segment"].tolist()
    assert (scored[["R", "F", "M"]].to_numpy() == segments[["R", "F", "M"]].to_numpy()).all()
    kmeans = cluster.SegmentKMeans(4, random_state=3).fit(cluster.prepare_features(customers).scaled,
                                                          order_by=customers["revenue"])
    assert scored["cluster"].tolist() == kmeans.labels_.tolist()
    assert scored["cluster_name"].cat.categories.tolist() == list(model.kmeans.names)


def test_k_chosen_from_the_data_is_kmeans_segmentation_s_choice(customers):
    chosen = fit_model(customers, n_clusters=0, k_range=range(2, 5), gap_references=2, stability_refits=2,
                       random_state=1)
    reference = cluster.kmeans_segmentation(customers, k_range=range(2, 5), gap_references=2, stability_refits=2,
                                            random_state=1)
    assert chosen.k == reference.k
    assert score_customers(chosen, customers)["cluster"].tolist() == reference.labels.tolist()
    assert list(chosen.kmeans.names) == reference.summary["cluster_name"].tolist()


def test_the_file_is_versioned_readable_json_and_round_trips(model, tmp_path):
    path = save_model(model, tmp_path / "nested" / "model.json")
    content = json.loads(path.read_text())
    assert (content["format"], content["version"]) == ("segkit-segmentation", 1)
    assert content["kmeans"]["features"] == ["days_since_last_purchase", "n_orders", "revenue"]
    assert len(content["kmeans"]["centroids"]) == 4 and len(content["rfm"]["cuts"]["M"]) == 4
    # the default rules file's first row (the published table's order; its priority is 5)
    assert content["rfm"]["rules"][0] == {"priority": 5, "segment": "Champions", "R": "4-5", "F": "4-5", "M": "4-5"}
    assert [r["segment"] for r in content["rfm"]["rules"]] == rfm.load_rules()["segment"].tolist()
    assert '"F": [' in path.read_text()  # lists of numbers on one line, for people
    assert load_model(path) == model
    assert b"\x80" not in path.read_bytes()[:2]  # not a pickle


def test_infinite_cut_points_are_written_as_strings(tmp_path):
    # 3 of 4 customers tie on one order: F score 4 is never reached, its cut point is infinite
    customers = pd.DataFrame({"days_since_last_purchase": [3, 40, 200, 400], "n_orders": [5, 1, 1, 1],
                              "revenue": [500.0, 40.0, 80.0, 60.0], "last_purchase": pd.to_datetime(
                                  ["2024-12-29", "2024-11-22", "2024-06-15", "2023-11-28"])}, index=list("abcd"))
    scale = rfm.RFMScale.fit(customers, bins=5)
    assert np.isinf(scale.thresholds["F"]).any()
    model = fit_model(customers, bins=5, n_clusters=2)
    path = save_model(model, tmp_path / "m.json")
    assert "inf" in json.loads(path.read_text())["rfm"]["cuts"]["F"]
    assert load_model(path).rfm == model.rfm
    assert score_customers(load_model(path), customers)["F"].tolist() == \
        rfm.rfm_segments(customers, bins=5, lifecycle=None, warn=False)["F"].tolist()


def test_later_data_is_cut_at_the_model_s_points_not_re_cut(model, customers):
    later = customers.assign(days_since_last_purchase=customers["days_since_last_purchase"] + 365,
                             tenure_days=customers["tenure_days"] + 365)
    scored = score_customers(model, later)
    cuts = model.rfm.thresholds["R"]  # upper bounds in days: <= cuts[-1] scores 2, above scores 1
    assert (scored["R"] == 1).sum() == int((later["days_since_last_purchase"] > cuts[-1]).sum())
    assert scored["R"].max() < rfm.rfm_segments(later, warn=False)["R"].max()  # re-cutting would fill score 5


def test_score_orders_from_clean_lines():
    lines = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "c"], "order_id": list("123456"),
                          "order_date": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-02-10", "2024-01-05",
                                                        "2024-02-05", "2024-03-05"]),
                          "quantity": 1.0, "unit_price": 1.0, "amount": [10.0, 12.0, 5.0, 30.0, 25.0, 40.0],
                          "is_return": False})
    table = data.customer_table(lines)
    fitted = fit_model(table, bins=2, n_clusters=2)
    scored = score_orders(fitted, lines)
    assert scored.index.tolist() == ["a", "b", "c"] and scored["segment"].notna().all()
    assert scored["n_orders"].tolist() == table["n_orders"].tolist()


ORDERS = ("Invoice,Customer ID,InvoiceDate,Quantity,Price\n"
          "A1,C1,2024-01-02 10:00,2,5.00\nA2,C2,2024-01-03 11:00,1,7.50\nA3,C1,2024-02-03 12:00,1,9.00\n"
          "A4,C3,2024-02-05 09:00,3,2.00\nA5,C4,2024-02-07 15:00,1,40.00\n")


def test_the_command_scores_an_export_end_to_end(model, tmp_path):
    model_path = save_model(model, tmp_path / "model.json")
    (tmp_path / "new_orders.csv").write_text(ORDERS)
    result = subprocess.run(
        [sys.executable, "-m", "segkit.score", "--model", str(model_path), "--data", "new_orders.csv",
         "--out", "out/scored.csv"], cwd=tmp_path, capture_output=True, text=True, env=None)
    assert result.returncode == 0, result.stderr
    assert "scored 4 customers" in result.stdout and "wrote out/scored.csv" in result.stdout
    scored = pd.read_csv(tmp_path / "out" / "scored.csv", dtype={"customer_id": str})
    assert scored.columns.tolist() == ["customer_id", "days_since_last_purchase", "n_orders", "revenue", "R", "F", "M",
                                       "segment", "cluster", "cluster_name"]
    assert scored.set_index("customer_id").loc["C1", ["n_orders", "revenue", "days_since_last_purchase"]].tolist() == \
        [2, 19.0, 5]  # snapshot = the day after the last order, 2024-02-08
    assert set(scored["cluster_name"]) <= set(model.kmeans.names)


def test_the_command_reports_an_unreadable_layout_with_the_fix(model, tmp_path, capsys):
    model_path = save_model(model, tmp_path / "model.json")
    (tmp_path / "odd.csv").write_text("Kunde,Beleg,Datum,Betrag\nK1,B1,2024-01-02,5.0\nK2,B2,2024-01-03,7.0\n")
    assert main(["--model", str(model_path), "--data", str(tmp_path / "odd.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "customer_id" in error
    assert main(["--model", str(model_path), "--data", str(tmp_path / "odd.csv"), "--out", str(tmp_path / "o.csv"),
                 "--column-map", "Kunde=customer_id", "--column-map", "Beleg=order_id", "--column-map",
                 "Datum=order_date", "--column-map", "Betrag=amount"]) == 0
    assert pd.read_csv(tmp_path / "o.csv")["customer_id"].tolist() == ["K1", "K2"]
    assert main(["--model", str(model_path), "--data", "x.csv", "--out", "o.csv", "--column-map", "nonsense"]) == 2
    assert "--column-map 'nonsense' is not KEY=VALUE; write e.g. --column-map ClientNo=customer_id" in \
        capsys.readouterr().err


# --- bad model files ------------------------------------------------------------------------------------


def edited(model, change):
    content = model_to_dict(model)
    change(content)
    return content


@pytest.mark.parametrize("change, match", [
    (lambda c: c.update(version=2), r"is model file version 2, newer than this segkit, which reads version 1 only; "
                                    r"upgrade segkit to read it, or re-create it with `make report ONLY=07`"),
    (lambda c: c.update(version=0), r"version 0, older than this segkit"),
    (lambda c: c.update(format="sklearn-pickle"), r"has format 'sklearn-pickle', not 'segkit-segmentation'"),
    (lambda c: c.pop("version"), r"lacks the field 'version'"),
    (lambda c: c["kmeans"]["scaler"].pop("mean"), r"lacks the field 'kmeans.scaler.mean'; it was not written by "
                                                  r"segkit.score.save_model or was edited by hand"),
    (lambda c: c["rfm"]["cuts"].pop("M"), r"lacks the field 'rfm.cuts.M'"),
    (lambda c: c["rfm"].update(bins="5"), r"field 'rfm.bins' holds '5', not a whole number"),
    (lambda c: c["rfm"]["cuts"].update(R=[1, 2]), r"field 'rfm.cuts.R' holds 2 numbers but 4 are needed"),
    (lambda c: c["kmeans"]["scaler"].update(scale=[1.0, 0.0, 1.0]), r"'kmeans.scaler.scale' must hold positive"),
    (lambda c: c["kmeans"]["centroids"][1].pop(), r"field 'kmeans.centroids\[1\]' holds 2 numbers but 3 are needed"),
    (lambda c: c["kmeans"]["names"].pop(), r"field 'kmeans.names' must give 4 distinct names"),
    (lambda c: c["kmeans"].update(log_columns=["tenure_days"]), r"'kmeans.log_columns' names columns that are not"),
    (lambda c: c["rfm"]["rules"].pop(), r"field 'rfm.rules' holds rules segkit cannot use \(the rules leave"),
])
def test_a_bad_model_file_names_the_field_and_the_fix(model, tmp_path, change, match):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(edited(model, change)))
    with pytest.raises(DataError, match=match):
        load_model(path)


def test_unreadable_or_missing_model_files(tmp_path):
    with pytest.raises(DataError, match=r"model file '.*nowhere.json' does not exist; re-create it"):
        load_model(tmp_path / "nowhere.json")
    (tmp_path / "broken.json").write_text('{"format": "segkit-segmentation",')
    with pytest.raises(DataError, match=r"is not readable JSON"):
        load_model(tmp_path / "broken.json")
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(DataError, match=r"holds a JSON list, not an object"):
        load_model(tmp_path / "list.json")


def test_scoring_a_table_without_the_model_s_columns(model, customers):
    with pytest.raises(DataError, match=r"lacks column\(s\) \['n_orders'\]"):
        score_customers(model, customers.drop(columns="n_orders"))
    with pytest.raises(DataError, match=r"model must be a SegmentationModel, got dict; read the file with "
                                        r"segkit.score.load_model"):
        score_customers(model_to_dict(model), customers)


def test_the_notebook_s_saved_model_reproduces_the_default_data(tmp_path):
    """The shipped default data: the model file notebook 07 writes scores its customers back exactly."""
    clean, _ = data.load_clean(PROJECT_ROOT / "data" / "raw" / "transactions.csv.gz")
    customers = data.customer_table(clean)
    fitted = fit_model(customers, n_clusters=5, random_state=42)
    scored = score_customers(load_model(save_model(fitted, tmp_path / "m.json")), customers)
    assert scored["segment"].tolist() == rfm.rfm_segments(customers, warn=False)["segment"].tolist()
    prepared = cluster.prepare_features(customers)
    labels = cluster.SegmentKMeans(5, random_state=42).fit(prepared.scaled, order_by=customers["revenue"]).labels_
    assert scored["cluster"].tolist() == labels.tolist()
