"""The index page: every report present with its headline, run and exports, every failure, the data and parameters."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import yaml

from segkit.report.execute import NotebookResult, notebook_parameters
from segkit.report.folders import Folders
from segkit.report.records import RECORD_KEY, comparable, read_notebook, reserved, when, read_record
from segkit.report.keyfigures import Action, Actions, Figure, key_figures, top_actions
from segkit.report.render import ANALYST_DIR, notebook_headline, notebook_title
from segkit.report.text import (ACTIONS_HEADING, ACTIONS_INTRO, FIGURE_LABELS, INVEST_HEADING, action_sentence,
                                figure_value, no_actions, no_invest, no_protect, protect_heading)

#: The order in which a manager reads the reports, by notebook number: who the customers are and what to do
#: first (personas, RFM, the campaign), then what they are worth and how they move, then the methods behind
#: the segments, and the data's fitness last. Notebooks not listed follow, in analyst order.
READING_ORDER: tuple[str, ...] = ("09", "01", "06", "05", "07", "08", "02", "03", "04", "00")


def reading_position(name: str) -> tuple[int, str]:
    """Where a report stands in :data:`READING_ORDER` (unlisted ones after, by name)."""
    number = name[:2]
    return (READING_ORDER.index(number) if number in READING_ORDER else len(READING_ORDER), name)


def parameter_value(executed, name: str):
    """The value a notebook ran with: the injected parameter, else its parameters cell's default (None if neither)."""
    import papermill

    notebook = read_notebook(executed)
    if notebook is None:
        return None
    injected = notebook.metadata.get("papermill", {}).get("parameters", {})
    if name in injected:
        return injected[name]
    try:
        declared = papermill.inspect_notebook(str(executed))
    except Exception:  # noqa: BLE001 - an executed copy that cannot be inspected gives no value
        return None
    return declared.get(name, {}).get("default")


def collect_summary(folders: Folders) -> tuple[list[Figure], Actions]:
    """The key figures and the top actions (to protect, to invest in) of the executive summary, from the exports."""
    try:
        return _collect_summary(folders)
    except Exception:  # noqa: BLE001 - the index is written all the same, without the summary's figures
        return [], Actions()


def _collect_summary(folders: Folders) -> tuple[list[Figure], Actions]:
    horizon = parameter_value(folders.executed / "05_clv.ipynb", "horizon_days")
    stake_days = parameter_value(folders.executed / "07_segments_over_time.ipynb", "stake_days")
    return key_figures(folders.reports, horizon_days=horizon), top_actions(folders.reports, stake_days=stake_days)


@dataclass
class ReportRow:
    """One report present in ``reports/``, from this run or an earlier one."""

    name: str
    link: str
    title: str
    headline: str
    built: str
    this_run: bool
    note: str = ""
    exports: list[str] = field(default_factory=list)
    analyst_link: str = ""


@dataclass
class FailureRow:
    """One failed notebook: its error, the start of the failing cell and its executed copy."""

    name: str
    error: str
    cell: str
    copy: str | None
    when: str
    this_run: bool


def _differences(name: str, record: dict, params: dict, run: dict, folders: Folders) -> str:
    """How an earlier report's parameters and data differ from this run's, in words."""
    if not record:
        return "parameters and data not recorded"
    notes = []
    notebook = folders.notebooks / f"{name}.ipynb"
    if not notebook.exists():
        notes.append("its notebook no longer exists")
    else:
        try:
            current = comparable(notebook_parameters(notebook, params, output_dir=folders.reports))
        except Exception:  # noqa: BLE001 - a notebook that cannot be inspected is simply not compared
            current = None
        if current is not None and current != record.get("parameters"):
            notes.append("other parameters than this run")
    if record.get("data_sha256") != run.get("data_sha256"):
        notes.append("other data than this run")
    return "; ".join(notes)


