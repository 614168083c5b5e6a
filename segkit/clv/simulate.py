"""Simulate customers from the BG/NBD and Gamma-Gamma models, for tests and teaching.

Vectorised and seeded: no loop over customers or purchases. The BG/NBD draw uses two facts:
a customer who drops out after the J-th repeat purchase (J ~ Geometric(p)) makes
x = min(J, N) repeat purchases by T, where N ~ Poisson(λ·T) counts the purchases the
customer *would* make if alive throughout; and given N = n, the purchase times are n sorted
uniform points on (0, T], so the x-th of them is T·Beta(x, n - x + 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.errors import DataError

__all__ = ["simulate_bgnbd", "simulate_gamma_gamma", "simulate_transactions"]


def _positive(**params: float) -> None:
    bad = {k: v for k, v in params.items() if not (np.isfinite(v) and v > 0)}
    if bad:
        raise DataError(f"Model parameters must be positive and finite; got {bad}.")


def simulate_bgnbd(
    n_customers: int,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray = 365.0,
    holdout: float = 0.0,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw customers' purchase histories from the BG/NBD model.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    r, alpha, a, b : float
        BG/NBD parameters: λ ~ Gamma(shape r, rate alpha), p ~ Beta(a, b).
    T : float or array of length n_customers, default 365
        Age of each customer at the end of the calibration period (time units).
    holdout : float, default 0
        Length of a holdout period after T; when > 0 the result has ``frequency_holdout``.
    random_state : int or Generator, optional
        Seed.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T``, the latent ``purchase_rate`` (λ), ``dropout_prob``
        (p), ``alive`` (not dropped out at T) and, with a holdout, ``frequency_holdout``.

    Examples
    --------
    >>> sim = simulate_bgnbd(5, r=1.0, alpha=10.0, a=1.0, b=4.0, T=100.0, random_state=0)
    >>> list(sim.columns)
    ['frequency', 'recency', 'T', 'purchase_rate', 'dropout_prob', 'alive']
    >>> bool((sim["recency"] <= sim["T"]).all())
    True
    """
    _positive(r=r, alpha=alpha, a=a, b=b)
    if n_customers < 1:
        raise DataError(f"n_customers must be at least 1, got {n_customers}.")
    age = np.broadcast_to(np.asarray(T, dtype=float), (n_customers,)).copy()
    if np.any(age < 0) or not np.all(np.isfinite(age)):
        raise DataError("T must be finite and non-negative.")
    rng = np.random.default_rng(random_state)
    rate = rng.gamma(r, 1.0 / alpha, size=n_customers)
    p = rng.beta(a, b, size=n_customers)
    last_purchase = rng.geometric(np.clip(p, 1e-300, 1.0))  # repeat purchase after which they drop out
    potential = rng.poisson(rate * age)  # purchases by T if they never dropped out
    x = np.minimum(last_purchase, potential)
    order_stat = rng.beta(np.maximum(x, 1), np.maximum(potential - x + 1, 1))
    recency = np.where(x > 0, age * order_stat, 0.0)
    alive = last_purchase > potential
    out = pd.DataFrame({"frequency": x, "recency": recency, "T": age, "purchase_rate": rate,
                        "dropout_prob": p, "alive": alive})
    if holdout > 0:
        future = rng.poisson(rate * holdout)
        out["frequency_holdout"] = np.where(alive, np.minimum(last_purchase - potential, future), 0)
    return out


