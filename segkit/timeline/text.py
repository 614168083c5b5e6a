"""The words the segments-over-time report shows, written from numbers the other modules computed.

Functions here compute nothing new; they turn tables into sentences with the number, its unit and,
where the data fall short, what would settle it. Thresholds that decide a word are named constants.
"""

from __future__ import annotations

import math

import pandas as pd

from segkit.present import money_text
from segkit.rfm.text import NO_LONGER_IN_TABLE, NOT_YET_A_CUSTOMER

#: Newer and older cohorts whose retention differs by less than this (in percentage points) "retain alike".
SAME_RETENTION_POINTS: float = 2.0
#: A seasonal index this far from 1 (either way) is a clear pattern; half of it a mild one.
CLEAR_SEASON: float = 0.20
#: Tests at or above this p-value find no pattern beyond chance.
SEASON_P: float = 0.01
#: Segments with fewer repeat customers than this are not named in the overdue sentence.
MIN_REPEAT: int = 20

_UNIT_WORDS = {"weekday": "day of the week", "hour": "hour of the day", "month": "month of the year"}


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _periods(n: int, period: str) -> str:
    return f"{n} {period}{'' if n == 1 else 's'}"


def cohort_words(trend: pd.DataFrame, *, period: str = "month") -> list[str]:
    """One sentence per horizon of :func:`~segkit.timeline.retention_trend`: first and last cohort, newer vs older."""
    return [_horizon_sentence(h, row, period) for h, row in trend.iterrows()]


def _horizon_sentence(horizon: int, row: pd.Series, period: str) -> str:
    after = f"{_periods(int(horizon), period)} after their first purchase"
    if row["cohorts"] < 2:
        reached = "no cohort has" if row["cohorts"] == 0 else "only one cohort has"
        return (f"{after.capitalize()}: {reached} been observed that long yet, so cohorts cannot be compared there; "
                "a longer export (or a shorter horizon) would settle it.")
    return (f"{after.capitalize()}, {_pct(row['first_share'])} of the first cohort ({row['first_cohort']}) were "
            f"still buying, and {_pct(row['last_share'])} of the newest cohort observed that long "
            f"({row['last_cohort']}). {_comparison(row)} ({row['cohorts']} cohorts, customer-weighted).")


def _comparison(row: pd.Series) -> str:
    points = 100 * row["difference"]
    numbers = f"{_pct(row['newer_share'])} for the newer half against {_pct(row['older_share'])} for the older half"
    if abs(points) < SAME_RETENTION_POINTS:
        return f"Newer cohorts retain about as well as older ones: {numbers}"
    word = "better" if points > 0 else "worse"
    return f"Newer cohorts retain {word} than older ones: {numbers}, {abs(points):.0f} points apart"


def span_note(table: pd.DataFrame, *, period: str = "month", horizons=(3, 6)) -> str:
    """What the date range allows: how many cohorts and periods, and which horizons no cohort reaches."""
    cohorts = table["cohort"].nunique()
    longest = int(table.loc[table["complete"], "period_index"].max()) if table["complete"].any() else 0
    short = [h for h in horizons if h > longest]
    text = (f"{cohorts} {period}ly cohort{'s' if cohorts != 1 else ''}, {table.groupby('cohort')['cohort_size'].first().sum():,} "
            f"customers; the oldest has been followed for {_periods(longest, period)} (complete periods only).")
    if short:
        text += (f" The data are too short for the {' and '.join(map(str, short))}-{period} horizon: the report says so "
                 f"below instead of guessing; use a longer export, or set `horizons` to at most {longest}.")
    return text


def cycle_words(by_segment: pd.DataFrame, *, overdue_multiple: float = 2.0, total: str = "all customers") -> str:
    """The typical gap, its spread and the share overdue, overall and for the most overdue segments."""
    everyone = by_segment.loc[total]
    if everyone["repeat_customers"] == 0:
        return ("No customer has bought on two different days, so there is no purchase cycle to measure yet; "
                "every customer is a one-time buyer in this export.")
    text = (f"Of {everyone['customers']:,.0f} customers, {everyone['repeat_customers']:,.0f} bought on two days or more. "
            f"Their typical gap between purchases is {everyone['gap_median']:.0f} days (a quarter buy within "
            f"{everyone['gap_q1']:.0f} days, a quarter wait more than {everyone['gap_q3']:.0f}). "
            f"**{_pct(everyone['overdue_share'])} of them ({everyone['overdue']:,.0f}) are overdue: silent for more "
            f"than {overdue_multiple:g}× their own typical gap.**")
    ranked = by_segment.drop(index=total).query("repeat_customers >= @MIN_REPEAT").sort_values(
        "overdue_share", ascending=False, kind="stable")
    if len(ranked) >= 2:
        top = [f"{name} ({_pct(row['overdue_share'])})" for name, row in ranked.head(3).iterrows()]
        text += f" Most overdue: {', '.join(top)}; least: {ranked.index[-1]} ({_pct(ranked['overdue_share'].iloc[-1])})."
    return text


