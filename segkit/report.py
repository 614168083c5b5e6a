"""Run the notebooks with papermill and render stakeholder reports, offline and reproducibly.

``python -m segkit.report`` (what ``make report`` calls) executes every ``notebooks/NN_*.ipynb``
(or those named by ``--only``) with the parameters of ``params/default.yaml`` (a ``--params``
file and ``--data`` override them), renders one HTML page per notebook with the code hidden, and
writes ``reports/index.html``.

One notebook's failure never withholds the others. Every notebook runs into a staging folder,
writing its exports into a folder of its own, so what each notebook wrote is known exactly. Then,
notebook by notebook:

- a success replaces its HTML report, its executed notebook (``reports/notebooks/``) and its
  exports, and removes the exports its previous run wrote and this one did not;
- a failure removes its previous report, executed notebook and exports (nothing stale is shown
  as if current) and keeps the executed copy in ``reports/failed/`` for inspection. A notebook
  whose export would overwrite another report's file counts as failed (the later one, in
  analyst order, so the outcome does not depend on ``--jobs``).

Each executed notebook records in its metadata (key ``segkit``) when it was built, from which
parameters and data, and which exports it wrote; that record is how a later run knows what to
remove. Reports of notebooks not run (``--only``) stay as they are. The index lists every report
present, whether it comes from this run or an earlier one (with its date, and a note when it was
built from other parameters or data), every failure with its error, cell and executed copy, and
files in ``reports/`` that no report accounts for. The run exits non-zero, after writing all that
worked, when a notebook failed or the data summary of the index could not be computed.

``python -m segkit.report --inplace`` re-executes the stored notebooks in place (their stored
outputs are what nbval compares against), and ``python -m segkit.report --handouts`` writes
workshop copies without solutions or outputs to ``handouts/``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import nbformat
import yaml

from segkit.paths import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT, REPORTS_DIR, project_path

#: Pinned thread counts: parallel and serial runs then do the same floating-point work.
THREAD_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
#: Cells with these tags never reach a stakeholder report.
REMOVE_CELL_TAGS: frozenset[str] = frozenset({"remove-cell", "solution", "injected-parameters", "parameters"})
KERNEL_NAME: str = "python3"
DEFAULT_TIMEOUT_S: int = 900
#: The metadata key of an executed notebook that records its run (when, parameters, data, exports).
RECORD_KEY: str = "segkit"
#: Names in ``reports/`` that belong to the pipeline, never to a notebook's exports.
RESERVED: frozenset[str] = frozenset({"index.html", "README.md", "notebooks", "failed"})


class ReportError(RuntimeError):
    """A notebook failed while building the reports."""


@dataclass(frozen=True)
class NotebookResult:
    """What one executed notebook produced: its executed copy and export folder, or its error."""

    name: str
    executed: Path
    seconds: float
    error: str | None = None
    cell: str = ""  # the start of the failing cell's source
    exports: Path | None = None  # the notebook's own export folder in staging
    html: Path | None = None  # the rendered report in staging


def list_notebooks(only: list[str] | None = None) -> list[Path]:
    """The numbered notebooks in analyst order, optionally only those whose name starts with ``only``."""
    notebooks = sorted(p for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if only:
        notebooks = [p for p in notebooks if any(p.stem.startswith(o) or p.stem == o for o in only)]
        if not notebooks:
            raise ReportError(f"No notebook matches {only}. Notebooks: {[p.stem for p in list_notebooks()]}")
    return notebooks


def load_parameters(params_file: str | os.PathLike | None = None, *, data: str | None = None) -> dict:
    """Default parameters, overlaid with ``params_file`` and the ``data`` path, as one dict.

    The YAML holds shared parameters at top level and per-notebook ones under ``notebooks:``
    (keyed by notebook stem, e.g. ``02_kmeans``). Relative paths given on the command line
    are resolved against the current directory; those in YAML files against the project root.
    """
    params = yaml.safe_load((PARAMS_DIR / "default.yaml").read_text()) or {}
    if params_file:
        path = Path(params_file)
        if not path.exists():
            raise ReportError(f"Parameter file not found: {params_file}. Copy params/default.yaml and edit it.")
        extra = yaml.safe_load(path.read_text()) or {}
        per_notebook = {**params.get("notebooks", {})}
        for stem, values in (extra.pop("notebooks", {}) or {}).items():
            per_notebook[stem] = {**per_notebook.get(stem, {}), **values}
        params = {**params, **extra, "notebooks": per_notebook}
    if data:
        params["data_path"] = str(Path(data).resolve())
    return params


def notebook_parameters(notebook: Path, params: dict, *, output_dir: Path) -> dict:
    """The parameters a notebook declares, filled from ``params`` (shared, then its own)."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    values = {k: v for k, v in params.items() if k != "notebooks"}
    values.update((params.get("notebooks") or {}).get(notebook.stem, {}))
    values["output_dir"] = str(output_dir)
    unknown = set((params.get("notebooks") or {}).get(notebook.stem, {})) - set(declared)
    if unknown:
        raise ReportError(f"{notebook.name} has no parameter(s) {sorted(unknown)}; it declares {sorted(declared)}.")
    return {k: v for k, v in values.items() if k in declared}


