"""Find the notebooks, fill their parameters and execute them with papermill, several at a time."""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from segkit.report.folders import Folders
from segkit.report.records import read_notebook


#: Pinned thread counts: parallel and serial runs then do the same floating-point work.
THREAD_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
KERNEL_NAME: str = "python3"
#: A notebook that declares this parameter reads other notebooks' exports (e.g. 09_personas): it runs in a
#: second wave, after the others, and gets a folder that holds what ``reports/`` will hold after this run.
EXPORTS_PARAMETER: str = "exports_dir"
DEFAULT_TIMEOUT_S: int = 900


class ReportError(RuntimeError):
    """A notebook failed while building the reports."""


def ipc_kernel_manager() -> type:
    """A kernel manager that talks to the kernel over local IPC sockets instead of TCP, and shuts it down quietly.

    ipykernel warns "Kernel is running over TCP without encryption" (``IPKernelApp.init_sockets``) on every
    kernel started with jupyter_client's default transport, ``tcp``; over ``ipc`` (Unix domain sockets in
    Jupyter's runtime folder, readable by the user only) nothing travels over the network and the kernel
    has nothing to warn about. Passed to papermill as ``kernel_manager_class`` (nbclient's trait).
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc" if os.name == "posix" else "tcp"  # Windows has no IPC transport in ZeroMQ

        @default("ip")
        def _ip_default(self) -> str:
            if self.transport != "ipc":
                return super()._ip_default()
            # jupyter_client's default, "kernel-ipc" in the current folder, is shared by kernels started at
            # once (--jobs 2) and they would bind each other's sockets: one unique prefix per kernel instead
            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(parents=True, exist_ok=True)
            return str(runtime / f"segkit-{uuid.uuid4().hex[:12]}-ipc")

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts the kernel before asking it to shut down; a kernel that is between
            # messages then logs "KeyboardInterrupt caught in kernel." to the console. At the end of a run
            # nothing is left to interrupt (a cell that timed out has already failed), so shut down directly.
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return IPCKernelManager


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
    inputs: Path | None = None  # the folder of other notebooks' exports it read (second wave only)


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


def engine_threads(parallel: int) -> str:
    """The engine's threads in each of ``parallel`` kernels running at once: the cores shared out, at least
    one. Kernels that each took every core ran their queries side by side on twice as many threads as
    cores (5M lines, two at a time: 284 s with one thread each, against 303 s with two, one run each).
    ``SEGKIT_ENGINE_THREADS``, when set, wins."""
    return os.environ.get("SEGKIT_ENGINE_THREADS") or str(max(1, (os.cpu_count() or 1) // max(1, parallel)))


def execute_one(notebook: Path, output: Path, parameters: dict, timeout: int, threads: str = "") -> NotebookResult:
    """Run one notebook with papermill, in its own folder (in a worker process), its engine on ``threads``
    threads (default: DuckDB's, one per core); never raises."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    os.environ.update(THREAD_ENV)
    if threads:
        os.environ["SEGKIT_ENGINE_THREADS"] = threads
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, cwd=str(notebook.parent),
            kernel_name=KERNEL_NAME, execution_timeout=timeout, progress_bar=False, log_output=False,
            kernel_manager_class=ipc_kernel_manager(),
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


def count_order_lines(path: Path) -> int | None:
    """The number of order lines in a data file, counted cheaply (None when that is not cheap).

    Parquet (a file or a folder of files): the row counts in the files' footers. CSV and text, plain
    or gzip-compressed: the line breaks less the header (a quoted line break counts twice; the start
    line says "about"). Other formats (Excel) are not counted.
    """
    import gzip

    path = Path(path)
    try:
        if path.is_dir() or path.suffix == ".parquet":
            import pyarrow.parquet as pq

            files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
            return sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        if path.name.lower().endswith(tuple(f".{ext}{gz}" for ext in ("csv", "txt", "tsv") for gz in ("", ".gz"))):
            opener = gzip.open if path.name.lower().endswith(".gz") else open
            with opener(path, "rb") as handle:
                breaks = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            return max(breaks - 1, 0)
    except (OSError, ValueError, ImportError):
        return None
    return None


def start_line(n_notebooks: int, data: Path | None, jobs: int) -> str:
    """The line printed before a run: how many notebooks, on how many order lines of which file."""
    from segkit.report.folders import shown

    plural = "s" if n_notebooks != 1 else ""
    if data is None:
        return f"running {n_notebooks} notebook{plural}, {jobs} at a time"
    n_lines = count_order_lines(data)
    lines = f"about {n_lines:,} order lines of " if n_lines is not None else ""
    return f"running {n_notebooks} notebook{plural} on {lines}{shown(Path(data))}, {jobs} at a time"


def summary_line(data_summary: dict[str, str], seconds: float) -> str:
    """The line printed once the data is read and cleaned (or could not be), before the notebooks run."""
    if "error" in data_summary:
        return f"the data could not be read and cleaned ({data_summary['error']}); the notebooks will say why"
    return (f"data read and cleaned in {seconds:.0f} s ({data_summary['rows in / kept']} lines in / kept), "
            "cached for every notebook")


def reads_exports(notebook: Path) -> bool:
    """Whether a notebook declares :data:`EXPORTS_PARAMETER` (and so runs in the second wave)."""
    import papermill

    return EXPORTS_PARAMETER in papermill.inspect_notebook(str(notebook))


def stage_inputs(first_wave: list[NotebookResult], ran: set[str], target: Path, *, reports: Path) -> Path:
    """A folder holding what ``reports/`` will hold once the first wave is published, for the second wave.

    It links (or copies, where links are not allowed) every top-level file of ``reports`` except the
    exports recorded for the notebooks of this run (``ran``: they will be replaced or withdrawn),
    then the exports of each first-wave notebook that succeeded. A first-wave notebook that failed
    leaves its exports out, so the second wave says they are missing rather than read stale ones.
    """
    from segkit.report.records import read_record, reserved

    target.mkdir(parents=True, exist_ok=True)
    replaced = {e for name in ran for e in read_record(reports / "notebooks" / f"{name}.ipynb").get("exports", [])}
    sources = {p.name: p for p in sorted(reports.glob("*")) if p.is_file() and not reserved(p.name)
               and not p.name.endswith(".html") and p.name not in replaced}
    for result in first_wave:
        if result.error is None and result.exports is not None and result.exports.exists():
            sources.update((p.name, p) for p in sorted(result.exports.glob("*")) if p.is_file())
    for name, source in sources.items():
        link = target / name
        try:
            link.symlink_to(source.resolve())
        except OSError:
            shutil.copy2(source, link)
    return target


def execute_notebooks(
    notebooks: list[Path], params: dict, *, staging: Path, jobs: int = 2, timeout: int = DEFAULT_TIMEOUT_S,
    reports: Path | None = None,
) -> list[NotebookResult]:
    """Execute notebooks into ``staging/notebooks``, ``jobs`` at a time, printing a line per notebook.

    Each notebook's ``output_dir`` is its own folder, ``staging/exports/<name>``, so that the
    exports of each notebook are known (and published only when it succeeds). Notebooks that
    declare :data:`EXPORTS_PARAMETER` run after all the others, with that parameter set to
    ``staging/inputs`` (:func:`stage_inputs`: the published ``reports`` folder as this run will
    leave it). Results come back in the order of ``notebooks``.
    """
    (staging / "notebooks").mkdir(parents=True, exist_ok=True)
    second = [nb for nb in notebooks if reads_exports(nb)]
    first = [nb for nb in notebooks if nb not in second]
    if jobs > 1:  # the longest first, so that the last to finish is a short one and no core waits long
        first = longest_first(first, (reports if reports is not None else staging.parent) / "notebooks")
    counter = iter(range(1, len(notebooks) + 1))
    results = _run_wave(first, params, staging=staging, jobs=jobs, timeout=timeout, counter=counter,
                        total=len(notebooks))
    if second:
        ran = {nb.stem for nb in notebooks}
        inputs = stage_inputs(results, ran, staging / "inputs", reports=reports if reports is not None
                              else staging.parent)
        results += _run_wave(second, params, staging=staging, jobs=jobs, timeout=timeout, counter=counter,
                             total=len(notebooks), inputs=inputs)
    order = {nb.stem: i for i, nb in enumerate(notebooks)}
    return sorted(results, key=lambda r: order[r.name])


def longest_first(notebooks: list[Path], previous: Path) -> list[Path]:
    """``notebooks`` by how long each took in the previous run (papermill's duration in the executed
    notebook of that name in ``previous``), the longest first; those without a duration first of all,
    in the order given."""
    def seconds(notebook: Path) -> float:
        executed = read_notebook(previous / notebook.name)
        duration = executed.metadata.get("papermill", {}).get("duration") if executed else None
        return float(duration) if isinstance(duration, (int, float)) else float("inf")

    return sorted(notebooks, key=seconds, reverse=True)  # sorted is stable: ties keep the order given


def _run_wave(notebooks: list[Path], params: dict, *, staging: Path, jobs: int, timeout: int, counter, total: int,
              inputs: Path | None = None) -> list[NotebookResult]:
    if not notebooks:
        return []
    tasks = []
    for nb in notebooks:
        exports = staging / "exports" / nb.stem
        exports.mkdir(parents=True, exist_ok=True)
        parameters = notebook_parameters(nb, params, output_dir=exports)
        if inputs is not None:
            parameters[EXPORTS_PARAMETER] = str(inputs)
        tasks.append((nb, staging / "notebooks" / nb.name, parameters, timeout))
    workers = max(1, min(jobs, len(tasks)))
    tasks = [(*task, engine_threads(workers)) for task in tasks]
    results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(execute_one, *task): task for task in tasks}
        for future in as_completed(futures):  # a line per notebook as soon as it finishes
            task = futures[future]
            result = replace(future.result(), exports=staging / "exports" / task[0].stem, inputs=inputs)
            status = "ok" if result.error is None else "FAILED"
            place = f"[{next(counter)}/{total}]"
            print(f"{place:<{2 * len(str(total)) + 3}} {result.name:<26} {status:<6} {result.seconds:5.0f} s",
                  flush=True)
            results.append(result)
    return results
