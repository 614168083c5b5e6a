"""Build the reports: execute, render, publish and index, losing nothing when a notebook fails."""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime
from pathlib import Path

from segkit.paths import project_path
from segkit.report.execute import (DEFAULT_TIMEOUT_S, ReportError, execute_notebooks, list_notebooks, load_parameters,
                                   start_line, summary_line)
from segkit.report.folders import Folders, shown
from segkit.report.index import collect_index, collect_summary, render_index
from segkit.report.publish import publish_all, refuse_clashes, render
from segkit.report.summary import file_sha256, safe_data_summary


def build_reports(
    *, params_file: str | None = None, data: str | None = None, jobs: int = 2,
    only: list[str] | None = None, timeout: int = DEFAULT_TIMEOUT_S, folders: Folders = Folders(),
) -> Path:
    """Execute the notebooks, publish each success into ``reports/``, withdraw each failure, write the index.

    Returns the index. Raises :class:`ReportError` *after* writing everything that worked when a
    notebook failed (naming it, its cell and error, and its executed copy in ``reports/failed/``)
    or the data summary failed; and before running anything for a bad parameter or ``only``.
    """
    params = load_parameters(params_file, data=data, folders=folders)
    notebooks = list_notebooks(only, folders=folders)
    folders.reports.mkdir(parents=True, exist_ok=True)
    run = {"started": datetime.now().astimezone().isoformat(timespec="seconds"),
           "data_sha256": file_sha256(project_path(params["data_path"])) if params.get("data_path") else None}
    staging = folders.reports / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    data_path = project_path(params["data_path"]) if params.get("data_path") else None
    print(start_line(len(notebooks), data_path, jobs), flush=True)
    clock = time.perf_counter()
    # the summary reads and cleans the file into the cache first, so that notebooks running side by
    # side do not each read and clean the same file at the same time
    data_summary = safe_data_summary(params)
    print(summary_line(data_summary, time.perf_counter() - clock), flush=True)
    try:
        results = execute_notebooks(notebooks, params, staging=staging, jobs=jobs, timeout=timeout,
                                    reports=folders.reports)
        results = [render(result, staging=staging, run=run, reports=folders.reports) for result in results]
        results = refuse_clashes(results, folders)
        publish_all(results, run, folders)
        index = staging / "index.html"
        figures, actions = collect_summary(folders)
        index.write_text(render_index(*collect_index(results, params, run, folders), params, data_summary,
                                      started=run["started"], figures=figures, actions=actions), encoding="utf-8")
        os.replace(index, folders.reports / "index.html")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    n_failed = sum(bool(r.error) for r in results)
    print(f"{len(results)} notebook{'s' if len(results) != 1 else ''} in {time.perf_counter() - clock:.0f} s"
          f" ({len(results) - n_failed} ok, {n_failed} failed)", flush=True)
    problems = [f"  - {r.error}\n    executed copy: {_failed_copy_shown(folders.failed / (r.name + '.ipynb'))}"
                for r in results if r.error]
    if "error" in data_summary:
        problems.append(f"  - the data summary of the index failed: {data_summary['error']}")
    if problems:
        n_ok = sum(not r.error for r in results)
        raise ReportError(
            f"{sum(bool(r.error) for r in results)} of {len(results)} notebook(s) failed"
            f"{' (and the data summary)' if 'error' in data_summary else ''}; "
            f"{n_ok} report(s) written, index: {shown(folders.reports / 'index.html')}\n" + "\n".join(problems)
        )
    return folders.reports / "index.html"


def _failed_copy_shown(copy: Path) -> str:
    return shown(copy) if copy.exists() else "none (the notebook did not start)"