def _execute(notebook: Path, output: Path, parameters: dict, timeout: int) -> NotebookResult:
    """Run one notebook with papermill (in a worker process); never raises."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    os.environ.update(THREAD_ENV)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, cwd=str(NOTEBOOKS_DIR),
            kernel_name=KERNEL_NAME, execution_timeout=timeout, progress_bar=False, log_output=False,
        )
    except PapermillExecutionError as error:
        cell = f"cell {error.exec_count}" if error.exec_count else f"cell index {error.cell_index}"
        message = f"{notebook.name} failed in {cell}: {error.ename}: {error.evalue}"
        source = "\n".join((error.source or "").strip().splitlines()[:6])
        return NotebookResult(notebook.stem, output, time.perf_counter() - start, message, cell=source)
    except Exception as error:  # the kernel died, timed out or could not start
        message = f"{notebook.name} failed: {type(error).__name__}: {error}"
        return NotebookResult(notebook.stem, output, time.perf_counter() - start, message)
    return NotebookResult(notebook.stem, output, time.perf_counter() - start)


def execute_notebooks(
    notebooks: list[Path], params: dict, *, staging: Path, jobs: int = 2, timeout: int = DEFAULT_TIMEOUT_S
) -> list[NotebookResult]:
    """Execute notebooks into ``staging/notebooks``, ``jobs`` at a time, printing a line per notebook.

    Each notebook's ``output_dir`` is its own folder, ``staging/exports/<name>``, so that the
    exports of each notebook are known (and published only when it succeeds).
    """
    (staging / "notebooks").mkdir(parents=True, exist_ok=True)
    tasks = []
    for nb in notebooks:
        exports = staging / "exports" / nb.stem
        exports.mkdir(parents=True, exist_ok=True)
        parameters = notebook_parameters(nb, params, output_dir=exports)
        tasks.append((nb, staging / "notebooks" / nb.name, parameters, timeout))
    results = []
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks)))) as pool:
        futures = [pool.submit(_execute, *task) for task in tasks]
        for i, future in enumerate(futures, start=1):
            result = replace(future.result(), exports=staging / "exports" / tasks[i - 1][0].stem)
            status = "ok" if result.error is None else "FAILED"
            print(f"[{i}/{len(tasks)}] {result.name:<24} {status} ({result.seconds:.0f} s)", flush=True)
            results.append(result)
    return results


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

#: Script blocks that load anything from the network (require.js, MathJax, mermaid), and remote stylesheets.
_EXTERNAL = re.compile(
    r"<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*?</script>"
    r"|<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>|<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>",
    re.IGNORECASE | re.DOTALL,
)


def render_html(executed: Path) -> str:
    """Stakeholder HTML: code, prompts and removed cells hidden, images embedded, no network loads."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(executed, as_version=4)
    remover = TagRemovePreprocessor(
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags={"remove-input"},
        remove_all_outputs_tags={"remove-output"},
        enabled=True,
    )
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": notebook_title(notebook)}})
    # require.js and MathJax come from a CDN in nbconvert's template; reports must open offline
    return _EXTERNAL.sub("", body)


def notebook_title(notebook: nbformat.NotebookNode) -> str:
    """The first level-one heading of the notebook, or its first line of markdown."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled notebook"


def notebook_headline(notebook: nbformat.NotebookNode) -> str:
    """The computed summary, as plain text: the markdown output of the cell tagged ``headline``,
    else the notebook's first markdown output (the template puts the headline first)."""
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    tagged = [c for c in code_cells if "headline" in c.get("metadata", {}).get("tags", [])]
    for cell in tagged or code_cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text:
                return re.sub(r"[*_`#]", "", "".join(text)).strip()
    return ""