def collect_index(results: list[NotebookResult], params: dict, run: dict, folders: Folders) -> tuple[list, list, list[str]]:
    """Every report present in ``reports/``, every failure, and the files no report accounts for."""
    ran = {r.name for r in results}
    succeeded = {r.name for r in results if not r.error}
    executed_dir, failed_dir, reports_dir = folders.executed, folders.failed, folders.reports
    names = sorted({p.stem for p in reports_dir.glob("*.html") if p.name != "index.html"}
                   | {p.stem for p in executed_dir.glob("*.ipynb")})
    reports = []
    for name in names:
        executed, page = executed_dir / f"{name}.ipynb", reports_dir / f"{name}.html"
        notebook = read_notebook(executed)
        record = dict(notebook.metadata.get(RECORD_KEY, {})) if notebook else {}
        this_run = name in succeeded
        reports.append(ReportRow(
            name=name,
            link=page.name if page.exists() else f"notebooks/{executed.name}",
            title=notebook_title(notebook) if notebook else name,
            headline=notebook_headline(notebook) if notebook else "",
            built=when(record.get("built"), executed if notebook else page),
            this_run=this_run,
            note="" if this_run else _differences(name, record, params, run, folders),
            exports=[e for e in record.get("exports", []) if (reports_dir / e).exists()],
            analyst_link=f"{ANALYST_DIR}/{page.name}" if (folders.analyst / page.name).exists() else "",
        ))
    reports.sort(key=lambda row: reading_position(row.name))
    failures = []
    for result in results:
        if result.error:
            copy = failed_dir / f"{result.name}.ipynb"
            failures.append(FailureRow(result.name, result.error, result.cell,
                                       f"failed/{copy.name}" if copy.exists() else None, when(run["started"]), True))
    for copy in sorted(failed_dir.glob("*.ipynb")):
        if copy.stem not in ran:
            record = read_record(copy)
            failures.append(FailureRow(copy.stem, record.get("error", "error not recorded"), record.get("cell", ""),
                                       f"failed/{copy.name}", when(record.get("failed"), copy), False))
    accounted = {e for row in reports for e in row.exports} | {f"{row.name}.html" for row in reports}
    others = sorted(
        rel for rel in (p.relative_to(reports_dir).as_posix() for p in reports_dir.rglob("*") if p.is_file())
        if rel not in accounted and not reserved(rel)
    )
    return reports, failures, others


def _links(files: list[str]) -> str:
    return "<br>".join(f'<a href="{html.escape(f)}">{html.escape(f)}</a>' for f in files)


def _failure_row(failure: FailureRow) -> str:
    cell = f"<p>The cell begins:</p><pre>{html.escape(failure.cell)}</pre>" if failure.cell else ""
    copy = (f'<a href="{html.escape(failure.copy)}">{html.escape(failure.copy)}</a>' if failure.copy
            else "none (the notebook did not start)")
    when = f"{'this run' if failure.this_run else 'earlier run'}, {html.escape(failure.when)}"
    return (f"<tr><td>{html.escape(failure.name)}</td><td><pre>{html.escape(failure.error)}</pre>{cell}</td>"
            f"<td>{copy}</td><td>{when}</td></tr>")


#: The export the executive summary links to, and the report that writes it leads the summary.
SUMMARY_EXPORT: str = "personas.csv"


def _report_link(name: str, reports: list[ReportRow]) -> str:
    """A link to a report by name, with its title, or the bare name when it is not present."""
    for row in reports:
        if row.name == name:
            short = row.title.split(":")[0].strip() or row.title
            return f'<a href="{html.escape(row.link)}" title="{html.escape(row.title)}">{html.escape(short)}</a>'
    return f"{html.escape(name)} (no report)"


def _source(report: str, export: str, reports: list[ReportRow], available: bool) -> str:
    file = f'<a href="{html.escape(export)}">{html.escape(export)}</a>' if available else html.escape(export)
    return f"{_report_link(report, reports)}, {file}"


