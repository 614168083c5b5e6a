"""Where the report pipeline reads notebooks and parameters and writes reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from segkit.paths import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT, REPORTS_DIR


@dataclass(frozen=True)
class Folders:
    """The notebooks, parameters and reports folders of one project (segkit's own by default)."""

    notebooks: Path = NOTEBOOKS_DIR
    params: Path = PARAMS_DIR
    reports: Path = REPORTS_DIR

    @property
    def executed(self) -> Path:
        """Executed copies of the published reports."""
        return self.reports / "notebooks"

    @property
    def analyst(self) -> Path:
        """The analyst edition of the reports (code shown)."""
        return self.reports / "analyst"

    @property
    def pdf(self) -> Path:
        """Printed (PDF) copies of the stakeholder reports, written by ``make pdf``."""
        return self.reports / "pdf"

    @property
    def screenshots(self) -> Path:
        """Full-page screenshots of the stakeholder reports, written by the browser test."""
        return self.reports / "screenshots"

    @property
    def failed(self) -> Path:
        """Executed copies of the notebooks that failed."""
        return self.reports / "failed"


def shown(path: Path) -> str:
    """A path relative to the project root where possible, for messages."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)