def _data_summary(params: dict) -> dict[str, str]:
    """File, size, content hash and date range of the data the reports were built from."""
    from segkit.data import load_clean

    path = project_path(params["data_path"])
    clean, log = load_clean(path, columns=params.get("column_map") or None, returns=params.get("returns", "net"),
                            **(params.get("reading") or {}))
    dates = clean["order_date"]
    return {
        "file": _shown(path),
        "size": f"{path.stat().st_size / 1e6:.1f} MB",
        "sha256": (_file_sha256(path) or "")[:12],
        "date range": f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}",
        "rows in / kept": f"{log.attrs['rows_in']:,} / {log.attrs['rows_kept']:,}",
        "customers kept": f"{log.attrs['customers_kept']:,}",
    }


def _safe_data_summary(params: dict) -> dict[str, str]:
    """:func:`_data_summary`, or the file and the error when the data cannot be read or summarised."""
    try:
        return _data_summary(params)
    except Exception as error:  # the index is written all the same, with the error in place of the summary
        return {"file": str(params.get("data_path", "")), "error": f"{type(error).__name__}: {error}"}


def _file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file, read in chunks; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------


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


def _when(stamp: str | None, path: Path | None = None) -> str:
    """A recorded ISO time as ``YYYY-MM-DD HH:MM``, else the file's modification time."""
    if stamp:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    if path is not None and path.exists():
        return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M") + " (file time)"
    return "unknown"


def _read(executed: Path) -> nbformat.NotebookNode | None:
    """An executed notebook, or None when it is missing or unreadable."""
    try:
        return nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None


def read_record(executed: Path) -> dict:
    """The run record of an executed notebook (empty if it has none or cannot be read)."""
    notebook = _read(executed)
    return dict(notebook.metadata.get(RECORD_KEY, {})) if notebook else {}


def _comparable(parameters: dict) -> dict:
    return {k: v for k, v in parameters.items() if k != "output_dir"}


def _differences(name: str, record: dict, params: dict, run: dict) -> str:
    """How an earlier report's parameters and data differ from this run's, in words."""
    if not record:
        return "parameters and data not recorded"
    notes = []
    notebook = NOTEBOOKS_DIR / f"{name}.ipynb"
    if not notebook.exists():
        notes.append("its notebook no longer exists")
    else:
        try:
            current = _comparable(notebook_parameters(notebook, params, output_dir=REPORTS_DIR))
        except Exception:  # noqa: BLE001 - a notebook that cannot be inspected is simply not compared
            current = None
        if current is not None and current != record.get("parameters"):
            notes.append("other parameters than this run")
    if record.get("data_sha256") != run.get("data_sha256"):
        notes.append("other data than this run")
    return "; ".join(notes)


def collect_index(results: list[NotebookResult], params: dict, run: dict) -> tuple[list, list, list[str]]:
    """Every report present in ``reports/``, every failure, and the files no report accounts for."""
    ran = {r.name for r in results}
    succeeded = {r.name for r in results if not r.error}
    executed_dir, failed_dir = REPORTS_DIR / "notebooks", REPORTS_DIR / "failed"
    names = sorted({p.stem for p in REPORTS_DIR.glob("*.html") if p.name != "index.html"}
                   | {p.stem for p in executed_dir.glob("*.ipynb")})
    reports = []
    for name in names:
        executed, page = executed_dir / f"{name}.ipynb", REPORTS_DIR / f"{name}.html"
        notebook = _read(executed)
        record = dict(notebook.metadata.get(RECORD_KEY, {})) if notebook else {}
        this_run = name in succeeded
        reports.append(ReportRow(
            name=name,
            link=page.name if page.exists() else f"notebooks/{executed.name}",
            title=notebook_title(notebook) if notebook else name,
            headline=notebook_headline(notebook) if notebook else "",
            built=_when(record.get("built"), executed if notebook else page),
            this_run=this_run,
            note="" if this_run else _differences(name, record, params, run),
            exports=[e for e in record.get("exports", []) if (REPORTS_DIR / e).exists()],
        ))
    failures = []
    for result in results:
        if result.error:
            copy = failed_dir / f"{result.name}.ipynb"
            failures.append(FailureRow(result.name, result.error, result.cell,
                                       f"failed/{copy.name}" if copy.exists() else None, _when(run["started"]), True))
    for copy in sorted(failed_dir.glob("*.ipynb")):
        if copy.stem not in ran:
            record = read_record(copy)
            failures.append(FailureRow(copy.stem, record.get("error", "error not recorded"), record.get("cell", ""),
                                       f"failed/{copy.name}", _when(record.get("failed"), copy), False))
    accounted = {e for row in reports for e in row.exports} | {f"{row.name}.html" for row in reports}
    others = sorted(
        rel for rel in (p.relative_to(REPORTS_DIR).as_posix() for p in REPORTS_DIR.rglob("*") if p.is_file())
        if rel not in accounted and not _reserved(rel)
    )
    return reports, failures, others


