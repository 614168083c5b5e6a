"""Planted truth against what was found: the default data's generator (:mod:`segkit.datasets`) wrote down what it
planted, and these functions score the timeline analyses against it.

* :func:`load_truth` reads ``ground_truth.csv`` and the ``generator_params.json`` beside it, and refuses (returns
  None with the reason) when they do not describe the data analysed.
* :func:`cohort_truth`: the planted cohort effect is a retention multiplier per acquisition quarter
  (``1 − 0.06 q``). Cohorts differ in their mix of groups too, so each quarter's measured retention is
  compared with what its customers would show if they retained like the **first quarter's customers of their
  own group** (indirect standardisation): that ratio estimates the planted multiplier over the first quarter's.
* :func:`season_truth`: :func:`segkit.timeline.seasonality` per planted group, its indexes beside the planted
  weights (weekday and month scaled to mean 1, hour shares × 24).
* :func:`lapse_truth`: how many planted last-quarter lapses the alert list catches, and how precise it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.data.customers import CleanLines
from segkit.errors import DataError
from segkit.timeline import _sql
from segkit.timeline._lines import _lines
from segkit.timeline.migration import SnapshotPair, _valuable
from segkit.timeline.season import seasonality
from segkit.timeline.text import REASONS

#: Share of the analysed customers the truth file must know for it to describe these data.
MIN_MATCH: float = 0.99
_TRUTH_COLUMNS: tuple[str, ...] = ("customer_id", "group", "acquisition_date", "alive_at_end", "planted_lapse")
_UNIT_KEYS: dict[str, str] = {"weekday": "weekday", "month": "month", "hour": "hour_share"}


@dataclass(frozen=True)
class PlantedTruth:
    """The generator's truth about the data analysed.

    Attributes
    ----------
    customers : DataFrame
        ``ground_truth.csv`` indexed by ``customer_id``.
    params : dict
        ``generator_params.json`` (cohort effect, seasonality, lapses, categories, channels).
    matched : float
        Share of the analysed customers present in the truth file.
    """

    customers: pd.DataFrame
    params: dict
    matched: float


def load_truth(path: str | Path, customers: pd.Index) -> tuple[PlantedTruth | None, str]:
    """The planted truth for the customers analysed, or None and why not.

    Parameters
    ----------
    path : str or Path
        ``ground_truth.csv`` as :func:`segkit.datasets.write_default_data` writes it; ``generator_params.json``
        is read from the same folder.
    customers : Index
        The analysed customers' ids (the customer table's index).

    Returns
    -------
    (PlantedTruth or None, str)
        None with the reason when the file is missing or describes other customers (fewer than
        :data:`MIN_MATCH` of the analysed ones); the reason is empty otherwise.

    Raises
    ------
    DataError
        A truth file from an older generator (a missing column or ``generator_params.json`` without the
        planted effects): the message says to regenerate the data.
    """
    path = Path(path)
    if not path.is_file():
        return None, f"there is no ground-truth file at {path}"
    truth = pd.read_csv(path, dtype={"customer_id": str})
    params_path = path.with_name("generator_params.json")
    params = json.loads(params_path.read_text()) if params_path.is_file() else {}
    missing = [c for c in _TRUTH_COLUMNS if c not in truth.columns]
    missing += [k for k in ("cohort_effect", "seasonality", "lapses") if k not in params]
    if missing:
        raise DataError(f"the ground truth at {path} (with {params_path.name}) lacks {missing}: it was written by an "
                        "older generator. Regenerate the default data with `python -m segkit.datasets`, or set "
                        "ground_truth_path to '' to skip the comparison.")
    truth = truth.set_index("customer_id")
    ids = pd.Index(customers).astype(str)
    matched = float(ids.isin(truth.index).mean()) if len(ids) else 0.0
    if matched < MIN_MATCH:
        return None, (f"the ground truth at {path} knows only {matched:.0%} of the {len(ids):,} customers analysed, "
                      "so it describes other data")
    return PlantedTruth(customers=truth, params=params, matched=matched), ""


def _first_and_retained(clean: CleanLines, snapshot_date, months) -> tuple[pd.DataFrame, int]:
    """Per customer (sorted): the first purchase month (a month number, ``first``) and ``since_k`` (1 when they
    bought k months after it) for each k of ``months``, from the engine; and the last complete month number
    before the snapshot."""
    lines = _lines(clean, snapshot_date)
    per = lines.query(lambda relation, l: _sql.cohort_months_query(relation, l.is_return, l.before(), months))
    per = per.set_index(pd.Index(per.pop("customer_id").to_numpy(object), name="customer_id")).sort_index()
    snapshot = lines.snapshot
    last_complete = snapshot.year * 12 + snapshot.month - 2  # the month before the snapshot's is the last whole one
    return per, last_complete


def cohort_truth(clean: CleanLines, truth: PlantedTruth, *, months=(3, 6),
                 snapshot_date: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Retention ``months`` after the first purchase per acquisition quarter: measured against planted.

    Parameters
    ----------
    clean : DataFrame or path
        Clean order lines (:func:`segkit.data.load_clean`) or their Parquet file (:func:`segkit.engine.clean_lines`);
        each customer's first month and the months they bought in are found in the engine.
    truth : PlantedTruth
        From :func:`load_truth`.
    months : sequence of int
        Months after the first purchase's month at which a customer counts as retained if they bought then.
    snapshot_date : date-like, optional
        As in :func:`segkit.timeline.cohort_retention`.

    Returns
    -------
    DataFrame
        One row per month horizon and acquisition quarter whose customers have all reached it: ``months``,
        ``quarter`` (``2024Q1``), ``customers``, ``retained`` (share buying in that month), ``expected_as_first``
        (the share if each customer retained like the first quarter's customers of their group),
        ``measured_factor`` (retained ÷ expected_as_first) and ``planted_factor`` (the planted multiplier over
        the first quarter's).
    """
    buyers, last_complete = _first_and_retained(clean, snapshot_date, [int(k) for k in months])
    groups = truth.customers["group"].reindex(buyers.index)
    known = groups.notna().to_numpy()
    buyers, groups = buyers[known], groups[known]
    first = buyers["first"]
    quarter_number = first.to_numpy() // 3
    start = int(quarter_number.min())
    multiplier = pd.Series(truth.params["cohort_effect"]["retention_multiplier"])
    rows = []
    for k in months:
        retained = buyers[f"since_{int(k)}"].to_numpy() == 1
        frame = pd.DataFrame({"quarter": quarter_number, "group": groups.to_numpy(), "retained": retained})
        complete = frame["quarter"] * 3 + 2 + k <= last_complete
        by = frame.loc[complete].groupby(["quarter", "group"])["retained"].agg(["size", "mean"]).reset_index()
        baseline = by.loc[by["quarter"] == start].set_index("group")["mean"]
        by["expected"] = by["group"].map(baseline) * by["size"]
        by["kept"] = by["mean"] * by["size"]
        per = by.groupby("quarter").agg(customers=("size", "sum"), kept=("kept", "sum"), expected=("expected", "sum"))
        labels = [f"{q // 4}Q{q % 4 + 1}" for q in per.index]
        planted = multiplier.reindex(labels).to_numpy() / multiplier.get(labels[0], np.nan) if labels else []
        rows.append(pd.DataFrame({
            "months": int(k), "quarter": labels, "customers": per["customers"].to_numpy(np.int64),
            "retained": (per["kept"] / per["customers"]).to_numpy(),
            "expected_as_first": (per["expected"] / per["customers"]).to_numpy(),
            "measured_factor": (per["kept"] / per["expected"]).to_numpy(), "planted_factor": planted}))
    return pd.concat(rows, ignore_index=True)


