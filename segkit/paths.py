"""Project folders, found from this file's location and never from the working directory."""

from pathlib import Path

PROJECT_ROOT: Path = Path(__file__).resolve().parent.parent
DATA_DIR: Path = PROJECT_ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"
INTERIM_DIR: Path = DATA_DIR / "interim"
REPORTS_DIR: Path = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
PARAMS_DIR: Path = PROJECT_ROOT / "params"
RESOURCES_DIR: Path = Path(__file__).resolve().parent / "resources"

DEFAULT_TRANSACTIONS: Path = RAW_DIR / "transactions.csv.gz"
DEFAULT_GROUND_TRUTH: Path = RAW_DIR / "ground_truth.csv"


def project_path(path: str | Path) -> Path:
    """Resolve ``path`` against the project root unless it is already absolute.

    Examples
    --------
    >>> project_path("data/raw") == PROJECT_ROOT / "data" / "raw"
    True
    """
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path