def _figures_block(figures: list[Figure], reports: list[ReportRow], currency: str) -> str:
    rows = "\n".join(
        f"<tr><th>{html.escape(FIGURE_LABELS.get(f.key, f.key))}</th>"
        f'<td class="figure">{html.escape(figure_value(f, currency))}</td>'
        f"<td>{_source(f.report, f.export, reports, f.value is not None)}</td></tr>"
        for f in figures)
    return f"""<h3>Five numbers</h3>
<table class="figures"><tr><th>What</th><th>Value</th><th>Source (report, export)</th></tr>
{rows}
</table>"""


def _action_list(actions: tuple[Action, ...], kind: str, heading: str, empty: str, reports: list[ReportRow],
                 currency: str) -> str:
    """One ranked list under its money measure, each item linking its report and export; or why it is empty."""
    if not actions:
        return f"<h4>{html.escape(heading)}</h4>\n<p class=\"actions {kind}\">{html.escape(empty)}</p>"
    items = "\n".join(f"<li>{html.escape(action_sentence(a, currency))} "
                      f"<span class=\"source\">Source: {_source(a.report, a.export, reports, True)}</span></li>"
                      for a in actions)
    return f"<h4>{html.escape(heading)}</h4>\n<ol class=\"actions {kind}\">\n{items}\n</ol>"


def _actions_block(actions: Actions, reports: list[ReportRow], currency: str) -> str:
    """What to do now: the alerts to protect and the campaign segments to invest in, each list ranked by its money."""
    if not actions:
        return f"<h3>{html.escape(ACTIONS_HEADING)}</h3>\n<p>{html.escape(no_actions())}</p>"
    return "\n".join([
        f"<h3>{html.escape(ACTIONS_HEADING)}</h3>\n<p>{html.escape(ACTIONS_INTRO)}</p>",
        _action_list(actions.protect, "protect", protect_heading(actions.stake_days), no_protect(), reports, currency),
        _action_list(actions.invest, "invest", INVEST_HEADING, no_invest(), reports, currency),
    ])


def _persona_line(reports: list[ReportRow]) -> str:
    """The persona report's headline with links to it and to its one-row-per-segment export."""
    rows = [r for r in reports if SUMMARY_EXPORT in r.exports]
    if not rows:
        return ""
    row = rows[0]
    when = "" if row.this_run else f" (earlier run, {html.escape(row.built)})"
    return f"""<h3>Who the customers are</h3>
<p>{html.escape(row.headline)}</p>
<p>Who each segment is, how they buy, what they are worth and what to do: <a href="{html.escape(row.link)}">
{html.escape(row.title)}</a>{when}; one row per segment for a CRM or a slide:
<a href="{SUMMARY_EXPORT}">{SUMMARY_EXPORT}</a>.</p>"""


def _data_line(data: dict[str, str]) -> str:
    if "error" in data or "date range" not in data:
        return ""
    return (f"<p><strong>Data:</strong> {html.escape(data['date range'])}; {html.escape(data.get('rows in / kept', ''))}"
            f" order lines (in / kept); {html.escape(data.get('customers kept', ''))} customers; "
            f"file {html.escape(data.get('file', ''))} ({html.escape(data.get('size', ''))}).</p>")


def _summary_block(reports: list[ReportRow], figures: list[Figure] | None = None,
                   actions: Actions | None = None, data: dict[str, str] | None = None,
                   currency: str = "") -> str:
    """The executive summary: data, five numbers with sources, top actions, personas. Empty without any of them."""
    parts = [_data_line(data or {})]
    if figures and any(f.value is not None for f in figures):
        parts.append(_figures_block(figures, reports, currency))
    if actions is not None and figures and any(f.value is not None for f in figures):
        parts.append(_actions_block(actions, reports, currency))
    parts.append(_persona_line(reports))
    if not any(parts[1:]):
        return ""
    return "<h2>Executive summary</h2>\n" + "\n".join(p for p in parts if p)


