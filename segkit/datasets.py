"""Every generator of example or synthetic data, with known ground truth.

- :func:`generate_transactions` / :func:`write_default_data`: the default shop (below).
- :func:`example_customers`: a ready-made customer table for RFM examples, tests and benchmarks.
- The model simulators stay beside the model they simulate and are re-exported here:
  :func:`simulate_bgnbd` and :func:`simulate_transactions` (BG/NBD, :mod:`segkit.clv.simulate`),
  :func:`simulate_campaign` (a randomised campaign, :mod:`segkit.campaign.simulate`).

The default shop is a deterministic generator of realistic, messy retail transactions.

Customers come from planted behavioural groups. Purchase timing follows the BG/NBD
buy-till-you-die process (Fader, Hardie & Lee 2005): while active, a customer buys at a
Poisson rate ``lambda`` drawn from a group-specific gamma distribution; after every repeat
purchase the customer drops out with probability ``p`` drawn from a group-specific beta
distribution. Order values follow the Gamma-Gamma spend model: each customer has a mean
order value, and single orders scatter around it.

The raw export is as messy as a real one: cancelled invoices and returns (negative
quantities), guest orders with no customer id, exact duplicate lines, a few extreme
quantities, zero and negative prices, and internal test accounts. Its columns follow the
UCI "Online Retail II" layout (``Invoice``, ``StockCode``, ``Quantity``, ``InvoiceDate``,
``Price``, ``Customer ID``, ``Country``) plus ``Channel``, ``Category`` and ``Discount``.

Run ``python -m segkit.datasets`` to rewrite the default data set under ``data/raw/``.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from pathlib import Path

from segkit.campaign.simulate import simulate_campaign
from segkit.clv.simulate import simulate_bgnbd, simulate_transactions
from segkit.paths import DEFAULT_GROUND_TRUTH, DEFAULT_TRANSACTIONS, RAW_DIR

__all__ = [
    "example_customers",
    "generate_transactions",
    "group_parameters",
    "simulate_bgnbd",
    "simulate_campaign",
    "simulate_transactions",
    "write_default_data",
]


@dataclass(frozen=True)
class Group:
    """One planted behavioural group and the parameters of its generating process.

    Purchase rates are per day: ``lambda ~ Gamma(shape=r, rate=alpha)``; dropout
    probabilities ``p ~ Beta(a, b)``; the mean order value ``m`` of a customer is
    ``Gamma(shape=q, scale=mean_order_value / q)`` and a single order is
    ``Gamma(shape=order_shape, scale=m / order_shape)``.
    """

    name: str
    share: float
    r: float
    alpha: float
    a: float
    b: float
    mean_order_value: float
    q: float
    order_shape: float
    discount_mean: float
    acquisition_window: tuple[float, float]  # fraction of the period in which customers first buy
    channel_probs: tuple[float, float, float]  # web, store, app


GROUPS: tuple[Group, ...] = (
    Group("loyal high spenders", 0.12, 3.0, 60.0, 1.0, 30.0, 160.0, 6.0, 6.0, 0.03, (0.0, 0.6), (0.5, 0.3, 0.2)),
    Group("steady mid-value", 0.23, 2.0, 90.0, 1.0, 12.0, 65.0, 5.0, 5.0, 0.05, (0.0, 0.9), (0.6, 0.3, 0.1)),
    Group("bargain hunters", 0.22, 2.0, 60.0, 1.0, 9.0, 28.0, 4.0, 4.0, 0.25, (0.0, 0.9), (0.7, 0.1, 0.2)),
    Group("lapsed regulars", 0.15, 3.0, 75.0, 3.0, 7.0, 70.0, 5.0, 5.0, 0.06, (0.0, 0.35), (0.4, 0.5, 0.1)),
    Group("one-off buyers", 0.28, 2.0, 2000.0, 4.0, 3.0, 45.0, 3.0, 4.0, 0.08, (0.0, 1.0), (0.6, 0.2, 0.2)),
)

CHANNELS: tuple[str, ...] = ("web", "store", "app")
CATEGORIES: tuple[str, ...] = ("home", "kitchen", "garden", "gifts", "stationery", "toys")
COUNTRIES: tuple[str, ...] = ("United Kingdom", "Germany", "France", "Netherlands", "Ireland", "Spain")
COUNTRY_PROBS: tuple[float, ...] = (0.78, 0.07, 0.06, 0.04, 0.03, 0.02)
TEST_ACCOUNTS: tuple[str, ...] = ("TEST0001", "TEST0002", "INTERNAL-QA")

START: pd.Timestamp = pd.Timestamp("2024-01-01")
N_DAYS: int = 731  # two years, 2024-01-01 to 2025-12-31
N_PRODUCTS: int = 400
MEAN_LINES_PER_ORDER: float = 2.9

#: Shares of the messiness planted in the raw export, documented so that tests can check the cleaning.
MESS = {
    "return_line_share": 0.03,  # purchase lines partly or fully returned later
    "cancelled_order_share": 0.015,  # orders cancelled in full the same day
    "unmatched_return_lines": 60,  # returns of goods bought before the data starts
    "guest_order_share": 0.06,  # extra orders with no customer id
    "duplicate_line_share": 0.005,  # exact duplicate lines
    "zero_price_line_share": 0.003,  # free samples with a zero price
    "negative_price_lines": 3,  # bad-debt adjustments with a negative price
    "extreme_quantity_lines": 4,  # keying errors with huge quantities
    "test_account_orders": 40,  # orders by internal test accounts
}


def _simulate_purchase_times(
    rate: np.ndarray, dropout: np.ndarray, first: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate BG/NBD purchase times (in days) for all customers at once.

    Loops over the purchase number, not over customers: each pass draws the next
    inter-purchase gap for every customer still active and inside the period.
    Returns (customer index, purchase time, alive at the end of the period).
    """
    n = len(rate)
    customer_idx = [np.arange(n)]
    times = [first]
    current = first.copy()
    active = np.ones(n, dtype=bool)
    dropped = np.zeros(n, dtype=bool)
    while active.any():
        active_idx = np.flatnonzero(active)
        current[active_idx] += rng.exponential(1.0 / rate[active_idx])
        in_period = current[active_idx] < N_DAYS
        bought = active_idx[in_period]
        customer_idx.append(bought)
        times.append(current[bought])
        drops = bought[rng.random(len(bought)) < dropout[bought]]
        dropped[drops] = True
        active[active_idx[~in_period]] = False
        active[drops] = False
    purchases_idx = np.concatenate(customer_idx)
    alive = ~dropped
    return purchases_idx, np.concatenate(times), alive


