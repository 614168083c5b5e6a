"""Campaign files: read and validate them, join segments, and decide whether a file belongs to the customers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.campaign._checks import _MAX_EXAMPLES, _check_columns, _examples
from segkit.campaign.simulate import SimulatedFiles
from segkit.campaign.text import coverage_words, match_note
from segkit.errors import DataError

GROUP_LABELS: tuple[str, str] = ("treatment", "control")
CAMPAIGN_COLUMNS: tuple[str, ...] = ("customer_id", "group", "responded", "revenue")


def validate_campaign(campaign: pd.DataFrame, *, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Check a campaign results file and return it in canonical form.

    Parameters
    ----------
    campaign : DataFrame
        One row per customer of the campaign: customer id, group (``"treatment"`` = contacted,
        ``"control"`` = held out; case and surrounding spaces are ignored), responded (0/1 or
        True/False) and revenue in the response window (blank = 0).
    column_map : mapping, optional
        Raw column name -> canonical name (``customer_id``, ``group``, ``responded``, ``revenue``).

    Returns
    -------
    DataFrame
        ``customer_id`` (string), ``group`` (string), ``responded`` (int 0/1), ``revenue`` (float).

    Raises
    ------
    DataError
        Missing columns, missing or duplicated customer ids, unknown group labels (listed),
        responded values other than 0/1, non-numeric or negative revenue.

    Examples
    --------
    >>> raw = pd.DataFrame({"id": [1, 2], "group": ["Treatment ", "control"],
    ...                     "responded": [True, False], "revenue": [25.0, None]})
    >>> validate_campaign(raw, column_map={"id": "customer_id"}).to_dict("list")
    {'customer_id': ['1', '2'], 'group': ['treatment', 'control'], 'responded': [1, 0], 'revenue': [25.0, 0.0]}
    """
    frame = campaign.rename(columns=dict(column_map or {}))
    _check_columns(
        frame, CAMPAIGN_COLUMNS, "campaign file",
        "rename your columns or pass column_map={'your name': 'customer_id', ...}",
    )
    frame = frame[list(CAMPAIGN_COLUMNS)]
    ids = frame["customer_id"].astype("string").str.strip()
    n_missing = int((ids.isna() | (ids == "")).sum())
    if n_missing:
        raise DataError(f"{n_missing} campaign row(s) have no customer_id; drop them or fill in the id")
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise DataError(
            f"{len(duplicated)} customer_id(s) appear more than once in the campaign file, e.g. "
            f"{_examples(duplicated.unique())}; keep one row per customer (sum revenue over the window)"
        )
    group = frame["group"].astype("string").str.strip().str.lower()
    unknown = group[~group.isin(GROUP_LABELS)].fillna("<missing>").value_counts()
    if len(unknown):
        listed = ", ".join(f"{label!r} ({count} rows)" for label, count in unknown.items())
        raise DataError(
            f"unknown group label(s) in the campaign file: {listed}; the group must be 'treatment' "
            "(contacted) or 'control' (held out). Map yours first, e.g. "
            "campaign['group'].replace({'test': 'treatment', 'holdout': 'control'})"
        )
    responded = _as_binary(frame["responded"])
    revenue = _as_revenue(frame["revenue"])
    return pd.DataFrame(
        {"customer_id": ids.astype(str).to_numpy(), "group": group.astype(str).to_numpy(),
         "responded": responded, "revenue": revenue}
    )


def _as_binary(raw: pd.Series) -> np.ndarray:
    text = raw.astype("string").str.strip().str.lower()
    mapping = {"1": 1, "0": 0, "1.0": 1, "0.0": 0, "true": 1, "false": 0}
    values = text.map(mapping)
    bad = text[values.isna()].fillna("<missing>").unique()
    if len(bad):
        raise DataError(
            f"column 'responded' must be 0/1 (or True/False), found {_examples(bad)}; "
            "recode it so that 1 = bought in the response window"
        )
    return values.to_numpy(dtype=np.int64)