def season_words(peaks: pd.DataFrame, *, total: str = "all customers") -> list[str]:
    """One sentence per unit for all customers: a clear, mild or no pattern, with its peak and trough."""
    rows = peaks.loc[peaks["group"] == total]
    return [_season_sentence(row) for _, row in rows.iterrows()]


def _season_sentence(row: pd.Series) -> str:
    unit = _UNIT_WORDS[row["unit"]]
    if not row["enough"]:
        return (f"By {unit}: too few orders ({row['orders']:,.0f}) to tell a pattern from chance "
                "(fewer than 5 expected per level).")
    spread = max(row["peak_index"] - 1, 1 - row["low_index"])
    numbers = (f"busiest {row['peak']} ({row['peak_index']:.2f}× the average), quietest {row['low']} "
               f"({row['low_index']:.2f}×)")
    if row["p_value"] >= SEASON_P or spread < CLEAR_SEASON / 2:
        return f"By {unit}: no pattern beyond chance ({numbers}; chi-square {_p(row['p_value'])})."
    strength = "a clear" if spread >= CLEAR_SEASON else "a mild"
    return f"By {unit}: {strength} pattern, {numbers} (chi-square {_p(row['p_value'])})."


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def headline(trend: pd.DataFrame, by_segment: pd.DataFrame, *, period: str = "month",
             total: str = "all customers", alerts: pd.DataFrame | None = None, compare_days: int | None = None) -> str:
    """The report's headline: retention of the first and newest cohorts at the first horizon compared, the
    share of repeat customers overdue on their own cycle and, when given, the number of alerts between the
    two snapshots (``compare_days`` apart)."""
    reached = trend.loc[trend["cohorts"] >= 2]
    if len(reached):
        horizon, row = reached.index[0], reached.iloc[0]
        first = (f"**{_pct(row['first_share'])} of the first cohort ({row['first_cohort']}) were still buying "
                 f"{_periods(int(horizon), period)} on, against {_pct(row['last_share'])} of the newest cohort "
                 f"observed that long ({row['last_cohort']}).** {_comparison(row)}.")
    else:
        first = "**The export is too short to compare cohorts' retention.**"
    everyone = by_segment.loc[total]
    if everyone["repeat_customers"] == 0:
        text = f"{first} No customer has bought twice yet, so nobody can be overdue on their own cycle."
    else:
        text = (f"{first} {_pct(everyone['overdue_share'])} of repeat customers are overdue on their own purchase "
                "cycle.")
    return text + (_alert_count(alerts, compare_days) if alerts is not None else "")


def _alert_count(alerts: pd.DataFrame, compare_days: int | None) -> str:
    counts = alerts["reason"].value_counts()
    since = f" over the last {compare_days:,} days" if compare_days else " between the two snapshots"
    parts = [f"{int(counts.get(REASONS[k], 0)):,} {words}" for k, words in
             (("left_top", "left a top segment"), ("newly_overdue", "valuable and newly overdue"),
              ("won_back", "won back"))]
    return (f" **{len(alerts):,} alerts**{since} on {alerts['customer_id'].nunique():,} customers: "
            f"{', '.join(parts)}.")


def model_words(model, *, reproduced: float, path: str) -> str:
    """What the saved model holds and that it reproduces the labels of the customers it was fitted on."""
    rfm = model.rfm
    segments = len({r["segment"] for r in model.rules})
    check = "all" if math.isclose(reproduced, 1.0) else _pct(reproduced)
    return (f"Saved the segmentation of record to `{path}`: RFM on {rfm.bins} levels with {segments} named segments, "
            f"and k-means with {model.k} clusters ({', '.join(model.kmeans.names)}), fitted on "
            f"{model.n_customers:,} customers at the snapshot {model.snapshot}. Scoring those customers with the "
            f"saved file gives back {check} of their labels, so next month's export lands in these same segments.")