def simulate_gamma_gamma(
    frequency: np.ndarray | pd.Series,
    *,
    p: float,
    q: float,
    v: float,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw each customer's mean spend over ``frequency`` purchases from the Gamma-Gamma model.

    ν ~ Gamma(shape q, rate v) per customer; each purchase is Gamma(shape p, rate ν), so the
    mean of x purchases is Gamma(shape p·x, rate ν·x).

    Returns
    -------
    DataFrame
        ``monetary_value`` (0 when frequency is 0) and ``mean_spend`` (the latent p/ν),
        indexed like ``frequency`` when it is a Series.

    Examples
    --------
    >>> sim = simulate_gamma_gamma([0, 3], p=6.0, q=4.0, v=15.0, random_state=0)
    >>> sim["monetary_value"].iloc[0], bool(sim["monetary_value"].iloc[1] > 0)
    (np.float64(0.0), True)
    """
    _positive(p=p, q=q, v=v)
    x = np.asarray(frequency, dtype=float)
    if np.any(x < 0) or not np.all(np.isfinite(x)):
        raise DataError("frequency must be finite and non-negative.")
    rng = np.random.default_rng(random_state)
    nu = rng.gamma(q, 1.0 / v, size=x.size)
    total = rng.gamma(np.maximum(p * x, 1e-12), 1.0 / nu)
    spend = np.where(x > 0, total / np.maximum(x, 1), 0.0)
    index = frequency.index if isinstance(frequency, pd.Series) else None
    return pd.DataFrame({"monetary_value": spend, "mean_spend": p / nu}, index=index)


def simulate_transactions(
    n_customers: int,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    p: float = 6.0,
    q: float = 4.0,
    v: float = 15.0,
    start: str = "2024-01-01",
    days: int = 730,
    acquisition_days: int | None = None,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw a transaction log (one line per purchase) from BG/NBD purchases and Gamma-Gamma spend.

    Each customer's first purchase falls on a uniform day of the first ``acquisition_days``
    (default: all ``days``); while alive, purchases follow a Poisson process at rate λ ~
    Gamma(r, alpha) per day, and after each repeat purchase the customer drops out with
    probability p ~ Beta(a, b). Every purchase is worth Gamma(p, ν) with ν ~ Gamma(q, v) per
    customer. Times are cut to whole days, so two purchases can share a day (one purchase day
    for the buy-till-you-die tables). Vectorised: no loop over customers.

    Returns
    -------
    DataFrame with ``customer_id`` (strings), ``order_id``, ``order_date``, ``quantity`` (1) and
    ``amount``, sorted by date: the columns of :func:`segkit.data.clean_transactions` output
    (with ``is_return`` False), so it can go straight into the customer table.

    Examples
    --------
    >>> log = simulate_transactions(50, r=0.5, alpha=20.0, a=0.8, b=3.0, days=365, random_state=0)
    >>> log.columns.tolist()
    ['customer_id', 'order_id', 'order_date', 'quantity', 'amount', 'is_return']
    >>> int(log["customer_id"].nunique())
    50
    """
    _positive(r=r, alpha=alpha, a=a, b=b, p=p, q=q, v=v)
    if n_customers < 1 or days < 1:
        raise DataError(f"n_customers and days must be at least 1, got {n_customers} and {days}.")
    rng = np.random.default_rng(random_state)
    window = days if acquisition_days is None else min(int(acquisition_days), days)
    first = rng.integers(0, window, n_customers).astype(float) + rng.uniform(size=n_customers)
    rate = rng.gamma(r, 1.0 / alpha, n_customers)
    dropout = rng.beta(a, b, n_customers)
    potential = rng.poisson(rate * (days - first))  # repeat purchases if the customer never dropped out
    kept = np.minimum(potential, rng.geometric(np.clip(dropout, 1e-300, 1.0)))  # drops out after the J-th repeat
    owner = np.repeat(np.arange(n_customers), potential)
    times = first[owner] + rng.uniform(size=owner.size) * (days - first)[owner]
    order = np.lexsort((times, owner))
    owner, times = owner[order], times[order]
    rank = np.arange(owner.size) - np.repeat(np.cumsum(potential) - potential, potential)
    keep = rank < kept[owner]
    owner = np.concatenate([np.arange(n_customers), owner[keep]])
    times = np.concatenate([first, times[keep]])
    nu = rng.gamma(q, 1.0 / v, n_customers)
    amount = rng.gamma(p, 1.0 / nu[owner])
    out = pd.DataFrame({
        "customer_id": np.char.add("C", np.char.zfill(owner.astype(str), 6)).astype(object),
        "order_id": np.arange(owner.size).astype(str),
        "order_date": pd.Timestamp(start) + pd.to_timedelta(np.floor(times), unit="D"),
        "quantity": 1,
        "amount": amount.round(2).clip(0.01),
        "is_return": False,
    }).sort_values(["order_date", "customer_id"], kind="stable", ignore_index=True)
    out["order_id"] = np.arange(len(out)).astype(str)
    return out