def _as_revenue(raw: pd.Series) -> np.ndarray:
    text = raw.astype("string").str.strip()
    blank = text.isna() | (text == "")
    numbers = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = text[numbers.isna() & ~blank].unique()
    if len(bad):
        raise DataError(
            f"column 'revenue' has non-numeric values {_examples(bad)}; write plain numbers (no currency signs)"
        )
    numbers = numbers.fillna(0.0).to_numpy(dtype=float)
    n_negative = int((numbers < 0).sum())
    if n_negative:
        raise DataError(
            f"{n_negative} campaign row(s) have negative revenue; revenue in the response window must be "
            ">= 0 (net returns inside the window but floor each customer at 0)"
        )
    return numbers


def load_campaign(path: str | Path, *, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a campaign results CSV and validate it (see :func:`validate_campaign`).

    Every column is read as text first, so customer ids keep leading zeros.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"campaign file {path.name!r} not found; run `python -m segkit.campaign` for the default one")
    return validate_campaign(pd.read_csv(path, dtype=str, keep_default_na=False), column_map=column_map)


def _attach_segments(campaign: pd.DataFrame, segments: pd.Series) -> pd.DataFrame:
    """Join the recomputed segment of every campaign customer and check each segment is measurable.

    ``campaign`` is validated (:func:`validate_campaign`) and ``segments`` is the checked segment
    column (``_segments``): nothing is validated again here. Campaign customers missing from the
    customer table are dropped (:func:`campaign_coverage` counts them).

    Returns
    -------
    DataFrame
        The validated campaign customers found in the table, with a categorical ``segment`` column.

    Raises
    ------
    DataError
        If no campaign id is in the customer table, or a segment has no control (or no treatment) customers.
    """
    mapped = campaign["customer_id"].map(segments)
    unknown = mapped.isna().to_numpy()
    if unknown.all():
        raise DataError(
            f"none of the {len(campaign)} campaign customer ids is in the customer table (campaign ids e.g. "
            f"{_examples(campaign['customer_id'].head(3))}, table ids e.g. {_examples(segments.index[:3])}); "
            "check the id format (leading zeros, '.0' suffixes) and that both files cover the same customers"
        )
    joined = campaign.loc[~unknown].assign(segment=pd.Categorical(mapped[~unknown], categories=segments.cat.categories))
    joined["segment"] = joined["segment"].cat.remove_unused_categories()
    counts = pd.crosstab(joined["segment"], joined["group"]).reindex(columns=list(GROUP_LABELS), fill_value=0)
    for label, role in (("control", "held-out control"), ("treatment", "contacted treatment")):
        empty = counts.index[counts[label] == 0]
        if len(empty):
            raise DataError(
                f"segment(s) {_examples(map(str, empty))} have no {role} customers, so their lift cannot be "
                "measured; merge them into a neighbouring segment (a coarser segmentation) or drop them "
                "from the campaign file"
            )
    return joined.reset_index(drop=True)

# --------------------------------------------------------------------------------------------
# Does the campaign file belong to these customers?
# --------------------------------------------------------------------------------------------

#: A campaign file is measured in a report only when at least this share of its customers is in the
#: customer table. A campaign run on these customers loses only the few that cleaning removes (test
#: accounts, customers whose only purchases were returned or were outliers): a few percent at most
#: (none on the default data). 90% leaves room for that and for a file exported a little before or
#: after the transactions, while a file run on other customers whose numeric ids overlap these by
#: accident (the sample campaign on another shop's data matches about 7%) stays well below it.
MIN_CAMPAIGN_MATCH: float = 0.9
#: :class:`CampaignLift` refuses to fit below this share (its ``min_match``). Below one half most of
#: the campaign was run on other customers, so no estimate from it describes these customers;
#: between this and :data:`MIN_CAMPAIGN_MATCH` an analyst calling the estimator directly may have a
#: reason (a strict cleaning, a snapshot before the campaign) and gets the unknown ids reported.
FIT_MIN_MATCH: float = 0.5