INDEX_CSS: str = """
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; color: #222;
  line-height: 1.45; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; table-layout: auto; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid #ddd;
  overflow-wrap: break-word; }
td.figure { font-weight: 600; white-space: nowrap; }
a { color: #0072B2; } pre { background: #f6f6f6; padding: .8rem; overflow-x: auto; white-space: pre-wrap;
  overflow-wrap: anywhere; }
td pre { margin: 0; padding: .3rem; } .failed { color: #D55E00; } ol.actions li { margin-bottom: .4rem; }
.source { color: #555; font-size: .9em; } a.analyst { font-size: .85em; color: #555; }
@media print { body { max-width: none; margin: 0; } table { font-size: 8pt; } tr { break-inside: avoid; }
  h2 { break-after: avoid; } td.figure { white-space: normal; } }
"""


def render_index(
    reports: list[ReportRow], failures: list[FailureRow], others: list[str], params: dict, data: dict[str, str],
    *, started: str = "", figures: list[Figure] | None = None, actions: Actions | None = None,
) -> str:
    """The index page: failures first, the executive summary, every report in reading order with both
    editions, its headline, run and exports, files no report accounts for, and the data and parameters."""
    failure_block = ""
    if failures:
        rows = "\n".join(_failure_row(f) for f in failures)
        failure_block = f"""<h2 class="failed">Failed notebooks</h2>
<p>These notebooks have no current report: their earlier report and exports were removed. The executed copy
shows the failing cell and the full traceback.</p>
<table><tr><th>Notebook</th><th>Error</th><th>Executed copy</th><th>When</th></tr>
{rows}
</table>"""
    rows = "\n".join(
        f'<tr><td>{i}</td><td><a href="{html.escape(r.link)}">{html.escape(r.title)}</a>'
        + (f'<br><a class="analyst" href="{html.escape(r.analyst_link)}">analyst edition (with code)</a>'
           if r.analyst_link else "")
        + f"</td><td>{html.escape(r.headline)}</td>"
        f"<td>{'this run' if r.this_run else '<strong>earlier run</strong>'}, {html.escape(r.built)}"
        + (f"<br><em>{html.escape(r.note)}</em>" if r.note else "")
        + f"</td><td>{_links(r.exports)}</td></tr>"
        for i, r in enumerate(reports, start=1)
    )
    other_block = ""
    if others:
        other_block = f"""<h2>Other files in reports/</h2>
<p>No report listed above wrote these files in its latest run: they are left from an earlier run (or were put
here by hand) and may be out of date.</p>
<p>{_links(others)}</p>"""
    shown = {k: v for k, v in params.items() if k != "output_dir"}
    data_rows = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in data.items())
    data_note = "<p>The data summary could not be computed; the error is shown below.</p>" if "error" in data else ""
    currency = str(params.get("currency") or "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>segkit reports</title>
<style>{INDEX_CSS}</style></head><body>
<h1>Customer segmentation reports</h1>
<p>Index written {html.escape(when(started) if started else "")}.</p>
{failure_block}
{_summary_block(reports, figures, actions, data, currency)}
<h2>Reports</h2>
<p>In reading order. Each report is a stakeholder edition (findings only); its analyst edition shows the code.</p>
<table><tr><th>#</th><th>Report</th><th>Headline</th><th>Built</th><th>Exports</th></tr>
{rows}
</table>
{other_block}
<h2>Data (this run)</h2>
{data_note}
<table>{data_rows}</table>
<h2>Parameters (this run)</h2>
<details><summary>The parameters every notebook was given (shared ones; per-notebook ones under <code>notebooks</code>)
</summary>
<pre>{html.escape(yaml.safe_dump(shown, sort_keys=True))}</pre>
</details>
</body></html>
"""