def _draw_customers(n_customers: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw each customer's group and process parameters (the ground truth)."""
    shares = np.array([g.share for g in GROUPS])
    group_idx = rng.choice(len(GROUPS), size=n_customers, p=shares / shares.sum())
    params = pd.DataFrame([asdict(g) for g in GROUPS]).iloc[group_idx].reset_index(drop=True)
    window = np.array(params["acquisition_window"].tolist())
    first = (window[:, 0] + (window[:, 1] - window[:, 0]) * rng.random(n_customers)) * N_DAYS
    ids = rng.choice(np.arange(12000, 12000 + 4 * n_customers), size=n_customers, replace=False)
    return pd.DataFrame(
        {
            "customer_id": ids.astype(str),
            "group": params["name"],
            "acquisition_day": first,
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
    return (rng.random((len(probs), 1)) > np.cumsum(probs, axis=1)).sum(axis=1)


def _catalogue(rng: np.random.Generator) -> pd.DataFrame:
    """A product catalogue: stock code, category and list price (log-normal)."""
    return pd.DataFrame(
        {
            "product_id": [f"P{code:05d}" for code in rng.choice(90000, size=N_PRODUCTS, replace=False) + 10000],
            "category": rng.choice(CATEGORIES, size=N_PRODUCTS),
            "list_price": np.round(np.exp(rng.normal(1.6, 0.8, size=N_PRODUCTS)), 2).clip(0.29, 250),
        }
    )


def _orders(customers: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Simulate the purchase orders of every customer; return orders and who is alive at the end."""
    cust_idx, day, alive = _simulate_purchase_times(
        customers["purchase_rate_per_day"].to_numpy(),
        customers["dropout_prob"].to_numpy(),
        customers["acquisition_day"].to_numpy(),
        rng,
    )
    shape = customers["order_shape"].to_numpy()[cust_idx]
    value = rng.gamma(shape, customers["mean_order_value"].to_numpy()[cust_idx] / shape)
    preferred = customers["preferred_channel"].to_numpy()[cust_idx]
    other = rng.choice(CHANNELS, size=len(cust_idx))
    orders = pd.DataFrame(
        {
            "customer_idx": cust_idx,
            "timestamp": START
            + pd.to_timedelta(np.floor(day), unit="D")
            + pd.to_timedelta(rng.integers(8 * 60, 20 * 60, size=len(cust_idx)), unit="min"),
            "target_value": value,
            "channel": np.where(rng.random(len(cust_idx)) < 0.8, preferred, other),
        }
    )
    return orders, alive


def _order_lines(
    orders: pd.DataFrame, customers: pd.DataFrame, catalogue: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Split each order into lines whose revenue adds up to about the order's target value."""
    n_lines = 1 + rng.poisson(MEAN_LINES_PER_ORDER - 1, size=len(orders))
    order_of_line = np.repeat(np.arange(len(orders)), n_lines)
    weights = rng.gamma(1.0, size=len(order_of_line))
    weights /= np.bincount(order_of_line, weights)[order_of_line]
    product = rng.integers(0, N_PRODUCTS, size=len(order_of_line))
    cust = orders["customer_idx"].to_numpy()[order_of_line]
    discount_mean = customers["discount_mean"].to_numpy()[cust]
    discount = np.where(rng.random(len(cust)) < 0.5, np.round(rng.beta(2, 2 / discount_mean.clip(0.01) - 2), 2), 0.0)
    list_price = catalogue["list_price"].to_numpy()[product]
    price = np.round(list_price * (1 - discount), 2).clip(0.01)
    target = orders["target_value"].to_numpy()[order_of_line] * weights
    quantity = np.maximum(1, np.round(target / price)).astype(int)
    return pd.DataFrame(
        {
            "order_idx": order_of_line,
            "customer_idx": cust,
            "timestamp": orders["timestamp"].to_numpy()[order_of_line],
            "channel": orders["channel"].to_numpy()[order_of_line],
            "product_idx": product,
            "quantity": quantity,
            "price": price,
            "discount": discount,
        }
    )


def _export(lines: pd.DataFrame, customers: pd.DataFrame, catalogue: pd.DataFrame, invoice: np.ndarray) -> pd.DataFrame:
    """Lay lines out in the UCI Online Retail II export format (plus channel, category, discount)."""
    has_customer = lines["customer_idx"].to_numpy() >= 0
    cust = lines["customer_idx"].to_numpy().clip(0)
    customer_id = np.where(has_customer, customers["customer_id"].to_numpy()[cust], "")
    customer_id = np.where(lines["test_account"].to_numpy() != "", lines["test_account"].to_numpy(), customer_id)
    country = np.where(has_customer, customers["country"].to_numpy()[cust], "United Kingdom")
    return pd.DataFrame(
        {
            "Invoice": invoice,
            "StockCode": catalogue["product_id"].to_numpy()[lines["product_idx"].to_numpy()],
            "Quantity": lines["quantity"].to_numpy(),
            "InvoiceDate": pd.to_datetime(lines["timestamp"].to_numpy()).strftime("%Y-%m-%d %H:%M"),
            "Price": lines["price"].to_numpy(),
            "Customer ID": customer_id,
            "Country": country,
            "Channel": lines["channel"].to_numpy(),
            "Category": catalogue["category"].to_numpy()[lines["product_idx"].to_numpy()],
            "Discount": lines["discount"].to_numpy(),
        }
    )


def _guest_and_test_orders(
    n_orders: int, n_guest: int, n_test: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Orders with no customer id (guests) and by internal test accounts, as order rows."""
    n = n_guest + n_test
    return pd.DataFrame(
        {
            "customer_idx": np.full(n, -1),
            "timestamp": START
            + pd.to_timedelta(rng.integers(0, N_DAYS, size=n), unit="D")
            + pd.to_timedelta(rng.integers(8 * 60, 20 * 60, size=n), unit="min"),
            "target_value": rng.gamma(3.0, 15.0, size=n),
            "channel": rng.choice(CHANNELS, size=n),
            "test_account": np.concatenate([np.full(n_guest, ""), rng.choice(TEST_ACCOUNTS, size=n_test)]),
        },
        index=np.arange(n_orders, n_orders + n),
    )


def _returns(lines: pd.DataFrame, rng: np.random.Generator, *, n_orders: int) -> pd.DataFrame:
    """Return lines (negative quantity, later date) and same-day cancellations of whole orders."""
    customer_lines = lines[(lines["customer_idx"] >= 0) & (lines["test_account"] == "")]
    returned = customer_lines[rng.random(len(customer_lines)) < MESS["return_line_share"]].copy()
    returned["quantity"] = -np.ceil(returned["quantity"] * rng.uniform(0.2, 1.0, size=len(returned))).astype(int)
    returned["timestamp"] = returned["timestamp"] + pd.to_timedelta(rng.integers(1, 30, size=len(returned)), unit="D")
    returned = returned[returned["timestamp"] < START + pd.Timedelta(days=N_DAYS)]
    # each return is an invoice of its own, numbered after all purchase orders
    returned["order_idx"] = n_orders + np.arange(len(returned))
    order_ids = customer_lines["order_idx"].unique()
    cancelled_orders = rng.choice(order_ids, size=int(MESS["cancelled_order_share"] * len(order_ids)), replace=False)
    cancelled = customer_lines[customer_lines["order_idx"].isin(cancelled_orders)].copy()
    cancelled["quantity"] = -cancelled["quantity"]
    cancelled["timestamp"] = cancelled["timestamp"] + pd.Timedelta(minutes=30)
    # a cancellation reuses the order number with a "C" prefix, as in the UCI export
    unmatched = customer_lines.sample(MESS["unmatched_return_lines"], random_state=rng.integers(2**31)).copy()
    unmatched["product_idx"] = (unmatched["product_idx"] + 1 + rng.integers(0, N_PRODUCTS - 1, size=len(unmatched))) % N_PRODUCTS
    unmatched["quantity"] = -rng.integers(1, 4, size=len(unmatched))
    unmatched["order_idx"] = n_orders + len(returned) + np.arange(len(unmatched))
    return pd.concat([returned, cancelled, unmatched])


def generate_transactions(
    *, n_customers: int = 5000, seed: int = 2024
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a messy raw transaction export and the ground truth behind it.

    Parameters
    ----------
    n_customers : int, default 5000
        Number of real customers (test accounts and guests come on top).
    seed : int, default 2024
        Seed of the random generator; the same seed gives byte-identical output.

    Returns
    -------
    raw : DataFrame
        Order lines in the UCI Online Retail II layout plus ``Channel``, ``Category``, ``Discount``.
    truth : DataFrame
        One row per customer: ``customer_id``, ``group``, ``acquisition_date``,
        ``purchase_rate_per_day``, ``dropout_prob``, ``mean_order_value``, ``alive_at_end``,
        ``n_orders_true`` and ``country``, ``preferred_channel``.

    Examples
    --------
    >>> raw, truth = generate_transactions(n_customers=50, seed=1)
    >>> sorted(truth["group"].unique())[:2]
    ['bargain hunters', 'lapsed regulars']
    >>> {"Invoice", "StockCode", "Customer ID"} <= set(raw.columns)
    True
    """
    if n_customers < 1:
        raise ValueError(f"n_customers must be at least 1, got {n_customers}")
    rng = np.random.default_rng(seed)
    customers = _draw_customers(n_customers, rng)
    catalogue = _catalogue(rng)
    orders, alive = _orders(customers, rng)
    orders["test_account"] = ""
    n_guest = int(MESS["guest_order_share"] * len(orders))
    orders = pd.concat([orders, _guest_and_test_orders(len(orders), n_guest, MESS["test_account_orders"], rng)])
    orders = orders.sort_values("timestamp", kind="stable")
    orders["order_number"] = np.arange(len(orders))
    lines = _order_lines(orders.reset_index(drop=True), customers, catalogue, rng)
    lines["test_account"] = orders["test_account"].to_numpy()[lines["order_idx"].to_numpy()]
    lines["customer_idx"] = orders["customer_idx"].to_numpy()[lines["order_idx"].to_numpy()]
    invoice_base = 500000
    returns = _returns(lines, rng, n_orders=len(orders))
    lines = _plant_price_and_quantity_errors(lines, rng)
    all_lines = pd.concat([lines, returns]).sort_values(["timestamp", "order_idx"], kind="stable")
    invoice = np.char.add(
        np.where(all_lines["quantity"].to_numpy() < 0, "C", ""),
        (invoice_base + all_lines["order_idx"].to_numpy()).astype(str),
    )
    raw = _export(all_lines, customers, catalogue, invoice)
    raw = _plant_duplicates(raw, rng)
    truth = _truth(customers, orders, alive)
    return raw, truth


def _plant_price_and_quantity_errors(lines: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Zero prices (free samples), negative prices (bad-debt adjustments) and huge keyed quantities."""
    lines = lines.copy()
    n = len(lines)
    zero = rng.random(n) < MESS["zero_price_line_share"]
    lines.loc[zero, "price"] = 0.0
    negative = rng.choice(n, size=MESS["negative_price_lines"], replace=False)
    lines.iloc[negative, lines.columns.get_loc("price")] = -np.round(rng.uniform(500, 5000, size=len(negative)), 2)
    lines.iloc[negative, lines.columns.get_loc("quantity")] = 1
    extreme = rng.choice(n, size=MESS["extreme_quantity_lines"], replace=False)
    lines.iloc[extreme, lines.columns.get_loc("quantity")] = rng.integers(5000, 80000, size=len(extreme))
    return lines


def _plant_duplicates(raw: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Repeat a few lines exactly, as a double-submitted export would."""
    duplicated = raw[rng.random(len(raw)) < MESS["duplicate_line_share"]]
    return pd.concat([raw, duplicated]).sort_index(kind="stable").reset_index(drop=True)


def _truth(customers: pd.DataFrame, orders: pd.DataFrame, alive: np.ndarray) -> pd.DataFrame:
    """The per-customer ground truth written beside the data."""
    real = orders[orders["customer_idx"] >= 0]
    n_orders = np.bincount(real["customer_idx"], minlength=len(customers))
    truth = customers.drop(columns=["order_shape", "discount_mean"]).copy()
    truth["acquisition_date"] = (START + pd.to_timedelta(np.floor(truth.pop("acquisition_day")), unit="D")).dt.date
    truth["alive_at_end"] = alive
    truth["n_orders_true"] = n_orders
    truth["mean_order_value"] = truth["mean_order_value"].round(4)
    truth["purchase_rate_per_day"] = truth["purchase_rate_per_day"].round(6)
    truth["dropout_prob"] = truth["dropout_prob"].round(6)
    return truth.sort_values("customer_id").reset_index(drop=True)


def group_parameters() -> pd.DataFrame:
    """The planted groups' generating parameters as a table (one row per group).

    Examples
    --------
    >>> float(group_parameters().loc["one-off buyers", "r"])
    2.0
    """
    table = pd.DataFrame([asdict(g) for g in GROUPS]).set_index("name")
    table["mean_rate_per_day"] = table["r"] / table["alpha"]
    table["mean_dropout_prob"] = table["a"] / (table["a"] + table["b"])
    return table


def write_default_data(*, n_customers: int = 5000, seed: int = 2024, target: Path = RAW_DIR) -> dict[str, int]:
    """Write the default data set (raw export, ground truth, group parameters) to ``target``."""
    raw, truth = generate_transactions(n_customers=n_customers, seed=seed)
    target.mkdir(parents=True, exist_ok=True)
    # mtime=0 in the gzip header keeps the file byte-identical between runs
    with gzip.GzipFile(target / DEFAULT_TRANSACTIONS.name, "wb", mtime=0) as handle:
        handle.write(raw.to_csv(index=False).encode("utf-8"))
    truth.to_csv(target / DEFAULT_GROUND_TRUTH.name, index=False)
    params = group_parameters().drop(columns=["acquisition_window", "channel_probs"])
    (target / "generator_params.json").write_text(
        json.dumps({"seed": seed, "n_customers": n_customers, "start": str(START.date()), "n_days": N_DAYS,
                    "mess": MESS, "groups": params.round(6).to_dict(orient="index")}, indent=2) + "\n"
    )
    return {"lines": len(raw), "customers": n_customers}


def example_customers(n_customers: int = 1000, *, seed: int = 0, horizon_days: int = 730) -> pd.DataFrame:
    """A synthetic customer table with the columns of ``segkit.data.customer_table`` used by RFM.

    Heavy ties as in real shops (about half the customers have one order), skewed
    revenue, a mix of active and lapsed customers. For examples, tests and benchmarks.

    Examples
    --------
    >>> c = example_customers(100, seed=0)
    >>> c.index.name, int((c["n_orders"] == 1).mean() > 0.3)
    ('customer_id', 1)
    """
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, horizon_days + 1, n_customers)
    rate = rng.gamma(0.5, 1 / 50, n_customers)  # orders per day while active
    active_share = rng.beta(1.2, 1.0, n_customers)
    active_days = np.maximum(tenure * active_share, 1)
    n_orders = 1 + rng.poisson(rate * active_days)
    span = np.where(n_orders > 1, np.floor(active_days * rng.beta(5, 1, n_customers)), 0).astype(np.int64)
    span = np.minimum(span, tenure)
    days_since = tenure - span
    aov = rng.lognormal(np.log(45), 0.7, n_customers)
    revenue = np.round(n_orders * aov * rng.lognormal(0, 0.2, n_customers), 2)
    snapshot = pd.Timestamp("2025-01-01")
    table = pd.DataFrame(
        {
            "first_purchase": snapshot - pd.to_timedelta(tenure, unit="D"),
            "last_purchase": snapshot - pd.to_timedelta(days_since, unit="D"),
            "days_since_last_purchase": days_since,
            "n_orders": n_orders,
            "revenue": revenue,
            "avg_order_value": np.round(revenue / n_orders, 2),
            "tenure_days": tenure,
        },
        index=pd.Index([f"C{i:07d}" for i in range(n_customers)], name="customer_id"),
    )
    return table


if __name__ == "__main__":
    print(write_default_data())
