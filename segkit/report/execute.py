"""Find the notebooks, fill their parameters and execute them with papermill, several at a time."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from segkit.report.folders import Folders


#: Pinned thread counts: parallel and serial runs then do the same floating-point work.
THREAD_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
KERNEL_NAME: str = "python3"
DEFAULT_TIMEOUT_S: int = 900


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


def list_notebooks(only: list[str] | None = None, *, folders: Folders = Folders()) -> list[Path]:
    """The numbered notebooks in analyst order, optionally only those whose name starts with ``only``."""
    notebooks = sorted(p for p in folders.notebooks.glob("[0-9][0-9]_*.ipynb"))
    if only:
        chosen = [p for p in notebooks if any(p.stem.startswith(o) or p.stem == o for o in only)]
        if not chosen:
            raise ReportError(f"No notebook matches {only}. Notebooks: {[p.stem for p in notebooks]}")
        return chosen
    return notebooks


def load_parameters(params_file: str | os.PathLike | None = None, *, data: str | None = None,
                    folders: Folders = Folders()) -> dict:
    """Default parameters, overlaid with ``params_file`` and the ``data`` path, as one dict.

    The YAML holds shared parameters at top level and per-notebook ones under ``notebooks:``
    (keyed by notebook stem, e.g. ``02_kmeans``). Relative paths given on the command line
    are resolved against the current directory; those in YAML files against the project root.
    """
    params = yaml.safe_load((folders.params / "default.yaml").read_text()) or {}
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


def execute_one(notebook: Path, output: Path, parameters: dict, timeout: int) -> NotebookResult:
    """Run one notebook with papermill, in its own folder (in a worker process); never raises."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    os.environ.update(THREAD_ENV)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, cwd=str(notebook.parent),
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
        futures = [pool.submit(execute_one, *task) for task in tasks]
        for i, future in enumerate(futures, start=1):
            result = replace(future.result(), exports=staging / "exports" / tasks[i - 1][0].stem)
            status = "ok" if result.error is None else "FAILED"
            print(f"[{i}/{len(tasks)}] {result.name:<24} {status} ({result.seconds:.0f} s)", flush=True)
            results.append(result)
    return results
