"""CDNOW end to end: segkit's front door and calibration split reproduce Hardie's published summary,
and the BG/NBD fit reproduces the published estimates of Fader, Hardie & Lee (2005).

The raw file (tests/fixtures/cdnow, see the README there) is the CDNOW sample as the analyst gets
it: customer id, date (YYYYMMDD), number of CDs, dollar value, and no order id. Everything runs
offline from the committed fixture. The published summary gives recency and T in weeks with two
decimals; segkit's are whole days, so the check is exact in days (each published value, × 7,
rounds to exactly our number of days) and to the published rounding (0.005 weeks) in weeks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import data
from segkit.clv import BetaGeoModel

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cdnow"
#: FHL (2005) and Hardie's BG/NBD spreadsheet: maximum-likelihood estimates, time in weeks
PUBLISHED = pd.Series({"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259})
CALIBRATION_END = "1997-09-30"  # the last day of the 39-week calibration period (weeks 1-39 of 1997)


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    """Hardie's calibration summary: ID, frequency (x), recency (t_x) and T, in weeks."""
    return pd.read_csv(FIXTURES / "cdnow_summary_weeks.csv.gz", index_col="ID")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return data.load_transactions(FIXTURES / "cdnow_sample.csv.gz")


@pytest.fixture(scope="module")
def split(raw: pd.DataFrame) -> pd.DataFrame:
    """segkit's calibration/holdout table, indexed by the published integer ID."""
    clean, _ = data.clean_transactions(raw, outlier_z=None, test_account_pattern=None)
    table = data.calibration_holdout(clean, calibration_end=CALIBRATION_END)
    return table.set_axis(table.index.astype(int)).rename_axis("ID")


def test_front_door_reads_the_file_without_an_order_id(raw: pd.DataFrame) -> None:
    plain = pd.read_csv(FIXTURES / "cdnow_sample.csv.gz", dtype={"customer_id": str, "date": str})
    assert len(raw) == len(plain) == 6919 and raw["customer_id"].nunique() == 2357
    assert raw["amount"].sum() == pytest.approx(plain["dollar_value"].sum(), abs=1e-6)
    assert (raw["order_date"].min(), raw["order_date"].max()) == (pd.Timestamp("1997-01-01"), pd.Timestamp("1998-06-30"))
    # one order = one customer on one date
    assert raw["order_id"].nunique() == plain[["customer_id", "date"]].drop_duplicates().shape[0]


def test_calibration_summary_equals_hardies_customer_by_customer(split: pd.DataFrame,
                                                                 published: pd.DataFrame) -> None:
    assert sorted(split.index) == sorted(published.index) and len(split) == 2357
    ours = split.reindex(published.index)
    assert (ours["frequency_cal"] == published["frequency"]).all()  # x: all 2,357 equal
    for column, theirs in (("recency_cal", "recency"), ("T_cal", "T")):
        days = ours[column].to_numpy()
        assert (np.round(published[theirs].to_numpy() * 7) == days).all()  # exact in days
        assert np.abs(days / 7 - published[theirs].to_numpy()).max() <= 0.005 + 1e-12  # to the published rounding
    assert (split["duration_holdout"] == 39 * 7).all()  # the 39-week holdout, 1997-10-01 to 1998-06-30


def test_bgnbd_fit_reproduces_the_published_estimates(split: pd.DataFrame) -> None:
    weeks = split[["recency_cal", "T_cal"]] / 7
    model = BetaGeoModel().fit(split["frequency_cal"], weeks["recency_cal"], weeks["T_cal"])
    pd.testing.assert_series_equal(model.params_.round(4), PUBLISHED, check_names=False)
    assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)  # the LL reported by FHL (2005)


def test_fit_on_the_published_summary_agrees(split: pd.DataFrame, published: pd.DataFrame) -> None:
    """The published summary, with t_x and T rounded to 0.01 week, gives the same fit to 1e-4 relative;
    the rounding moves alpha and b in the fourth decimal (4.4135 and 2.4258)."""
    from_summary = BetaGeoModel().fit(published["frequency"], published["recency"], published["T"])
    weeks = split[["recency_cal", "T_cal"]] / 7
    from_transactions = BetaGeoModel().fit(split["frequency_cal"], weeks["recency_cal"], weeks["T_cal"])
    np.testing.assert_allclose(from_summary.params_, from_transactions.params_, rtol=1e-4)
    np.testing.assert_allclose(from_summary.params_, PUBLISHED, rtol=1e-4)
