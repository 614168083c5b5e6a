"""What a report run records in each executed notebook, and which names in reports/ are the pipeline's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import nbformat

#: The metadata key of an executed notebook that records its run (when, parameters, data, exports).
RECORD_KEY: str = "segkit"
#: Names in ``reports/`` that belong to the pipeline, never to a notebook's exports.
RESERVED: frozenset[str] = frozenset({"index.html", "README.md", "notebooks", "failed", "analyst", "pdf",
                                      "screenshots"})


def read_notebook(executed: Path) -> nbformat.NotebookNode | None:
    """An executed notebook, or None when it is missing or unreadable."""
    try:
        return nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None


def read_record(executed: Path) -> dict:
    """The run record of an executed notebook (empty if it has none or cannot be read)."""
    notebook = read_notebook(executed)
    return dict(notebook.metadata.get(RECORD_KEY, {})) if notebook else {}


def comparable(parameters: dict) -> dict:
    """The parameters that say what a report shows (not the folders it wrote to or read from)."""
    return {k: v for k, v in parameters.items() if k not in ("output_dir", "exports_dir")}


def reserved(rel: str) -> bool:
    """Whether a path in ``reports/`` belongs to the pipeline (index, folders, staging, README)."""
    first = rel.split("/")[0]
    return first in RESERVED or first.startswith(".")


def when(stamp: str | None, path: Path | None = None) -> str:
    """A recorded ISO time as ``YYYY-MM-DD HH:MM``, else the file's modification time."""
    if stamp:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    if path is not None and path.exists():
        return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M") + " (file time)"
    return "unknown"