def _reserved(rel: str) -> bool:
    """Whether a path in ``reports/`` belongs to the pipeline (index, folders, staging, README)."""
    first = rel.split("/")[0]
    return first in RESERVED or first.startswith(".")


def _links(files: list[str]) -> str:
    return "<br>".join(f'<a href="{html.escape(f)}">{html.escape(f)}</a>' for f in files)


def _failure_row(failure: FailureRow) -> str:
    cell = f"<p>The cell begins:</p><pre>{html.escape(failure.cell)}</pre>" if failure.cell else ""
    copy = (f'<a href="{html.escape(failure.copy)}">{html.escape(failure.copy)}</a>' if failure.copy
            else "none (the notebook did not start)")
    when = f"{'this run' if failure.this_run else 'earlier run'}, {html.escape(failure.when)}"
    return (f"<tr><td>{html.escape(failure.name)}</td><td><pre>{html.escape(failure.error)}</pre>{cell}</td>"
            f"<td>{copy}</td><td>{when}</td></tr>")


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
<p>Index written {html.escape(_when(started) if started else "")}.</p>
{failure_block}
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


# --------------------------------------------------------------------------------------------
# Building the reports
# --------------------------------------------------------------------------------------------


def build_reports(
    *, params_file: str | None = None, data: str | None = None, jobs: int = 2,
    only: list[str] | None = None, timeout: int = DEFAULT_TIMEOUT_S,
) -> Path:
    """Execute the notebooks, publish each success into ``reports/``, withdraw each failure, write the index.

    Returns the index. Raises :class:`ReportError` *after* writing everything that worked when a
    notebook failed (naming it, its cell and error, and its executed copy in ``reports/failed/``)
    or the data summary failed; and before running anything for a bad parameter or ``only``.
    """
    params = load_parameters(params_file, data=data)
    notebooks = list_notebooks(only)
    REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    run = {"started": datetime.now().astimezone().isoformat(timespec="seconds"),
           "data_sha256": _file_sha256(project_path(params["data_path"])) if params.get("data_path") else None}
    staging = REPORTS_DIR / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        results = execute_notebooks(notebooks, params, staging=staging, jobs=jobs, timeout=timeout)
        results = [_render(result, staging=staging, params=params, run=run) for result in results]
        results = _refuse_clashes(results)
        _publish_all(results, run)
        data_summary = _safe_data_summary(params)
        index = staging / "index.html"
        index.write_text(render_index(*collect_index(results, params, run), params, data_summary,
                                      started=run["started"]), encoding="utf-8")
        os.replace(index, REPORTS_DIR / "index.html")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    problems = [f"  - {r.error}\n    executed copy: {_failed_copy_shown(r.name)}" for r in results if r.error]
    if "error" in data_summary:
        problems.append(f"  - the data summary of the index failed: {data_summary['error']}")
    if problems:
        n_ok = sum(not r.error for r in results)
        raise ReportError(
            f"{sum(bool(r.error) for r in results)} of {len(results)} notebook(s) failed"
            f"{' (and the data summary)' if 'error' in data_summary else ''}; "
            f"{n_ok} report(s) written, index: {_shown(REPORTS_DIR / 'index.html')}\n" + "\n".join(problems)
        )
    return REPORTS_DIR / "index.html"


def _failed_copy_shown(name: str) -> str:
    copy = REPORTS_DIR / "failed" / f"{name}.ipynb"
    return _shown(copy) if copy.exists() else "none (the notebook did not start)"