#: The reasons of the alert list (:func:`segkit.timeline.migration.migration_alerts`), as the export writes them.
REASONS: dict[str, str] = {
    "left_top": "left a top segment",
    "newly_overdue": "newly overdue",
    "won_back": "won back",
}


def stake_words(stake_days: int) -> str:
    """What "revenue at stake" means in the migration tables and the alert list."""
    return (f"**Revenue at stake** is a customer's net revenue over the {stake_days:,} days before the later "
            "snapshot: the value a year of their custom brings, which a lost customer takes away (a customer "
            f"missing from the later data: the {stake_days:,} days before the earlier snapshot).")


def migration_words(table: pd.DataFrame, *, earlier_date: pd.Timestamp, later_date: pd.Timestamp) -> str:
    """Who stayed, moved, arrived and left between the snapshots, in customers and revenue at stake."""
    new = table["from"] == NOT_YET_A_CUSTOMER
    gone = table["to"] == NO_LONGER_IN_TABLE
    followed = table.loc[~new & ~gone]
    stayed = followed.loc[followed["from"] == followed["to"], "customers"].sum()
    n = followed["customers"].sum()
    text = (f"Between {earlier_date:%Y-%m-%d} and {later_date:%Y-%m-%d} ({(later_date - earlier_date).days:,} days), "
            f"{n:,} customers were there at both snapshots: **{_pct(stayed / n) if n else '0%'} ({stayed:,}) stayed in "
            f"their segment and {n - stayed:,} moved**. {table.loc[new, 'customers'].sum():,} customers are new since "
            f"then ({money_text(table.loc[new, 'revenue'].sum())} of revenue at stake)")
    if gone.any():
        text += (f", and {table.loc[gone, 'customers'].sum():,} of the earlier customers are missing from the later "
                 f"data ({money_text(table.loc[gone, 'revenue'].sum())} of revenue at stake)")
    return text + "."


def alert_words(alerts: pd.DataFrame, *, top_segments, valuable_share: float) -> str:
    """The number of alerts per reason and their revenue at stake."""
    counts = alerts.groupby("reason", sort=False).agg(customers=("customer_id", "size"),
                                                      revenue=("revenue_at_stake", "sum"))

    def part(key: str, what: str) -> str:
        n, revenue = counts.loc[REASONS[key]] if REASONS[key] in counts.index else (0, 0.0)
        return f"{int(n):,} {what}, with {money_text(revenue)} of revenue at stake"

    valuable = f"valuable customers (those bringing the top {_pct(valuable_share)} of it) are newly overdue on their own cycle"
    return (f"**{len(alerts):,} alerts on {alerts['customer_id'].nunique():,} customers:** "
            f"{part('left_top', 'left a top segment (' + ' or '.join(top_segments) + ')')}; "
            f"{part('newly_overdue', valuable)}; "
            f"{part('won_back', 'lapsed or at-risk customers came back')}.")


def recut_words(counts: pd.Series) -> str:
    """How many moves re-cutting the quintiles makes, against a rescoring with the earlier model."""
    if counts["customers"] == 0:
        return "There are no customers at the later snapshot to score."
    moved = counts["moved_refit"]
    share = f" ({_pct(counts['only_refit'] / moved)} of the moves a refit shows)" if moved else ""
    return (f"Scored with the model fitted at the earlier snapshot and with quintiles re-cut at the later one, "
            f"**{counts['differ']:,} of {counts['customers']:,} customers ({_pct(counts['differ'] / counts['customers'])}) "
            f"land in different segments**. Of the {counts['followed']:,} customers of both snapshots, "
            f"{counts['moved_fixed']:,} moved with the fixed model and {moved:,} with the refit: "
            f"**{counts['only_refit']:,} moves{share} are only artefacts of re-cutting the quintiles**, and "
            f"{counts['only_fixed']:,} real moves are hidden by it.")


# --- planted truth against what was found (segkit.timeline.truth) -------------------------------

#: A measured cohort factor within this of the planted one is "close".
CLOSE_FACTOR: float = 0.1