@dataclass(frozen=True)
class CampaignCoverage:
    """How many customers of a campaign file are in the customer table, from :func:`campaign_coverage`.

    Attributes
    ----------
    campaign_rows : int
        Customers (rows) of the campaign file.
    matched : int
        Campaign customers found in the customer table.
    unknown_customer_ids : int
        Campaign customers not in the table (``campaign_rows − matched``).
    customers_not_in_campaign : int
        Customers of the table the campaign did not include.
    match_share : float
        ``matched / campaign_rows`` (0 for an empty file).
    unknown_examples : tuple of str
        Up to five of the unknown ids, in file order.
    """

    campaign_rows: int
    matched: int
    unknown_customer_ids: int
    customers_not_in_campaign: int
    match_share: float
    unknown_examples: tuple[str, ...] = ()

    def counts(self) -> pd.DataFrame:
        """The four counts as a one-column table (``count``), for a report."""
        names = ["campaign_rows", "matched", "unknown_customer_ids", "customers_not_in_campaign"]
        # an object column, so the report shows the table exactly as it did when these counts were a dict
        return pd.DataFrame({"count": pd.Series([getattr(self, name) for name in names], index=names, dtype=object)})


def campaign_coverage(campaign: pd.DataFrame, customers: pd.DataFrame) -> CampaignCoverage:
    """How many customers of a campaign file are in the customer table.

    Ids are compared as text with surrounding spaces removed (as :func:`validate_campaign` does).

    Parameters
    ----------
    campaign : DataFrame
        Campaign file with a ``customer_id`` column (raw or validated).
    customers : DataFrame
        Customer table indexed by ``customer_id``.

    Returns
    -------
    CampaignCoverage

    Raises
    ------
    DataError
        If the campaign has no ``customer_id`` column.

    Examples
    --------
    >>> table = pd.DataFrame({"n_orders": [1, 2, 3]}, index=pd.Index(["1", "2", "3"], name="customer_id"))
    >>> campaign_coverage(pd.DataFrame({"customer_id": [1, 2, 9, 8]}), table)  # doctest: +NORMALIZE_WHITESPACE
    CampaignCoverage(campaign_rows=4, matched=2, unknown_customer_ids=2, customers_not_in_campaign=1,
                     match_share=0.5, unknown_examples=('9', '8'))
    """
    _check_columns(campaign, ["customer_id"], "campaign file",
                   "rename its customer column or pass column_map={'your name': 'customer_id'}")
    ids = campaign["customer_id"].astype("string").str.strip()
    known = pd.Index(customers.index.astype(str))
    found = ids.isin(known).to_numpy(bool)
    matched, rows = int(found.sum()), len(campaign)
    return CampaignCoverage(
        campaign_rows=rows,
        matched=matched,
        unknown_customer_ids=rows - matched,
        customers_not_in_campaign=int((~known.isin(ids.dropna())).sum()),
        match_share=matched / rows if rows else 0.0,
        unknown_examples=tuple(str(i) for i in ids[~found].head(_MAX_EXAMPLES)),
    )


def _check_campaign_match(coverage: CampaignCoverage, *, min_match: float = FIT_MIN_MATCH) -> None:
    """Raise DataError when fewer than ``min_match`` of the campaign customers are in the customer table.

    Examples
    --------
    >>> _check_campaign_match(CampaignCoverage(10, 3, 7, 0, 0.3))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    segkit.errors.DataError: only 3 of 10 campaign customers (30.0%) are in the customer table (at least 50% ...
    """
    if not 0.0 <= min_match <= 1.0:
        raise DataError(f"min_match is a share of campaign customers, within [0, 1]; got {min_match}")
    if coverage.match_share < min_match:
        raise DataError(
            f"only {coverage_words(coverage)} are in the customer table (at least {min_match:.0%} needed): "
            "this campaign file does not belong to these transactions; pass the campaign run on these "
            "customers (campaign_path) or leave it empty"
        )


@dataclass(frozen=True)
class CampaignChoice:
    """Which campaign (if any) a report measures, and why, from :func:`match_campaign`.

    Attributes
    ----------
    campaign : DataFrame or None
        The validated campaign when it belongs to the customers, else None.
    truth : DataFrame or None
        Per-customer planted truth (simulations), only when the campaign is used and the truth covers it.
    coverage : CampaignCoverage or None
        :func:`campaign_coverage` of the file (None when there is no file).
    reason : str
        ``"used"``, ``"no file"``, ``"not found"``, ``"other customers"`` or ``"sample campaign"``.
    note : str
        One Markdown paragraph for the reader saying what was decided and why
        (:func:`segkit.campaign.text.match_note`).
    """

    campaign: pd.DataFrame | None
    truth: pd.DataFrame | None
    coverage: CampaignCoverage | None
    reason: str
    note: str

    @property
    def used(self) -> bool:
        """True when a campaign is measured."""
        return self.campaign is not None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def _load_truth(truth_path: Path | None, campaign: pd.DataFrame, campaign_path: Path, min_match: float,
                simulated: SimulatedFiles | None):
    """The planted truth when it exists and describes this campaign, else None."""
    if truth_path is None or not truth_path.is_file():
        return None
    if (simulated is not None and _same_file(truth_path, simulated.truth)
            and not _same_file(campaign_path, simulated.campaign)):
        return None  # that truth describes its own campaign only
    truth = pd.read_csv(truth_path, dtype={"customer_id": str})
    covered = campaign["customer_id"].isin(truth["customer_id"].astype(str).str.strip()).mean()
    return truth if covered >= min_match else None


