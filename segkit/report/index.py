"""The index page: every report present with its headline, run and exports, every failure, the data and parameters."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import yaml

from segkit.report.execute import NotebookResult, notebook_parameters
from segkit.report.folders import Folders
from segkit.report.records import RECORD_KEY, comparable, read_notebook, reserved, when, read_record
from segkit.report.render import notebook_headline, notebook_title


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
        ))
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


def _summary_block(reports: list[ReportRow]) -> str:
    """The executive summary: the persona report's headline with links to it and to its one-row-per-segment export."""
    rows = [r for r in reports if SUMMARY_EXPORT in r.exports]
    if not rows:
        return ""
    row = rows[0]
    when = "" if row.this_run else f" (earlier run, {html.escape(row.built)})"
    return f"""<h2>Executive summary</h2>
<p>{html.escape(row.headline)}</p>
<p>Who each segment is, how they buy, what they are worth and what to do: <a href="{html.escape(row.link)}">
{html.escape(row.title)}</a>{when}; one row per segment for a CRM or a slide:
<a href="{SUMMARY_EXPORT}">{SUMMARY_EXPORT}</a>.</p>"""


def render_index(
    reports: list[ReportRow], failures: list[FailureRow], others: list[str], params: dict, data: dict[str, str],
    *, started: str = "",
) -> str:
    """The index page: failures first, then every report with its headline, run and exports,
    files no report accounts for, and the parameters and data of this run."""
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
        f'<tr><td><a href="{html.escape(r.link)}">{html.escape(r.title)}</a></td>'
        f"<td>{html.escape(r.headline)}</td>"
        f"<td>{'this run' if r.this_run else '<strong>earlier run</strong>'}, {html.escape(r.built)}"
        + (f"<br><em>{html.escape(r.note)}</em>" if r.note else "")
        + f"</td><td>{_links(r.exports)}</td></tr>"
        for r in reports
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
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>segkit reports</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; line-height: 1.45; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }}
th, td {{ text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }}
a {{ color: #0072B2; }} pre {{ background: #f6f6f6; padding: .8rem; overflow-x: auto; white-space: pre-wrap; }}
td pre {{ margin: 0; padding: .3rem; }} .failed {{ color: #D55E00; }}
</style></head><body>
<h1>Customer segmentation reports</h1>
<p>Index written {html.escape(when(started) if started else "")}.</p>
{failure_block}
{_summary_block(reports)}
<h2>Reports</h2>
<table><tr><th>Report</th><th>Headline</th><th>Built</th><th>Exports</th></tr>
{rows}
</table>
{other_block}
<h2>Data (this run)</h2>
{data_note}
<table>{data_rows}</table>
<h2>Parameters (this run)</h2>
<pre>{html.escape(yaml.safe_dump(shown, sort_keys=True))}</pre>
</body></html>
"""