def _exports_of(result: NotebookResult) -> list[str]:
    """The files a notebook wrote into its export folder, as sorted POSIX paths relative to it."""
    if result.exports is None or not result.exports.exists():
        return []
    return sorted(p.relative_to(result.exports).as_posix() for p in result.exports.rglob("*") if p.is_file())


def _render(result: NotebookResult, *, staging: Path, params: dict, run: dict) -> NotebookResult:
    """Record the run in a successful executed notebook, show final paths, render its HTML."""
    if result.error:
        return result
    try:
        notebook = unstage(nbformat.read(result.executed, as_version=4), staging=staging, final=REPORTS_DIR,
                           exports=result.exports)
        parameters = notebook.metadata.get("papermill", {}).get("parameters", {})
        notebook.metadata[RECORD_KEY] = {"built": run["started"], "data_sha256": run["data_sha256"],
                                         "parameters": _comparable(dict(parameters)), "exports": _exports_of(result)}
        nbformat.write(notebook, result.executed)
        page = staging / f"{result.name}.html"
        page.write_text(render_html(result.executed), encoding="utf-8")
    except Exception as error:  # noqa: BLE001 - a report that cannot be rendered is a failed report
        return replace(result, error=f"{result.name}.ipynb ran, but its report could not be rendered: "
                                     f"{type(error).__name__}: {error}")
    return replace(result, html=page)


