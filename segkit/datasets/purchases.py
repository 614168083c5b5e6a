"""Who buys when: customers drawn from the planted groups, BG/NBD purchase times with each group's
seasonality, the cohort effect, and the planted last-quarter lapses (see :mod:`segkit.datasets.design`)."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from segkit.datasets.design import (
    CHANNELS, COHORT_EFFECT, COUNTRIES, COUNTRY_PROBS, GROUPS, LAPSES, N_DAYS, SEASONALITY, START,
)


def _calendar() -> pd.DataFrame:
    """The data's days: weekday (0 = Monday), month (1..12) and acquisition quarter (0 = the first)."""
    days = pd.date_range(START, periods=N_DAYS, freq="D")
    return pd.DataFrame({"weekday": days.day_of_week, "month": days.month,
                         "quarter": (days.year - START.year) * 4 + (days.month - 1) // 3})


def _normalised(weights: tuple[float, ...]) -> np.ndarray:
    """Weights scaled to mean 1."""
    values = np.asarray(weights, dtype=float)
    return values / values.mean()


def seasonal_intensity() -> np.ndarray:
    """Each group's purchase intensity multiplier per day of the data, ``(groups, N_DAYS)``, mean 1 per group.

    The product of the group's weekday and month weights (:data:`SEASONALITY`), scaled so that its mean over
    the data's days is 1: a customer's expected purchases over the two years stay ``lambda × N_DAYS``.

    Examples
    --------
    >>> s = seasonal_intensity()
    >>> s.shape, bool(np.allclose(s.mean(axis=1), 1.0))
    ((5, 731), True)
    """
    calendar = _calendar()
    rows = []
    for group in GROUPS:
        profile = SEASONALITY[group.name]
        weekday = _normalised(profile["weekday"])[calendar["weekday"]]
        daily = weekday * _normalised(profile["month"])[calendar["month"] - 1]
        rows.append(daily / daily.mean())
    return np.vstack(rows)


def _simulate_purchase_times(
    rate: np.ndarray, dropout: np.ndarray, first: np.ndarray, first_dropout: np.ndarray, season: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate purchase times (in days) for all customers at once: BG/NBD with a seasonal rate.

    ``season`` is each customer's intensity multiplier per day, ``(customers, N_DAYS)`` as rows of
    :func:`seasonal_intensity` (a view per group is enough). Repeat purchases are drawn by thinning:
    candidates at rate ``rate × max(season)``, each kept with probability ``season(day) / max(season)``;
    after a kept purchase the customer drops out with probability ``dropout``, and right after the first
    purchase with probability ``first_dropout`` (the planted cohort effect). Loops over the candidate
    number, not over customers. Returns (customer index, purchase time, alive at the end of the period).
    """
    n = len(rate)
    peak = season.max(axis=1)
    customer_idx = [np.arange(n)]
    times = [first]
    current = first.copy()
    dropped = rng.random(n) < first_dropout
    active = ~dropped
    while active.any():
        active_idx = np.flatnonzero(active)
        current[active_idx] += rng.exponential(1.0 / (rate[active_idx] * peak[active_idx]))
        in_period = current[active_idx] < N_DAYS
        active[active_idx[~in_period]] = False
        candidates = active_idx[in_period]
        day = np.floor(current[candidates]).astype(np.int64)
        kept = rng.random(len(candidates)) * peak[candidates] < season[candidates, day]
        bought = candidates[kept]
        customer_idx.append(bought)
        times.append(current[bought])
        drops = bought[rng.random(len(bought)) < dropout[bought]]
        dropped[drops] = True
        active[drops] = False
    purchases_idx = np.concatenate(customer_idx)
    alive = ~dropped
    return purchases_idx, np.concatenate(times), alive


def _acquisition_days(group_idx: np.ndarray, season: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """First-purchase times with density proportional to the group's seasonal intensity inside its window."""
    first = np.zeros(len(group_idx))
    u = rng.random(len(group_idx))
    for g, group in enumerate(GROUPS):
        members = group_idx == g
        lo, hi = (round(w * N_DAYS) for w in group.acquisition_window)
        cumulative = np.cumsum(season[g, lo:hi])
        target = u[members] * cumulative[-1]
        day = np.searchsorted(cumulative, target, side="right").clip(max=hi - lo - 1)
        below = np.where(day > 0, cumulative[np.maximum(day - 1, 0)], 0.0)
        first[members] = lo + day + (target - below) / season[g, lo + day]
    return first


def _draw_customers(n_customers: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw each customer's group and process parameters (the ground truth)."""
    shares = np.array([g.share for g in GROUPS])
    group_idx = rng.choice(len(GROUPS), size=n_customers, p=shares / shares.sum())
    params = pd.DataFrame([asdict(g) for g in GROUPS]).iloc[group_idx].reset_index(drop=True)
    first = _acquisition_days(group_idx, seasonal_intensity(), rng)
    quarter = _calendar()["quarter"].to_numpy()[np.floor(first).astype(np.int64)]
    ids = rng.choice(np.arange(12000, 12000 + 4 * n_customers), size=n_customers, replace=False)
    return pd.DataFrame(
        {
            "customer_id": ids.astype(str),
            "group": params["name"],
            "group_idx": group_idx,
            "acquisition_day": first,
            "acquisition_quarter": quarter,
            "first_purchase_dropout": np.round(quarter * COHORT_EFFECT["first_purchase_dropout_per_quarter"], 6),
            "purchase_rate_per_day": rng.gamma(params["r"], 1.0 / params["alpha"]),
            "dropout_prob": rng.beta(params["a"], params["b"]),
            "mean_order_value": rng.gamma(params["q"], params["mean_order_value"] / params["q"]),
            "order_shape": params["order_shape"],
            "discount_mean": params["discount_mean"],
            "country": rng.choice(COUNTRIES, size=n_customers, p=COUNTRY_PROBS),
            "preferred_channel": [
                CHANNELS[i] for i in _categorical(np.array(params["channel_probs"].tolist()), rng)
            ],
        }
    )


def _categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to one), vectorised."""
    return (rng.random((len(probs), 1)) > np.cumsum(probs, axis=1)).sum(axis=1).clip(max=probs.shape[1] - 1)


def _lapse_start_day() -> int:
    return int((pd.Timestamp(LAPSES["start"]) - START).days)


def _choose_lapses(customers: pd.DataFrame, cust_idx: np.ndarray, day: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """The planted lapses (a boolean per customer), chosen from the simulated purchases (see :data:`LAPSES`)."""
    start = _lapse_start_day()
    n = len(customers)
    before = day < start
    orders_before = np.bincount(cust_idx[before], minlength=n)
    after = np.bincount(cust_idx[~before], minlength=n)
    last_before = np.full(n, -np.inf)
    np.maximum.at(last_before, cust_idx[before], day[before])
    first = customers["acquisition_day"].to_numpy()
    mean_gap = (last_before - first) / np.maximum(orders_before - 1, 1)
    value = customers["purchase_rate_per_day"].to_numpy() * customers["mean_order_value"].to_numpy()
    valuable = value >= np.quantile(value, 1 - LAPSES["top_value_share"])
    candidates = np.flatnonzero(
        (first <= start - LAPSES["min_tenure_days"]) & (orders_before >= LAPSES["min_orders"])
        & (mean_gap <= LAPSES["max_mean_gap_days"]) & (last_before >= start - LAPSES["recent_days"])
        & (after > 0) & valuable
    )
    chosen = rng.choice(candidates, size=min(len(candidates), round(LAPSES["share"] * n)), replace=False)
    lapse = np.zeros(n, dtype=bool)
    lapse[chosen] = True
    return lapse


def _order_times(day: np.ndarray, group_idx: np.ndarray, rng: np.random.Generator) -> pd.Series:
    """Timestamps: the purchase day, an hour from the group's hour profile and a uniform minute."""
    hour_shares = np.array([SEASONALITY[g.name]["hour"] for g in GROUPS], dtype=float)
    hour_shares /= hour_shares.sum(axis=1, keepdims=True)
    hour = _categorical(hour_shares[group_idx], rng)
    minutes = hour * 60 + rng.integers(0, 60, size=len(day))
    return START + pd.to_timedelta(np.floor(day), unit="D") + pd.to_timedelta(minutes, unit="min")


def _orders(customers: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Simulate the purchase orders of every customer; return orders, who is alive at the end, the planted lapses."""
    group_idx = customers["group_idx"].to_numpy()
    cust_idx, day, alive = _simulate_purchase_times(
        customers["purchase_rate_per_day"].to_numpy(),
        customers["dropout_prob"].to_numpy(),
        customers["acquisition_day"].to_numpy(),
        customers["first_purchase_dropout"].to_numpy(),
        seasonal_intensity()[group_idx],
        rng,
    )
    lapse = _choose_lapses(customers, cust_idx, day, rng)
    keep = ~(lapse[cust_idx] & (day >= _lapse_start_day()))
    cust_idx, day = cust_idx[keep], day[keep]
    alive = alive & ~lapse
    shape = customers["order_shape"].to_numpy()[cust_idx]
    value = rng.gamma(shape, customers["mean_order_value"].to_numpy()[cust_idx] / shape)
    preferred = customers["preferred_channel"].to_numpy()[cust_idx]
    other = rng.choice(CHANNELS, size=len(cust_idx))
    orders = pd.DataFrame(
        {
            "customer_idx": cust_idx,
            "timestamp": _order_times(day, group_idx[cust_idx], rng),
            "target_value": value,
            "channel": np.where(rng.random(len(cust_idx)) < 0.8, preferred, other),
        }
    )
    return orders, alive, lapse
