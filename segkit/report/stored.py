"""The stored notebooks (re-executed in place for nbval) and the workshop handouts made from them."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from segkit.paths import PROJECT_ROOT
from segkit.report.execute import (DEFAULT_TIMEOUT_S, KERNEL_NAME, ReportError, execute_one, list_notebooks,
                                   reads_exports)
from segkit.report.folders import Folders
from segkit.report.render import exercise_sections

KERNELSPEC: dict[str, str] = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"}


def strip_run_metadata(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop papermill's timings and status, and pin the kernel, so stored notebooks diff cleanly."""
    notebook.metadata.pop("papermill", None)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return notebook


def refresh_stored(notebooks: list[Path], *, timeout: int = DEFAULT_TIMEOUT_S, jobs: int = 2,
                   folders: Folders = Folders()) -> None:
    """Re-execute notebooks in place with their own default parameters (the outputs nbval checks).

    They run in a staging folder under ``folders.reports``; each replaces its stored file only when it succeeded.
    Notebooks that read the others' exports (``exports_dir``, e.g. the personas) run after the others
    have written theirs, as in :func:`segkit.report.build_reports`.
    """
    staging = folders.reports / f".refresh-{os.getpid()}"
    staging.mkdir(parents=True, exist_ok=True)
    second = [nb for nb in notebooks if reads_exports(nb)]
    try:
        for wave in ([nb for nb in notebooks if nb not in second], second):
            _refresh_wave(wave, staging=staging, timeout=timeout, jobs=jobs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _refresh_wave(notebooks: list[Path], *, staging: Path, timeout: int, jobs: int) -> None:
    if not notebooks:
        return
    tasks = [(nb, staging / nb.name, {}, timeout) for nb in notebooks]
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks)))) as pool:
        for stored, result in zip(notebooks, pool.map(execute_one, *zip(*tasks))):
            if result.error:
                raise ReportError(result.error)
            nbformat.write(strip_run_metadata(nbformat.read(result.executed, as_version=4)), stored)
            print(f"refreshed {result.name} ({result.seconds:.0f} s)", flush=True)


#: Cells of an Exercises section that hold student material (a prompt or a scaffold to fill in), not an answer.
STUDENT_TAGS: frozenset[str] = frozenset({"solution", "exercise"})


def answers_outside_solutions(notebook: nbformat.NotebookNode) -> list[int]:
    """Cells that may hold an exercise answer but would stay in the handout: the rule the handouts rely on.

    Inside an Exercises section (from its ``## Exercises`` heading cell to the next level-1 or level-2
    heading, as :func:`segkit.report.render.removed_sections` finds it), every cell after the heading
    cell, markdown or code, is an answer unless tagged ``solution`` (removed from the handout) or
    ``exercise`` (a prompt or scaffold the student is meant to see). A markdown cell that holds text and
    then the next section's heading counts too: its text before the heading sits in the Exercises section
    (split such a cell at the heading). Returns their indices.
    """
    whole, partial = exercise_sections(notebook)
    headings = {i for i in whole if i - 1 not in whole}
    return [i for i in sorted(whole | set(partial)) if i not in headings
            and not STUDENT_TAGS.intersection(notebook.cells[i].get("metadata", {}).get("tags", []))]


def make_handout(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A workshop copy: cells tagged ``solution`` removed, every output and count cleared."""
    notebook.cells = [c for c in notebook.cells if "solution" not in c.get("metadata", {}).get("tags", [])]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return strip_run_metadata(notebook)


def write_handouts(target: Path = PROJECT_ROOT / "handouts", *, folders: Folders = Folders()) -> list[Path]:
    """Write a handout of every notebook to ``target`` and return their paths.

    Refuses (:class:`ReportError`, naming notebook and cells) when a cell of an Exercises section could hold
    an answer without being tagged ``solution`` (:func:`answers_outside_solutions`).
    """
    notebooks = {path: nbformat.read(path, as_version=4) for path in list_notebooks(folders=folders)}
    leaks = [f"{path.name}: cell(s) {answers_outside_solutions(nb)}" for path, nb in notebooks.items()
             if answers_outside_solutions(nb)]
    if leaks:
        raise ReportError("An exercise answer would stay in the handout: in an Exercises section every cell after "
                          "the heading is tagged 'solution' (an answer) or 'exercise' (a prompt or scaffold). "
                          "Tag these: " + "; ".join(leaks))
    target.mkdir(exist_ok=True)
    written = []
    for path, notebook in notebooks.items():
        handout = make_handout(notebook)
        nbformat.write(handout, target / path.name)
        written.append(target / path.name)
    return written
