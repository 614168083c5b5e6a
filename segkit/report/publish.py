"""Publish a run into reports/: each success replaces its report and exports, each failure withdraws its own."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import nbformat

from segkit.report.execute import NotebookResult
from segkit.report.folders import Folders, shown
from segkit.report.records import RECORD_KEY, comparable, reserved, read_record
from segkit.report.render import ANALYST, ANALYST_DIR, render_html


def _exports_of(result: NotebookResult) -> list[str]:
    """The files a notebook wrote into its export folder, as sorted POSIX paths relative to it."""
    if result.exports is None or not result.exports.exists():
        return []
    return sorted(p.relative_to(result.exports).as_posix() for p in result.exports.rglob("*") if p.is_file())


def render(result: NotebookResult, *, staging: Path, run: dict, reports: Path) -> NotebookResult:
    """Record the run in a successful executed notebook, show final paths, render both editions of its HTML."""
    if result.error:
        return result
    try:
        notebook = unstage(nbformat.read(result.executed, as_version=4), staging=staging, final=reports,
                           exports=result.exports, inputs=result.inputs)
        parameters = notebook.metadata.get("papermill", {}).get("parameters", {})
        notebook.metadata[RECORD_KEY] = {"built": run["started"], "data_sha256": run["data_sha256"],
                                         "parameters": comparable(dict(parameters)), "exports": _exports_of(result)}
        nbformat.write(notebook, result.executed)
        page = staging / f"{result.name}.html"
        page.write_text(render_html(result.executed, name=result.name), encoding="utf-8")
        analyst = staging / ANALYST_DIR / f"{result.name}.html"
        analyst.parent.mkdir(exist_ok=True)
        analyst.write_text(render_html(result.executed, edition=ANALYST, name=result.name), encoding="utf-8")
    except Exception as error:  # noqa: BLE001 - a report that cannot be rendered is a failed report
        return replace(result, error=f"{result.name}.ipynb ran, but its report could not be rendered: "
                                     f"{type(error).__name__}: {error}")
    return replace(result, html=page)


def refuse_clashes(results: list[NotebookResult], folders: Folders) -> list[NotebookResult]:
    """Fail a notebook whose export would overwrite another report's export or a pipeline file.

    Notebooks are checked in analyst order, so the outcome does not depend on ``jobs``.
    """
    stems = {p.stem for p in folders.notebooks.glob("[0-9][0-9]_*.ipynb")} | {r.name for r in results}
    ran = {r.name for r in results}
    owner = {}
    for executed in sorted(folders.executed.glob("*.ipynb")):
        if executed.stem not in ran:
            owner.update((e, executed.stem) for e in read_record(executed).get("exports", []))
    checked = []
    for result in results:
        if not result.error:
            exports = _exports_of(result)
            clashes = [f"{e} (also written by {owner[e]})" for e in exports if e in owner]
            clashes += [e for e in exports if reserved(e) or (e.endswith(".html") and e[:-5] in stems)]
            if clashes:
                result = replace(result, error=f"{result.name}.ipynb ran, but its exports would overwrite "
                                               f"another report's file: {', '.join(clashes)}")
            else:
                owner.update((e, result.name) for e in exports)
        checked.append(result)
    return checked


def publish_all(results: list[NotebookResult], run: dict, folders: Folders) -> None:
    """Move each success into ``reports/`` and withdraw each failure's earlier report and exports."""
    written = {e for r in results if not r.error for e in _exports_of(r)}
    ran = {r.name for r in results}
    kept = {e for executed in folders.executed.glob("*.ipynb") if executed.stem not in ran
            for e in read_record(executed).get("exports", [])}
    for result in results:
        executed = folders.executed / f"{result.name}.ipynb"
        stale = set(read_record(executed).get("exports", [])) - written - kept
        for name in sorted(stale):
            (folders.reports / name).unlink(missing_ok=True)
        if result.error:
            _withdraw(result, run, folders)
        else:
            _publish(result, folders)


def _publish(result: NotebookResult, folders: Folders) -> None:
    for name in _exports_of(result):
        destination = folders.reports / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(result.exports / name, destination)
    folders.executed.mkdir(exist_ok=True)
    os.replace(result.executed, folders.executed / f"{result.name}.ipynb")
    os.replace(result.html, folders.reports / f"{result.name}.html")
    folders.analyst.mkdir(exist_ok=True)
    os.replace(result.html.parent / ANALYST_DIR / result.html.name, folders.analyst / f"{result.name}.html")
    (folders.failed / f"{result.name}.ipynb").unlink(missing_ok=True)


def _withdraw(result: NotebookResult, run: dict, folders: Folders) -> None:
    """Remove a failed notebook's earlier report; keep this run's executed copy in ``reports/failed/``."""
    (folders.reports / f"{result.name}.html").unlink(missing_ok=True)
    (folders.analyst / f"{result.name}.html").unlink(missing_ok=True)
    (folders.executed / f"{result.name}.ipynb").unlink(missing_ok=True)
    copy = folders.failed / f"{result.name}.ipynb"
    copy.unlink(missing_ok=True)
    if result.executed.exists():
        notebook = nbformat.read(result.executed, as_version=4)
        notebook.metadata[RECORD_KEY] = {"failed": run["started"], "error": result.error, "cell": result.cell}
        copy.parent.mkdir(exist_ok=True)
        nbformat.write(notebook, copy)


def unstage(
    notebook: nbformat.NotebookNode, *, staging: Path, final: Path, exports: Path | None = None,
    inputs: Path | None = None,
) -> nbformat.NotebookNode:
    """Show exports where they end up: replace the staging folders by the final one.

    Notebooks write into a staging folder (``exports``, inside ``staging``) so that a failed run
    never replaces good reports; readers of the report should see the final location (relative
    to the project root). The folder of other notebooks' exports a second-wave notebook read
    (``inputs``) is shown as the final folder too: it holds what that folder holds after the run.
    Text outputs, the injected parameters cell and papermill's record of the run are rewritten, so
    the executed notebook also reruns as is.
    """
    final_shown = shown(final)
    moved = [f for f in (exports, inputs, staging) if f is not None]
    pairs = sorted({(str(f), final_shown) for f in moved} | {(shown(f), final_shown) for f in moved if f != final},
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
    for folder in ("output_dir", "exports_dir"):
        if isinstance(run.get("parameters", {}).get(folder), str):
            run["parameters"][folder] = fix(run["parameters"][folder])
    return notebook
