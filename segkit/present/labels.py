"""Human column labels: one dictionary for every report table, and a fallback for the rest.

``break_even_response_rate`` becomes "Break-even response rate". A name not in :data:`LABELS`
has its underscores replaced and its first letter capitalised, with a few abbreviations spelled
out (``pct`` → "%", a leading ``n_`` → "number of"). Exports keep the machine names; only what a
person reads is relabelled.
"""

from __future__ import annotations

import re

from segkit.present.values import format_any

#: Column name → the label a report shows. One place for every notebook.
LABELS: dict[str, str] = {
    # customers and RFM
    "customer_id": "Customer",
    "customers": "Customers",
    "customers_pct": "Share of customers",
    "customer_share": "Share of customers",
    "revenue": "Revenue",
    "revenue_pct": "Share of revenue",
    "revenue_share": "Share of revenue",
    "revenue_per_customer": "Revenue per customer",
    "n_orders": "Orders",
    "orders": "Orders",
    "days_since_last_purchase": "Days since last purchase",
    "median_days_since_last_purchase": "Median days since last purchase",
    "median_orders": "Median orders",
    "median_revenue": "Median revenue",
    "avg_order_value": "Average order value",
    "tenure_days": "Customer for (days)",
    "first_purchase": "First purchase",
    "last_purchase": "Last purchase",
    "frequency": "Repeat purchases",
    "recency": "Age at last purchase (days)",
    "T": "Age (days)",
    "monetary_value": "Average repeat order value",
    "segment": "Segment",
    "value_type": "Value type",
    "abc_tier": "ABC tier",
    "lifecycle_stage": "Lifecycle stage",
    "levels_requested": "Levels requested",
    "levels_used": "Levels used",
    "scores_used": "Scores used",
    "most_common_value": "Most common value",
    "most_common_share": "Share at the most common value",
    # data profiling
    "pct_of_gross_sales": "Share of gross sales",
    "missing_pct": "Share missing",
    "unit_price": "Unit price",
    "order_id": "Order",
    "product_id": "Product",
    "order_date": "Order date",
    "robust_z": "Robust z-score",
    "customers_lost": "Customers lost",
    "top_customers_pct": "Top customers (share of customers)",
    "top_revenue_pct": "Their share of revenue",
    "gini": "Gini coefficient (0 = equal, 1 = one customer has all)",
    # CLV
    "p_alive": "P(alive)",
    "mean_p_alive": "Mean P(alive)",
    "clv": "CLV",
    "mean_clv": "Mean CLV",
    "total_clv": "Total CLV",
    "historical_clv": "Historical CLV",
    "clv_share": "Share of CLV",
    "past_revenue": "Past revenue",
    "predicted_purchases": "Predicted purchases",
    "expected_spend": "Expected spend per purchase",
    "mean_purchases": "Mean predicted purchases",
    "mean_spend": "Mean spend per purchase",
    "value_share": "Share of value",
    "mean_value": "Mean value",
    "orders_per_year": "Orders per year",
    "annual_value": "Annual value",
    "lifetime_years": "Expected lifetime (years)",
    "frequency_cal": "Repeat purchases (calibration)",
    "standard_error": "Standard error",
    "lower_95": "95% lower",
    "upper_95": "95% upper",
    "log_likelihood": "Log-likelihood",
    "n_params": "Parameters",
    "aic": "AIC",
    "delta_aic": "AIC above the best",
    "mae": "Mean absolute error",
    "rmse": "Root mean squared error",
    "total_error_pct": "Error in the total",
    # personas
    "median_gap_days": "Purchase cycle (days)",
    "overdue_share": "Share overdue",
    # campaign
    "avg_profit_per_transaction": "Profit per transaction",
    "gross_profit": "Gross profit",
    "marketing_cost": "Marketing cost",
    "net_profit": "Net profit",
    "roi": "ROI",
    "break_even_response_rate": "Break-even response rate",
    "share_of_net_profit": "Share of net profit",
    "n_treatment": "Contacted",
    "n_control": "Control",
    "response_treatment": "Response, contacted",
    "response_control": "Response, control",
    "abs_lift": "Lift",
    "abs_lift_low": "Lift, 95% low",
    "abs_lift_high": "Lift, 95% high",
    "rel_lift": "Relative lift",
    "p_value": "p-value",
    "revenue_control": "Revenue per control customer",
    "revenue_lift": "Revenue lift per customer",
    "revenue_lift_low": "Revenue lift, 95% low",
    "revenue_lift_high": "Revenue lift, 95% high",
    "incremental_profit": "Incremental profit",
    "incremental_profit_low": "Incremental profit, 95% low",
    "incremental_profit_high": "Incremental profit, 95% high",
    "true_incremental_profit": "True incremental profit",
    "incremental_revenue": "Incremental revenue",
    "roi_low": "ROI, 95% low",
    "roi_high": "ROI, 95% high",
    "pays": "Pays?",
    "contact_cost": "Cost per contact",
    "uplift": "Uplift",
    "value_per_response": "Value per extra response",
    "profit_per_contact": "Profit per contact",
    "roi_per_contact": "ROI per contact",
    "share_contacted": "Share contacted",
    "expected_responses": "Expected extra responses",
    "expected_profit": "Expected profit",
    "true_lift": "True lift",
    "true_revenue_lift": "True revenue lift",
}

_WORDS = {"pct": "%", "clv": "CLV", "roi": "ROI", "rfm": "RFM", "aic": "AIC", "id": "ID", "p": "p"}


def label(name: object, labels: dict | None = None) -> str:
    """The label a report shows for a column (or row) name.

    Examples
    --------
    >>> label("break_even_response_rate"), label("n_orders"), label("mean_order_gap_days")
    ('Break-even response rate', 'Orders', 'Mean order gap days')
    >>> label("n_baskets"), label("order lines"), label("orders", {"orders": "Invoices"})
    ('Number of baskets', 'Order lines', 'Invoices')
    """
    if labels and name in labels:
        return str(labels[name])
    if isinstance(name, str) and name in LABELS:
        return LABELS[name]
    if not isinstance(name, str):
        return format_any(name)  # numbers and dates as headers: 73.17, 2025-12-31
    text = name
    if not re.fullmatch(r"[A-Za-z0-9_ ]+", text) or text != text.lower() and "_" not in text:
        # already written for people ("P(alive)", "CLV / customer"): only a capital to start
        return text[:1].upper() + text[1:]
    parts = [w for w in text.split("_") if w] if "_" in text else text.split(" ")
    if parts and parts[0] == "n" and len(parts) > 1:
        parts = ["number", "of", *parts[1:]]
    parts = [_WORDS.get(w, w) for w in parts]
    out = " ".join(parts)
    return out[:1].upper() + out[1:]
