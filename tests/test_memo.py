"""Results kept on disk (segkit.memo): read back equal, recomputed whenever an input or the code changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit import cluster, data, memo
from segkit.cluster import pipeline
from segkit.paths import DEFAULT_TRANSACTIONS


@pytest.fixture
def interim(tmp_path, monkeypatch):
    folder = tmp_path / "interim"
    monkeypatch.setattr(memo, "INTERIM_DIR", folder)
    monkeypatch.delenv("SEGKIT_KEEP_RESULTS", raising=False)
    return folder


class Counted:
    """A computation that counts its calls."""

    def __init__(self, frames):
        self.frames, self.calls = frames, 0

    def __call__(self):
        self.calls += 1
        return self.frames


def _frames(value: float = 1.5) -> dict[str, pd.DataFrame]:
    table = pd.DataFrame({"n": np.array([1, 2], dtype=np.int32), "x": [value, np.nan], "name": ["a", None]},
                         index=pd.Index([3, 4], name="k"))
    return {"table": table, "flags": pd.DataFrame({"ok": [True, False]})}


def test_a_kept_result_is_read_back_equal_without_computing(interim):
    compute = Counted(_frames())
    first = memo.kept("demo", {"n": 3}, compute)
    again = memo.kept("demo", {"n": 3}, compute)
    assert compute.calls == 1
    for name, frame in _frames().items():
        pd.testing.assert_frame_equal(again[name], frame, check_exact=True)
        pd.testing.assert_frame_equal(first[name], frame, check_exact=True)
    assert [p.name for p in interim.iterdir()] == [memo.key("demo", {"n": 3}).name]


@pytest.mark.parametrize("change", ["value", "array", "frame", "kind"])
def test_any_changed_input_computes_again(interim, change):
    values = np.arange(6.0)
    frame = pd.DataFrame({"a": [1.0, 2.0]}, index=["x", "y"])
    inputs = {"n": 3, "values": values, "frame": frame}
    compute = Counted(_frames())
    memo.kept("demo", inputs, compute)
    changed = {"value": {**inputs, "n": 4},
               "array": {**inputs, "values": np.where(values == 5.0, 5.5, values)},
               "frame": {**inputs, "frame": frame.rename(index={"y": "z"})},
               "kind": inputs}[change]
    memo.kept("other" if change == "kind" else "demo", changed, compute)
    assert compute.calls == 2


def test_a_file_input_is_keyed_by_its_content(interim, tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("a\n1\n")
    compute = Counted(_frames())
    memo.kept("demo", {"lines": path}, compute)
    path.write_text("a\n2\n")
    memo.kept("demo", {"lines": path}, compute)
    assert compute.calls == 2
    path.write_text("a\n1\n")  # back to the first content: its kept result
    memo.kept("demo", {"lines": path}, compute)
    assert compute.calls == 2


def test_another_source_version_computes_again(interim, monkeypatch):
    compute = Counted(_frames())
    memo.kept("demo", {"n": 3}, compute)
    monkeypatch.setattr(memo, "source_version", lambda: "edited")
    memo.kept("demo", {"n": 3}, compute)
    assert compute.calls == 2


def test_switched_off_it_computes_every_time_and_keeps_nothing(interim, monkeypatch):
    monkeypatch.setenv("SEGKIT_KEEP_RESULTS", "0")
    compute = Counted(_frames())
    memo.kept("demo", {"n": 3}, compute)
    memo.kept("demo", {"n": 3}, compute)
    assert compute.calls == 2 and not interim.exists()


def test_a_damaged_entry_is_computed_again_and_replaced(interim):
    compute = Counted(_frames(2.5))
    memo.kept("demo", {"n": 3}, compute)
    folder = memo.key("demo", {"n": 3})
    (folder / "table.parquet").write_bytes(b"not parquet")
    again = memo.kept("demo", {"n": 3}, compute)
    assert compute.calls == 2
    pd.testing.assert_frame_equal(again["table"], _frames(2.5)["table"])
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "table.parquet"), _frames(2.5)["table"])


def test_the_customer_table_of_a_file_is_kept_and_follows_its_content(interim, tmp_path):
    clean = data.load_clean(DEFAULT_TRANSACTIONS).clean
    path = tmp_path / "clean.parquet"
    clean.to_parquet(path)
    expected = data.customer_table(clean)
    assert not interim.exists()  # a frame's table is not kept
    for _ in range(2):
        pd.testing.assert_frame_equal(data.customer_table(path), expected, check_exact=True)
    assert len(list(interim.glob("customers-*"))) == 1
    at = pd.Timestamp("2024-06-01")
    pd.testing.assert_frame_equal(data.customer_table(path, snapshot_date=at),
                                  data.customer_table(clean, snapshot_date=at), check_exact=True)
    fewer = clean[clean["customer_id"] != expected.index[0]]
    fewer.to_parquet(path)
    changed = data.customer_table(path)
    assert expected.index[0] not in changed.index and len(changed) == len(expected) - 1


def test_the_record_evidence_is_kept_equal_and_not_refitted(interim, monkeypatch):
    customers = data.customer_table(data.load_clean(DEFAULT_TRANSACTIONS).clean).iloc[::4]
    monkeypatch.setenv("SEGKIT_KEEP_RESULTS", "0")
    reference = cluster.segmentation_of_record(customers, seed=3)
    monkeypatch.delenv("SEGKIT_KEEP_RESULTS")
    first = cluster.segmentation_of_record(customers, seed=3)

    def refit(*args, **kwargs):
        raise RuntimeError("refitted")

    monkeypatch.setattr(pipeline, "_stability", refit)
    again = cluster.segmentation_of_record(customers, seed=3, n_clusters=4)  # n_clusters: same evidence
    for result in (first, again):
        pd.testing.assert_frame_equal(result.stability, reference.stability, check_exact=True)
        for name in ("table", "votes"):
            pd.testing.assert_frame_equal(getattr(result.selection, name), getattr(reference.selection, name),
                                          check_exact=True)
        assert (result.selection.chosen_k, result.selection.knee_k, result.selection.k_range_note) == (
            reference.selection.chosen_k, reference.selection.knee_k, reference.selection.k_range_note)
        assert list(result.selection.labels) == list(reference.selection.labels)
        for k, labels in reference.selection.labels.items():
            assert result.selection.labels[k].dtype == labels.dtype
            np.testing.assert_array_equal(result.selection.labels[k], labels)
    np.testing.assert_array_equal(first.model.labels_, reference.model.labels_)
    assert again.k == 4 and len(np.unique(again.model.labels_)) == 4
    with pytest.raises(RuntimeError, match="refitted"):  # another seed is other evidence: computed
        cluster.segmentation_of_record(customers, seed=4)


def test_the_purchase_cycle_of_a_file_is_kept_equal_to_that_of_its_frame(interim, tmp_path, monkeypatch):
    from segkit import timeline
    from segkit.timeline import cycle

    clean = data.load_clean(DEFAULT_TRANSACTIONS).clean
    path = tmp_path / "clean.parquet"
    clean.to_parquet(path)
    expected = timeline.purchase_cycle(clean, overdue_multiple=1.5)
    pd.testing.assert_frame_equal(timeline.purchase_cycle(path, overdue_multiple=1.5), expected, check_exact=True)
    monkeypatch.setattr(cycle._sql, "cycle_query", None)  # read back: the engine's query is not built again
    kept = timeline.purchase_cycle(path, overdue_multiple=1.5)
    pd.testing.assert_frame_equal(kept, expected, check_exact=True)
    assert len(list(interim.glob("purchase-cycle-*"))) == 1


def test_an_emptied_entry_is_computed_again(interim):
    compute = Counted(_frames())
    memo.kept("demo", {"n": 3}, compute)
    for path in memo.key("demo", {"n": 3}).iterdir():
        path.unlink()
    again = memo.kept("demo", {"n": 3}, compute)
    assert compute.calls == 2 and set(again) == {"table", "flags"}


def test_object_arrays_are_keyed_by_their_values():
    first = memo.key("demo", {"ids": np.array(["customer 1", "b"], dtype=object)})
    built = "".join(["customer ", str(1)])  # an equal string, another object (its pointer differs)
    assert memo.key("demo", {"ids": np.array([built, "b"], dtype=object)}) == first
    assert memo.key("demo", {"ids": np.array(["customer 1", "c"], dtype=object)}) != first