def match_campaign(
    campaign_path: str | Path | None,
    customers: pd.DataFrame,
    *,
    column_map: Mapping[str, str] | None = None,
    truth_path: str | Path | None = None,
    data_path: str | Path | None = None,
    min_match: float = MIN_CAMPAIGN_MATCH,
    simulated: SimulatedFiles | Mapping[str, str | Path] | None = None,
) -> CampaignChoice:
    """Decide whether a campaign file belongs to the customers of a report, and load it if it does.

    The rule: a campaign is measured only when the file exists and at least ``min_match`` of its
    customers are in the customer table (:func:`campaign_coverage`). One more guard catches ids that
    coincide by accident: a simulated campaign named in ``simulated`` (e.g. a sample shipped with
    the data) is used only with the transactions it was simulated from (when ``data_path`` is
    given), and its truth only with it. Otherwise the report says
    why in :attr:`CampaignChoice.note` and plans from an assumed uplift; nothing is raised, so a report
    on data without a campaign still runs. A file that exists and belongs but is malformed still raises.

    Parameters
    ----------
    campaign_path : str, Path or None
        Campaign results file; empty or None means no campaign.
    customers : DataFrame
        Customer table indexed by ``customer_id``.
    column_map : mapping, optional
        Passed to :func:`load_campaign`.
    truth_path : str or Path, optional
        Planted truth of a simulated campaign; loaded only when the campaign is used and the truth
        covers at least ``min_match`` of its customers.
    data_path : str or Path, optional
        The transactions file the customer table was built from (for the simulated-campaign guard).
    min_match : float, default 0.9
        Smallest share of campaign customers that must be in the customer table, see
        :data:`MIN_CAMPAIGN_MATCH` for why 0.9.
    simulated : SimulatedFiles or mapping, optional
        A simulated campaign, its truth and the transactions it was drawn from
        (:class:`~segkit.campaign.simulate.SimulatedFiles`, or a mapping with the keys ``campaign``,
        ``truth`` and ``transactions``); None (the default) means no file is known to be simulated.

    Returns
    -------
    CampaignChoice

    Raises
    ------
    DataError
        If the file is used but malformed (see :func:`validate_campaign`), or ``min_match`` is outside [0, 1].
    """
    if not 0.0 <= min_match <= 1.0:
        raise DataError(f"min_match is a share of campaign customers, within [0, 1]; got {min_match}")
    if not campaign_path or not str(campaign_path).strip():
        return CampaignChoice(None, None, None, "no file", match_note("no file"))
    if simulated is not None and not isinstance(simulated, SimulatedFiles):
        simulated = SimulatedFiles(**{key: Path(value) for key, value in simulated.items()})
    path = Path(campaign_path)
    if not path.is_file():
        return CampaignChoice(None, None, None, "not found", match_note("not found", file_name=path.name))
    raw = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns=dict(column_map or {}))
    coverage = campaign_coverage(raw, customers)
    if coverage.match_share < min_match:
        reason = "other customers"
    elif (simulated is not None and data_path is not None and _same_file(path, simulated.campaign)
            and not _same_file(Path(data_path), simulated.transactions)):
        reason = "sample campaign"
    else:
        reason = "used"
    note = match_note(reason, file_name=path.name, coverage=coverage, min_match=min_match)
    if reason != "used":
        return CampaignChoice(None, None, coverage, reason, note)
    campaign = validate_campaign(raw)
    truth = _load_truth(Path(truth_path) if truth_path else None, campaign, path, min_match, simulated)
    return CampaignChoice(campaign, truth, coverage, "used", note)