def _planted_index(params: dict, group: str, unit: str) -> np.ndarray:
    values = np.array(list(params["seasonality"][group][_UNIT_KEYS[unit]].values()), dtype=float)
    return values * 24 if unit == "hour" else values


def season_truth(clean: CleanLines, truth: PlantedTruth, *,
                 snapshot_date: str | pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each planted group's seasonal indexes found by :func:`segkit.timeline.seasonality` beside the planted ones.

    Returns
    -------
    (DataFrame, DataFrame)
        The long table (``group``, ``unit``, ``label``, ``planted``, ``found``, ``orders``) and a summary per
        group and unit: ``orders``, ``pattern`` (the planted weights are not flat), ``planted_peak``,
        ``found_peak``, ``peak_match`` (the found peak is a planted top level, ties within 5% included),
        ``mean_abs_diff`` (between the indexes) and ``correlation`` (NaN for a flat plant).
    """
    season = seasonality(clean, segments=truth.customers["group"], snapshot_date=snapshot_date)
    planted_groups = list(truth.params["seasonality"])
    season = season.loc[season["group"].isin(planted_groups)].copy()
    season["planted"] = np.concatenate([
        _planted_index(truth.params, g, u)[part["level"].to_numpy() - (1 if u == "month" else 0)]
        for (g, u), part in season.groupby(["group", "unit"], sort=False)])
    long = season.rename(columns={"index": "found"})[["group", "unit", "label", "planted", "found", "orders"]]
    grouped = long.groupby(["group", "unit"], sort=False)
    summary = grouped.agg(orders=("orders", "sum"), planted_max=("planted", "max"), planted_min=("planted", "min"))
    summary["pattern"] = summary["planted_max"] > 1.1 * summary["planted_min"]
    summary["planted_peak"] = long.loc[grouped["planted"].idxmax(), "label"].to_numpy()
    found_peak = grouped["found"].idxmax()
    summary["found_peak"] = long.loc[found_peak, "label"].to_numpy()
    # ties: a found peak at any level planted within 5% of the planted top counts as the planted peak
    summary["peak_match"] = long.loc[found_peak, "planted"].to_numpy() >= 0.95 * summary["planted_max"].to_numpy()
    summary["mean_abs_diff"] = (long["found"] - long["planted"]).abs().groupby([long["group"], long["unit"]],
                                                                                sort=False).mean()
    correlation = [np.corrcoef(p["planted"], p["found"])[0, 1] if flag else np.nan
                   for (_, p), flag in zip(grouped, summary["pattern"])]
    summary["correlation"] = correlation
    summary["orders"] = summary["orders"].astype(np.int64)
    summary = summary.drop(columns=["planted_max", "planted_min"]).reset_index()
    return long.reset_index(drop=True), summary


def lapse_truth(alerts: pd.DataFrame, truth: PlantedTruth, pair: SnapshotPair, *,
                valuable_share: float = 0.5) -> pd.Series:
    """How well the alert list finds the planted last-quarter lapses.

    Parameters
    ----------
    alerts : DataFrame
        :func:`segkit.timeline.migration_alerts`'s list.
    truth : PlantedTruth
    pair : SnapshotPair
        The snapshots the alerts compare (to say why a planted lapse was missed).
    valuable_share : float
        As given to :func:`~segkit.timeline.migration_alerts`.

    Returns
    -------
    Series
        ``planted`` (planted lapses among the later snapshot's customers), ``overdue_alerts`` (customers alerted
        as newly overdue), ``caught`` (planted lapses among them), ``recall`` (caught ÷ planted), ``precision``
        (caught ÷ overdue alerts), ``gone`` (overdue alerts on customers the truth says are not buying any more:
        planted lapses and BG/NBD dropouts), ``precision_gone`` (gone ÷ overdue alerts), ``caught_any`` (planted
        lapses with an alert of any reason), and the misses by cause: ``missed_not_valuable`` (outside the
        valuable tier), ``missed_not_overdue`` (not overdue at the later snapshot) and ``missed_already_overdue``.
    """
    customers = truth.customers
    planted = customers.index[customers["planted_lapse"].astype(bool)].intersection(pair.later.index)
    overdue = pd.Index(alerts.loc[alerts["reason"] == REASONS["newly_overdue"], "customer_id"].unique())
    caught = planted.intersection(overdue)
    gone = ~customers["alive_at_end"].reindex(overdue).fillna(True).astype(bool)
    missed = planted.difference(overdue)
    valuable = _valuable(pair.at_stake.reindex(pair.later.index), valuable_share).reindex(missed, fill_value=False)
    later = pair.cycle_later["overdue"].reindex(missed, fill_value=False)
    earlier = pair.cycle_earlier["overdue"].reindex(missed, fill_value=False)
    n_overdue = len(overdue)
    return pd.Series({
        "planted": len(planted), "overdue_alerts": n_overdue, "caught": len(caught),
        "recall": len(caught) / len(planted) if len(planted) else np.nan,
        "precision": len(caught) / n_overdue if n_overdue else np.nan,
        "gone": int(gone.sum()), "precision_gone": float(gone.mean()) if n_overdue else np.nan,
        "caught_any": len(planted.intersection(pd.Index(alerts["customer_id"].unique()))),
        "missed_not_valuable": int((~valuable.to_numpy()).sum()),
        "missed_not_overdue": int((valuable & ~later).sum()),
        "missed_already_overdue": int((valuable & later & earlier).sum()),
    })