def _refuse_clashes(results: list[NotebookResult]) -> list[NotebookResult]:
    """Fail a notebook whose export would overwrite another report's export or a pipeline file.

    Notebooks are checked in analyst order, so the outcome does not depend on ``jobs``.
    """
    stems = {p.stem for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")} | {r.name for r in results}
    ran = {r.name for r in results}
    owner = {}
    for executed in sorted((REPORTS_DIR / "notebooks").glob("*.ipynb")):
        if executed.stem not in ran:
            owner.update((e, executed.stem) for e in read_record(executed).get("exports", []))
    checked = []
    for result in results:
        if not result.error:
            exports = _exports_of(result)
            clashes = [f"{e} (also written by {owner[e]})" for e in exports if e in owner]
            clashes += [e for e in exports if _reserved(e) or (e.endswith(".html") and e[:-5] in stems)]
            if clashes:
                result = replace(result, error=f"{result.name}.ipynb ran, but its exports would overwrite "
                                               f"another report's file: {', '.join(clashes)}")
            else:
                owner.update((e, result.name) for e in exports)
        checked.append(result)
    return checked


def _publish_all(results: list[NotebookResult], run: dict) -> None:
    """Move each success into ``reports/`` and withdraw each failure's earlier report and exports."""
    written = {e for r in results if not r.error for e in _exports_of(r)}
    ran = {r.name for r in results}
    kept = {e for executed in (REPORTS_DIR / "notebooks").glob("*.ipynb") if executed.stem not in ran
            for e in read_record(executed).get("exports", [])}
    for result in results:
        executed = REPORTS_DIR / "notebooks" / f"{result.name}.ipynb"
        stale = set(read_record(executed).get("exports", [])) - written - kept
        for name in sorted(stale):
            (REPORTS_DIR / name).unlink(missing_ok=True)
        if result.error:
            _withdraw(result, run)
        else:
            _publish(result)


def _publish(result: NotebookResult) -> None:
    for name in _exports_of(result):
        destination = REPORTS_DIR / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(result.exports / name, destination)
    (REPORTS_DIR / "notebooks").mkdir(exist_ok=True)
    os.replace(result.executed, REPORTS_DIR / "notebooks" / f"{result.name}.ipynb")
    os.replace(result.html, REPORTS_DIR / f"{result.name}.html")
    (REPORTS_DIR / "failed" / f"{result.name}.ipynb").unlink(missing_ok=True)


def _withdraw(result: NotebookResult, run: dict) -> None:
    """Remove a failed notebook's earlier report; keep this run's executed copy in ``reports/failed/``."""
    (REPORTS_DIR / f"{result.name}.html").unlink(missing_ok=True)
    (REPORTS_DIR / "notebooks" / f"{result.name}.ipynb").unlink(missing_ok=True)
    copy = REPORTS_DIR / "failed" / f"{result.name}.ipynb"
    copy.unlink(missing_ok=True)
    if result.executed.exists():
        notebook = nbformat.read(result.executed, as_version=4)
        notebook.metadata[RECORD_KEY] = {"failed": run["started"], "error": result.error, "cell": result.cell}
        copy.parent.mkdir(exist_ok=True)
        nbformat.write(notebook, copy)


def unstage(
    notebook: nbformat.NotebookNode, *, staging: Path, final: Path, exports: Path | None = None
) -> nbformat.NotebookNode:
    """Show exports where they end up: replace the staging folders by the final one.

    Notebooks write into a staging folder (``exports``, inside ``staging``) so that a failed run
    never replaces good reports; readers of the report should see the final location (relative
    to the project root). Text outputs, the injected parameters cell and papermill's record of
    the run are rewritten, so the executed notebook also reruns as is.
    """
    shown = _shown(final)
    folders = [f for f in (exports, staging) if f is not None]
    pairs = sorted({(str(f), shown) for f in folders} | {(_shown(f), shown) for f in folders if f != final},
                   key=lambda pair: -len(pair[0]))

    def fix(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    for cell in notebook.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = fix(cell["source"])
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = fix(output["text"])
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    output["data"][mime] = fix(value)
    run = notebook.metadata.get("papermill", {})
    if isinstance(run.get("output_path"), str):
        run["output_path"] = fix(run["output_path"])
    if isinstance(run.get("parameters", {}).get("output_dir"), str):
        run["parameters"]["output_dir"] = fix(run["parameters"]["output_dir"])
    return notebook


def _shown(path: Path) -> str:
    """A path relative to the project root where possible, for messages."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


# --------------------------------------------------------------------------------------------
# Stored notebooks and handouts
# --------------------------------------------------------------------------------------------


KERNELSPEC: dict[str, str] = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"}


def strip_run_metadata(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop papermill's timings and status, and pin the kernel, so stored notebooks diff cleanly."""
    notebook.metadata.pop("papermill", None)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return notebook


def refresh_stored(notebooks: list[Path], *, timeout: int = DEFAULT_TIMEOUT_S, jobs: int = 2) -> None:
    """Re-execute notebooks in place with their own default parameters (the outputs nbval checks)."""
    staging = REPORTS_DIR / f".refresh-{os.getpid()}"
    staging.mkdir(parents=True, exist_ok=True)
    try:
        tasks = [(nb, staging / nb.name, {}, timeout) for nb in notebooks]
        with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks)))) as pool:
            for result in pool.map(_execute, *zip(*tasks)):
                if result.error:
                    raise ReportError(result.error)
                notebook = strip_run_metadata(nbformat.read(result.executed, as_version=4))
                nbformat.write(notebook, NOTEBOOKS_DIR / f"{result.name}.ipynb")
                print(f"refreshed {result.name} ({result.seconds:.0f} s)", flush=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def make_handout(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A workshop copy: cells tagged ``solution`` removed, every output and count cleared."""
    notebook.cells = [c for c in notebook.cells if "solution" not in c.get("metadata", {}).get("tags", [])]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return strip_run_metadata(notebook)


def write_handouts(target: Path = PROJECT_ROOT / "handouts") -> list[Path]:
    """Write a handout of every notebook to ``target`` and return their paths."""
    target.mkdir(exist_ok=True)
    written = []
    for path in list_notebooks():
        handout = make_handout(nbformat.read(path, as_version=4))
        nbformat.write(handout, target / path.name)
        written.append(target / path.name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m segkit.report", description=__doc__.splitlines()[0])
    parser.add_argument("--params", help="YAML file of parameters (overlaid on params/default.yaml)")
    parser.add_argument("--data", help="transactions file to use instead of the default data")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument("--only", nargs="*", help="notebook names or number prefixes, e.g. 00 01_rfm; "
                        "the reports of the other notebooks stay as they are")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_S, help="seconds per cell")
    parser.add_argument("--inplace", action="store_true", help="re-execute the stored notebooks in place")
    parser.add_argument("--handouts", action="store_true", help="write workshop copies to handouts/")
    args = parser.parse_args(argv)
    os.environ.update(THREAD_ENV)
    try:
        if args.handouts:
            for path in write_handouts():
                print(f"wrote {_shown(path)}")
        elif args.inplace:
            refresh_stored(list_notebooks(args.only), timeout=args.timeout, jobs=args.jobs)
        else:
            index = build_reports(params_file=args.params, data=args.data, jobs=args.jobs,
                                  only=args.only, timeout=args.timeout)
            print(f"reports written: {_shown(index)}")
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
