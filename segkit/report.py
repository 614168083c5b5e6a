"""Run the notebooks with papermill and render stakeholder reports, offline and reproducibly.

``python -m segkit.report`` (what ``make report`` calls) executes every ``notebooks/NN_*.ipynb``
with the parameters of ``params/default.yaml`` (a ``--params`` file and ``--data`` override
them), renders one HTML page per notebook with the code hidden, and writes
``reports/index.html``. Work happens in a staging folder that is moved into place only when
every notebook has succeeded, so a failure never leaves half-new reports; the failing
executed notebook is kept in ``reports/failed/``.

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
from dataclasses import dataclass
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


class ReportError(RuntimeError):
    """A notebook failed while building the reports."""


@dataclass(frozen=True)
class NotebookResult:
    """What one executed notebook produced."""

    name: str
    executed: Path
    seconds: float
    error: str | None = None


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
        return NotebookResult(notebook.stem, output, time.perf_counter() - start, message)
    except Exception as error:  # the kernel died, timed out or could not start
        message = f"{notebook.name} failed: {type(error).__name__}: {error}"
        return NotebookResult(notebook.stem, output, time.perf_counter() - start, message)
    return NotebookResult(notebook.stem, output, time.perf_counter() - start)


def execute_notebooks(
    notebooks: list[Path], params: dict, *, staging: Path, jobs: int = 2, timeout: int = DEFAULT_TIMEOUT_S
) -> list[NotebookResult]:
    """Execute notebooks into ``staging/notebooks``, ``jobs`` at a time, printing a line per notebook."""
    (staging / "notebooks").mkdir(parents=True, exist_ok=True)
    tasks = [
        (nb, staging / "notebooks" / nb.name, notebook_parameters(nb, params, output_dir=staging), timeout)
        for nb in notebooks
    ]
    results = []
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks)))) as pool:
        futures = [pool.submit(_execute, *task) for task in tasks]
        for i, future in enumerate(futures, start=1):
            result = future.result()
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
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    dates = clean["order_date"]
    return {
        "file": _shown(path),
        "size": f"{path.stat().st_size / 1e6:.1f} MB",
        "sha256": digest,
        "date range": f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}",
        "rows in / kept": f"{log.attrs['rows_in']:,} / {log.attrs['rows_kept']:,}",
        "customers kept": f"{log.attrs['customers_kept']:,}",
    }


def render_index(entries: list[dict[str, str]], params: dict, data: dict[str, str]) -> str:
    """The index page: every report with its title and headline, then the parameters and data used."""
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(e["file"])}">{html.escape(e["title"])}</a></td>'
        f"<td>{html.escape(e['headline'])}</td></tr>"
        for e in entries
    )
    shown = {k: v for k, v in params.items() if k != "output_dir"}
    data_rows = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in data.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>segkit reports</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; line-height: 1.45; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }}
th, td {{ text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }}
a {{ color: #0072B2; }} pre {{ background: #f6f6f6; padding: .8rem; overflow-x: auto; }}
</style></head><body>
<h1>Customer segmentation reports</h1>
<table><tr><th>Report</th><th>Headline</th></tr>
{rows}
</table>
<h2>Data</h2>
<table>{data_rows}</table>
<h2>Parameters</h2>
<pre>{html.escape(yaml.safe_dump(shown, sort_keys=True))}</pre>
</body></html>
"""


def build_reports(
    *, params_file: str | None = None, data: str | None = None, jobs: int = 2,
    only: list[str] | None = None, timeout: int = DEFAULT_TIMEOUT_S,
) -> Path:
    """Execute the notebooks, render HTML and the index, then move everything into ``reports/``.

    Raises :class:`ReportError` naming the failing notebook and cell; the executed notebook is
    kept in ``reports/failed/`` and the previous reports are left untouched.
    """
    params = load_parameters(params_file, data=data)
    notebooks = list_notebooks(only)
    REPORTS_DIR.mkdir(exist_ok=True)
    staging = REPORTS_DIR / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        results = execute_notebooks(notebooks, params, staging=staging, jobs=jobs, timeout=timeout)
        failures = [r for r in results if r.error]
        if failures:
            failed_dir = REPORTS_DIR / "failed"
            failed_dir.mkdir(exist_ok=True)
            for failure in failures:
                if failure.executed.exists():
                    shutil.copy2(failure.executed, failed_dir / failure.executed.name)
            lines = "\n".join(f"  - {f.error}" for f in failures)
            raise ReportError(
                f"{len(failures)} notebook(s) failed; previous reports were left untouched.\n{lines}\n"
                f"Executed notebooks kept for inspection in {_shown(failed_dir)}/."
            )
        entries = []
        for result in results:
            notebook = unstage(nbformat.read(result.executed, as_version=4), staging=staging, final=REPORTS_DIR)
            nbformat.write(notebook, result.executed)
            (staging / f"{result.name}.html").write_text(render_html(result.executed), encoding="utf-8")
            entries.append({"file": f"{result.name}.html", "title": notebook_title(notebook),
                            "headline": notebook_headline(notebook)})
        (staging / "index.html").write_text(render_index(entries, params, _data_summary(params)), encoding="utf-8")
        _move_into_place(staging, REPORTS_DIR)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return REPORTS_DIR / "index.html"


def unstage(notebook: nbformat.NotebookNode, *, staging: Path, final: Path) -> nbformat.NotebookNode:
    """Show exports where they end up: replace the staging folder by the final one in every text output.

    Notebooks write into a staging folder so that a failed run never replaces good reports;
    readers of the report should see the final location (relative to the project root).
    """
    shown = _shown(final)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = output["text"].replace(str(staging), shown)
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    output["data"][mime] = value.replace(str(staging), shown)
    return notebook


def _shown(path: Path) -> str:
    """A path relative to the project root where possible, for messages."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _move_into_place(staging: Path, target: Path) -> None:
    for item in sorted(staging.rglob("*")):
        if item.is_file():
            destination = target / item.relative_to(staging)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(item, destination)


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
    parser.add_argument("--only", nargs="*", help="notebook names or number prefixes, e.g. 00 01_rfm")
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
