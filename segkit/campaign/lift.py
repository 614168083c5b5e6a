"""The :class:`CampaignLift` estimator: lift, incremental revenue and profit, ROI, per segment."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator

from segkit.campaign._checks import _check_costs, _check_margin, _segments
from segkit.campaign.economics import DEFAULT_CONTACT_COST, DEFAULT_MARGIN, TOTAL_LABEL
from segkit.campaign.io import (
    FIT_MIN_MATCH,
    CampaignCoverage,
    _attach_segments,
    _check_campaign_match,
    campaign_coverage,
    validate_campaign,
)
from segkit.campaign.stats import bootstrap_mean_difference, two_proportion_test
from segkit.errors import DataError


class CampaignLift(BaseEstimator):
    """Measure a randomised campaign per segment: lift, incremental revenue and profit, ROI.

    Parameters
    ----------
    segment_col : str, default "segment"
        Segment column of the customer table passed to :meth:`fit`.
    margin : float, default 0.30
        Gross margin on revenue.
    contact_cost : float, default 1.50
        Cost of one contact (paid for every treatment customer).
    alpha : float, default 0.05
        1 − confidence level of all intervals and the significance level of the flag.
    n_boot : int, default 2000
        Bootstrap replicates for revenue intervals.
    random_state : int, optional
        Seed of the bootstrap.
    min_match : float, default 0.5
        Smallest share of the campaign's customers that must be in the customer table
        (:data:`FIT_MIN_MATCH`); below it :meth:`fit` raises, because the file was run on other
        customers. Reports apply the stricter :data:`MIN_CAMPAIGN_MATCH` before fitting
        (:func:`match_campaign`).

    Attributes
    ----------
    lift_ : DataFrame
        One row per segment plus :data:`TOTAL_LABEL` (segment-size weighted, i.e. post-stratified):
        ``customers, n_treatment, n_control, response_treatment, response_control, abs_lift,
        abs_lift_low, abs_lift_high, rel_lift, rel_lift_low, rel_lift_high, p_value, significant,
        revenue_treatment, revenue_control, revenue_lift, revenue_lift_low, revenue_lift_high,
        attributed_revenue, incremental_revenue, incremental_profit, incremental_profit_low,
        incremental_profit_high, roi, roi_low, roi_high, verdict, pays``. Revenue columns are per
        customer; ``attributed_revenue`` is all revenue of the treatment group (what a naive report
        credits), ``incremental_*`` is the campaign as run (treatment group only).
    revenue_lift_draws_ : DataFrame
        Bootstrap draws (n_boot × segments, plus the total) of the revenue lift per customer.
    campaign_ : DataFrame
        The validated campaign joined to segments.
    report_ : CampaignCoverage
        :func:`campaign_coverage` of the campaign: ``unknown_customer_ids`` counts campaign ids not in
        the customer table (they are left out), ``match_share`` is the share that is in it.
    n_unknown_customers_ : int
        ``report_.unknown_customer_ids``.
    """

    def __init__(
        self,
        *,
        segment_col: str = "segment",
        margin: float = DEFAULT_MARGIN,
        contact_cost: float = DEFAULT_CONTACT_COST,
        alpha: float = 0.05,
        n_boot: int = 2000,
        random_state: int | None = None,
        min_match: float = FIT_MIN_MATCH,
    ) -> None:
        self.segment_col = segment_col
        self.margin = margin
        self.contact_cost = contact_cost
        self.alpha = alpha
        self.n_boot = n_boot
        self.random_state = random_state
        self.min_match = min_match

    def _check_params(self) -> None:
        _check_costs(contact_cost=self.contact_cost)
        _check_margin(self.margin)
        self._check_sampling()

    def _check_sampling(self) -> None:
        """The statistical settings (the money ones are checked with :meth:`_check_params`)."""
        if not 0.0 < self.alpha < 0.5:
            raise DataError(f"alpha must be in (0, 0.5), got {self.alpha}; 0.05 gives 95% intervals")
        if self.n_boot < 100:
            raise DataError(f"n_boot must be at least 100 for stable intervals, got {self.n_boot}")

    def fit(self, campaign: pd.DataFrame, customers: pd.DataFrame) -> CampaignLift:
        """Validate the campaign, join segments and estimate lift per segment and overall.

        Parameters
        ----------
        campaign : DataFrame
            ``customer_id, group, responded, revenue`` (see :func:`validate_campaign`).
        customers : DataFrame
            Customer table indexed by ``customer_id`` with the segment column.

        Returns
        -------
        CampaignLift
            self.

        Raises
        ------
        DataError
            A malformed campaign, a segment without treatment or control customers, or fewer than
            ``min_match`` of the campaign customers in the customer table.
        """
        self._check_params()
        valid = validate_campaign(campaign)
        coverage = campaign_coverage(valid, customers)
        _check_campaign_match(coverage, min_match=self.min_match)
        return self._fit(valid, _segments(customers, self.segment_col), coverage)

    def _fit(self, valid: pd.DataFrame, segments: pd.Series, coverage: CampaignCoverage) -> CampaignLift:
        """:meth:`fit` on checked input: a validated campaign that matches, the checked segment column."""
        joined = _attach_segments(valid, segments)
        self.campaign_, self.report_ = joined, coverage
        self.n_unknown_customers_ = coverage.unknown_customer_ids
        labels = [str(s) for s in joined["segment"].cat.categories]
        codes = joined["segment"].cat.codes.to_numpy()
        treated = (joined["group"] == "treatment").to_numpy()
        cell = 2 * codes + treated
        n_cells = 2 * len(labels)
        n = np.bincount(cell, minlength=n_cells).reshape(-1, 2).astype(float)
        x = np.bincount(cell, weights=joined["responded"].to_numpy(float), minlength=n_cells).reshape(-1, 2)
        rev = np.bincount(cell, weights=joined["revenue"].to_numpy(), minlength=n_cells).reshape(-1, 2)
        draws = bootstrap_mean_difference(
            joined["revenue"].to_numpy(), treated, codes, n_boot=self.n_boot, random_state=self.random_state
        )
        weights = n.sum(axis=1) / n.sum()
        draws = np.column_stack([draws, draws @ weights])
        self.revenue_lift_draws_ = pd.DataFrame(draws, columns=[*labels, TOTAL_LABEL])
        self.lift_ = self._table(labels, n, x, rev, draws)
        return self

    def _table(self, labels, n, x, rev, draws) -> pd.DataFrame:
        z = stats.norm.ppf(1 - self.alpha / 2)
        n0, n1, x0, x1 = n[:, 0], n[:, 1], x[:, 0], x[:, 1]
        w = (n0 + n1) / (n0 + n1).sum()
        p1, p0 = x1 / n1, x0 / n0
        test = two_proportion_test(x1, n1, x0, n0, alpha=self.alpha)
        var1, var0 = p1 * (1 - p1) / n1, p0 * (1 - p0) / n0
        # overall: post-stratified (segment-size weighted) rates, Wald interval and z-test
        P1, P0 = w @ p1, w @ p0
        V1, V0 = w**2 @ var1, w**2 @ var0
        diff_all, se_all = P1 - P0, np.sqrt(V1 + V0)
        table = pd.DataFrame(
            {
                "customers": np.append(n0 + n1, (n0 + n1).sum()).astype(int),
                "n_treatment": np.append(n1, n1.sum()).astype(int),
                "n_control": np.append(n0, n0.sum()).astype(int),
                "response_treatment": np.append(p1, P1),
                "response_control": np.append(p0, P0),
                "abs_lift": np.append(test.diff, diff_all),
                "abs_lift_low": np.append(test.low, diff_all - z * se_all),
                "abs_lift_high": np.append(test.high, diff_all + z * se_all),
                "p_value": np.append(test.p_value, 2 * stats.norm.sf(abs(diff_all) / se_all) if se_all > 0 else 1.0),
            },
            index=pd.Index([*labels, TOTAL_LABEL], name="segment"),
        )
        rate_t, rate_c = table["response_treatment"], table["response_control"]
        var_t, var_c = np.append(var1, V1), np.append(var0, V0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_rr = np.log(rate_t / rate_c)
            se_log = np.sqrt(var_t / rate_t**2 + var_c / rate_c**2)
        finite = np.isfinite(log_rr) & np.isfinite(se_log)
        table["rel_lift"] = (rate_t / rate_c - 1).where(rate_c > 0)
        table["rel_lift_low"] = np.where(finite, np.exp(log_rr - z * se_log) - 1, np.nan)
        table["rel_lift_high"] = np.where(finite, np.exp(log_rr + z * se_log) - 1, np.nan)
        table["significant"] = table["p_value"] < self.alpha
        return self._money(table, n, rev, draws)

    def _money(self, table: pd.DataFrame, n, rev, draws) -> pd.DataFrame:
        n0, n1 = n[:, 0], n[:, 1]
        w = (n0 + n1) / (n0 + n1).sum()
        m1, m0 = rev[:, 1] / n1, rev[:, 0] / n0
        table["revenue_treatment"] = np.append(m1, w @ m1)
        table["revenue_control"] = np.append(m0, w @ m0)
        table["revenue_lift"] = table["revenue_treatment"] - table["revenue_control"]
        low, high = np.quantile(draws, [self.alpha / 2, 1 - self.alpha / 2], axis=0)
        table["revenue_lift_low"], table["revenue_lift_high"] = low, high
        table["attributed_revenue"] = np.append(rev[:, 1], rev[:, 1].sum())
        # the campaign as run: revenue lift × treatment customers, per segment and summed
        segment_lift = table["revenue_lift"].to_numpy()[:-1]
        inc_revenue = np.append(segment_lift * n1, segment_lift @ n1)
        inc_draws = draws[:, :-1] * n1
        inc_draws = np.column_stack([inc_draws, inc_draws.sum(axis=1)])
        cost = table["n_treatment"].to_numpy(float) * self.contact_cost
        table["incremental_revenue"] = inc_revenue
        table["incremental_profit"] = inc_revenue * self.margin - cost
        q_low, q_high = np.quantile(inc_draws, [self.alpha / 2, 1 - self.alpha / 2], axis=0)
        table["incremental_profit_low"] = q_low * self.margin - cost
        table["incremental_profit_high"] = q_high * self.margin - cost
        safe_cost = np.where(cost > 0, cost, np.nan)
        table["roi"] = table["incremental_profit"] / safe_cost
        table["roi_low"] = table["incremental_profit_low"] / safe_cost
        table["roi_high"] = table["incremental_profit_high"] / safe_cost
        table["verdict"] = np.select(
            [~table["significant"], table["abs_lift"] > 0], ["not significant: could be zero", "lift"], "backfires"
        )
        table["pays"] = np.select(
            [table["incremental_profit_low"] > 0, table["incremental_profit_high"] < 0], ["yes", "no"], "unclear"
        )
        return table

    def targeting(
        self, *, sizes: pd.Series | None = None, true_revenue_lift: pd.Series | None = None
    ) -> pd.DataFrame:
        """What the campaign earned as run, and would have earned sent to everyone or only to winners.

        Policies (rows):

        - ``as run (naive attribution)``: all revenue of contacted responders credited to the campaign
          (what a campaign report without a control group shows);
        - ``as run (incremental)``: the treatment group, counting only revenue above the control group's;
        - ``mass: every customer``: every customer of every segment contacted;
        - ``targeted: positive segments``: only the segments whose measured incremental profit per
          contact is positive (``revenue_lift × margin > contact_cost``); ``segments`` says how many.

        Parameters
        ----------
        sizes : Series, optional
            Customers per segment who could be contacted; default: the campaign population per segment.
        true_revenue_lift : Series, optional
            True revenue lift per customer by segment (simulations only): adds
            ``true_incremental_profit``, the value of each policy under the truth. Because the targeted
            segments are chosen on the same data that measures them, the measured value of the
            targeted policy is optimistic (winner's curse); the truth column shows by how much.

        Returns
        -------
        DataFrame
            Indexed by ``policy``: ``segments``, ``contacts``, ``cost``, ``incremental_revenue``,
            ``incremental_profit`` with ``_low``/``_high`` interval (bootstrap, not for naive
            attribution), ``roi`` and optionally ``true_incremental_profit``.
        """
        per = self.lift_.drop(index=TOTAL_LABEL)
        labels = per.index
        size = per["customers"] if sizes is None else sizes.reindex(labels).fillna(0)
        chosen = (per["revenue_lift"] * self.margin > self.contact_cost).to_numpy()
        draws = self.revenue_lift_draws_[list(labels)].to_numpy()
        policies = {
            "as run (incremental)": per["n_treatment"].to_numpy(float),
            "mass: every customer": size.to_numpy(float),
            "targeted: positive segments": np.where(chosen, size.to_numpy(float), 0.0),
        }
        rows = {}
        q = [self.alpha / 2, 1 - self.alpha / 2]
        for policy, contacts in policies.items():  # three policies, not customers
            cost = contacts.sum() * self.contact_cost
            inc = per["revenue_lift"].to_numpy() @ contacts
            low, high = np.quantile(draws @ contacts, q) * self.margin - cost
            rows[policy] = {"segments": int((contacts > 0).sum()), "contacts": contacts.sum(), "cost": cost,
                            "incremental_revenue": inc, "incremental_profit": inc * self.margin - cost,
                            "incremental_profit_low": low, "incremental_profit_high": high}
            if true_revenue_lift is not None:
                truth = true_revenue_lift.reindex(labels).to_numpy(float)
                rows[policy]["true_incremental_profit"] = truth @ contacts * self.margin - cost
        n1 = per["n_treatment"].sum()
        naive = {"segments": len(labels), "contacts": float(n1), "cost": n1 * self.contact_cost,
                 "incremental_revenue": per["attributed_revenue"].sum(),
                 "incremental_profit": per["attributed_revenue"].sum() * self.margin - n1 * self.contact_cost}
        out = pd.DataFrame({"as run (naive attribution)": naive, **rows}).T
        out["segments"] = out["segments"].astype(int)
        out["roi"] = out["incremental_profit"] / out["cost"].where(out["cost"] > 0)
        out.index.name = "policy"
        return out

    def targeted_segments(self) -> list[str]:
        """Segments whose measured incremental profit per contact is positive."""
        per = self.lift_.drop(index=TOTAL_LABEL)
        return per.index[per["revenue_lift"] * self.margin > self.contact_cost].tolist()