def truth_intro_words(truth, reason: str, *, path: str) -> str:
    """Whether the planted truth applies to these data, and what it holds."""
    if truth is None:
        return (f"No planted truth to compare with: {reason}. This section applies to the default generated data "
                "(`make data`); set `ground_truth_path` to its `ground_truth.csv`.")
    lapses = int(truth.customers["planted_lapse"].sum())
    return (f"These are the default generator's data: `{path}` and the `generator_params.json` beside it say what "
            f"was planted ({_pct(truth.matched)} of the customers analysed are in it). Planted: newer cohorts "
            f"retain worse (each acquisition quarter loses a further "
            f"{_pct(truth.params['cohort_effect']['first_purchase_dropout_per_quarter'])} of its customers after "
            f"their first purchase), each planted group has its own weekday, month and hour pattern, and {lapses:,} "
            f"valuable regular customers stop buying on {truth.params['lapses']['start']}. The analyses above did "
            "not use any of it; here they are scored against it.")


def cohort_truth_words(table: pd.DataFrame) -> list[str]:
    """One sentence per horizon of :func:`segkit.timeline.truth.cohort_truth`: newest quarter, and the fit overall."""
    sentences = []
    for months, part in table.groupby("months", sort=True):
        part = part.loc[part["quarter"] != part["quarter"].iloc[0]]
        if part.empty:
            sentences.append(f"{_periods(int(months), 'month').capitalize()} after the first purchase: only one "
                             "acquisition quarter has been observed that long, so there is no factor to compare.")
            continue
        last = part.iloc[-1]
        gap = (part["measured_factor"] - part["planted_factor"]).abs()
        close = int((gap <= CLOSE_FACTOR).sum())
        sentences.append(
            f"{_periods(int(months), 'month').capitalize()} after the first purchase, the {last['quarter']} "
            f"customers kept **{last['measured_factor']:.2f}×** the retention of the first quarter's customers of "
            f"the same groups; the generator planted **{last['planted_factor']:.2f}×**. Over "
            f"{len(part)} later quarters the measured factor is within {CLOSE_FACTOR:g} of the planted one "
            f"{close} times (largest gap {gap.max():.2f}, mean {gap.mean():.2f}).")
    return sentences


_TRUTH_UNITS = {"weekday": "day of the week", "month": "month of the year", "hour": "hour of the day"}


def season_truth_words(summary: pd.DataFrame) -> list[str]:
    """One sentence per unit of :func:`segkit.timeline.truth.season_truth`'s summary."""
    sentences = []
    for unit, part in summary.groupby("unit", sort=False):
        patterned, flat = part.loc[part["pattern"]], part.loc[~part["pattern"]]
        text = f"By {_TRUTH_UNITS[unit]}: "
        if len(patterned):
            text += (f"of {len(patterned)} groups with a planted pattern, the busiest level found is the planted "
                     f"one for {int(patterned['peak_match'].sum())} "
                     f"({', '.join(f'{r.group}: {r.found_peak}' for r in patterned.itertuples())}); found and planted "
                     f"indexes differ by {patterned['mean_abs_diff'].mean():.2f} on average (correlation at least "
                     f"{patterned['correlation'].min():.2f})")
        if len(flat):
            text += ("; " if len(patterned) else "") + (
                f"{len(flat)} group{'s' if len(flat) != 1 else ''} planted flat "
                f"({', '.join(flat['group'])}) show indexes {flat['mean_abs_diff'].mean():.2f} from 1 on average")
        sentences.append(text + ".")
    return sentences


def lapse_truth_words(scores: pd.Series, *, start: str) -> str:
    """How many planted lapses the alerts catch (recall), how precise the newly-overdue alerts are, and why misses."""
    if scores["planted"] == 0:
        return "No planted lapse is among the customers of the later snapshot, so there is nothing to catch."
    n = scores["overdue_alerts"]
    precision = (f" Of the {n:,.0f} newly-overdue alerts, {scores['caught']:,.0f} ({_pct(scores['precision'])}) are "
                 f"planted lapses and {scores['gone']:,.0f} ({_pct(scores['precision_gone'])}) customers the truth "
                 "says have stopped buying (planted lapses and customers who dropped out on their own)."
                 if n else " There are no newly-overdue alerts.")
    return (f"Of the {scores['planted']:,.0f} valuable regular customers planted to stop buying on {start}, "
            f"**{scores['caught']:,.0f} ({_pct(scores['recall'])}) are in the alert list as valuable customers newly "
            f"overdue** ({scores['caught_any']:,.0f} with an alert of any reason).{precision} Missed: "
            f"{scores['missed_not_valuable']:,.0f} outside the valuable tier by revenue at stake, "
            f"{scores['missed_already_overdue']:,.0f} already overdue at the earlier snapshot, "
            f"{scores['missed_not_overdue']:,.0f} not yet overdue on their own cycle.")
