"""The words the data reports show, written from numbers: reading decisions, cleaning rules, the
profile's headline and findings.

Functions here compute nothing; they turn what the reader decided and what the profile counted
(:class:`segkit.data.profiling.QualityFacts`) into Markdown, so that report prose lives in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segkit.data.clean import FLAGS, RULES
from segkit.present import money_text

if TYPE_CHECKING:
    import pandas as pd

    from segkit.data.profiling import QualityFacts


def describe_rules() -> str:
    """The cleaning rules, in the order they are applied, and the flags, as a Markdown list.

    Examples
    --------
    >>> print(describe_rules().splitlines()[0])
    1. **missing customer**: no customer id (guest checkout): cannot be attributed to a customer
    """
    rules = [f"{i}. **{rule.replace('_', ' ')}**: {text}" for i, (rule, text) in enumerate(RULES.items(), start=1)]
    flags = [f"- **{flag.replace('_', ' ')}** ({text})" for flag, text in FLAGS.items()]
    return "\n".join([*rules, "", "Listed but kept:", "", *flags])


def describe_reading(decisions: pd.DataFrame) -> str:
    """The reading decisions as a Markdown list, one line each: what was decided about what, and why.

    Examples
    --------
    >>> from segkit.data.decisions import Decision, decisions_table
    >>> table = decisions_table([Decision("file", "encoding", "gb18030", "the header reads as known names"),
    ...                          Decision("file", "delimiter", "';'", "", given=True)])
    >>> print(describe_reading(table))
    - **encoding** of the file: `gb18030` (decided: the header reads as known names)
    - **delimiter** of the file: `';'` (as given)
    """
    lines = []
    for row in decisions.itertuples(index=False):
        how = "as given" if row.given else f"decided: {row.evidence}"
        lines.append(f"- **{row.aspect}** of the {row.subject}: `{row.value}` ({how})")
    return "\n".join(lines)


def headline(facts: QualityFacts) -> str:
    """How many customers and lines are usable, over which months, and how concentrated revenue is."""
    return (
        f"**{facts.customers_kept:,} customers and {facts.rows_kept / facts.rows_in:.0%} of order lines are usable** "
        f"({facts.first_date:%b %Y} to {facts.last_date:%b %Y}); the top {facts.top_customers_pct:.0f}% of "
        f"customers bring {facts.top_revenue_pct:.0f}% of net revenue."
    )


def findings(facts: QualityFacts) -> list[str]:
    """Plain-language points the analyst should fix or watch before segmenting, one sentence per number."""
    points = []
    if facts.missing_customer_rows:
        points.append(
            f"{facts.missing_customer_rows / facts.rows_in:.1%} of lines "
            f"({facts.missing_customer_revenue / max(facts.gross_sales, 1):.1%} of gross sales) have no customer id: "
            "segments describe identified customers only. Ask whether guest checkouts can be linked by e-mail."
        )
    if facts.duplicate_rows:
        points.append(
            f"{facts.duplicate_rows:,} exact duplicate lines were removed; check the export job, "
            "since duplicates inflate frequency and revenue."
        )
    if facts.outlier_rows:
        points.append(
            f"{facts.outlier_rows} extreme line(s) worth {money_text(facts.outlier_revenue)} "
            "were excluded as keying errors; confirm with the order system before trusting revenue totals."
        )
    if facts.returned and facts.gross_sales > 0:
        points.append(
            f"Returns and cancellations are {facts.returned / facts.gross_sales:.1%} of gross sales; "
            f"{facts.unmatched_return_rows} return lines had no matching purchase "
            "(bought before the data starts) and were excluded."
        )
    points.append(
        f"{facts.one_off_share:.0%} of customers ordered once: frequency scores will be heavily tied, "
        "and buy-till-you-die models will rest on the repeat buyers."
        if facts.one_off_share >= 0.5 else f"{facts.one_off_share:.0%} of customers ordered once; the others are repeat buyers."
    )
    if facts.test_account_customers:
        points.append(
            f"{facts.test_account_customers} test or internal account(s) were removed; "
            "add any others to the test_accounts option."
        )
    points.append(
        f"Kept {facts.rows_kept / facts.rows_in:.1%} of lines and "
        f"{facts.customers_kept:,} of {facts.customers_in:,} customers; every excluded row is in the log."
    )
    return points
