"""Results that cost seconds and that other notebooks ask for again, kept on disk as Parquet.

Each notebook of a report runs in its own kernel, so what one notebook computed is gone for the
next. Some results are asked for again with the same inputs: the customer table of a file at a
snapshot (nearly every notebook), the purchase cycle at a snapshot (notebook 07, twice) and the
segmentation of record's evidence for k (notebooks 02, 03 and 04; 18-38 s at 250,000 customers).
:func:`kept` stores such a result under ``data/interim/`` as a folder of Parquet files (nothing is
unpickled from disk), keyed by a SHA-256 of its inputs, of segkit's source and of the versions of the
libraries that compute it: a change to any of them never serves a stale result. A result read back
is equal to the one computed, dtypes included.

``SEGKIT_KEEP_RESULTS=0`` turns this off: every call computes (mutation testing sets it, because
there every mutant runs from one and the same source text).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from pyarrow import ArrowException

from segkit.paths import INTERIM_DIR

#: The libraries whose version is part of every key (they compute or store the results).
LIBRARIES: tuple[str, ...] = ("numpy", "pandas", "scipy", "scikit-learn", "pyarrow", "duckdb")


def enabled() -> bool:
    """Whether results are kept (``SEGKIT_KEEP_RESULTS`` is not ``0``)."""
    return os.environ.get("SEGKIT_KEEP_RESULTS", "1") != "0"


@functools.cache
def source_version() -> str:
    """A hash of segkit's source and of the versions of :data:`LIBRARIES`."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for module in sorted(package.rglob("*.py")):
        digest.update(str(module.relative_to(package)).encode())
        digest.update(module.read_bytes())
    digest.update(repr([(name, version(name)) for name in LIBRARIES]).encode())
    return digest.hexdigest()[:16]


def content_hash(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes (hex), computed once per process for a file of one size and
    modification time: a report run asks for it for the run record, the cache keys and the index."""
    stat = os.stat(path)
    return _content_hash(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _content_hash(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            digest.update(block)
    return digest.hexdigest()


def _fingerprint(value: object) -> bytes:
    """Bytes that differ when ``value`` differs: a file by its content, arrays and frames by their
    values, index, names and dtypes, anything else by its ``repr``."""
    if isinstance(value, Path):
        return b"file:" + content_hash(value).encode()
    if isinstance(value, np.ndarray) and value.dtype != object:
        return f"array:{value.dtype}:{value.shape}:".encode() + np.ascontiguousarray(value).tobytes()
    if isinstance(value, np.ndarray):  # an object array's bytes are pointers: hash its values instead
        value = pd.Series(value.ravel(), name=("array", value.shape))
    if isinstance(value, pd.Series):
        value = value.to_frame(name=("series", value.name))
    if isinstance(value, pd.DataFrame):
        values = pd.util.hash_pandas_object(value, index=True).to_numpy()
        layout = repr((list(value.columns), [str(t) for t in value.dtypes], value.index.names, str(value.index.dtype)))
        return b"frame:" + layout.encode() + values.tobytes()
    return b"repr:" + repr(value).encode()


def key(kind: str, inputs: Mapping[str, object]) -> Path:
    """The folder that holds the result of ``kind`` for ``inputs`` (it may not exist yet)."""
    digest = hashlib.sha256(f"{kind}:{source_version()}".encode())
    for name in sorted(inputs):
        digest.update(name.encode() + b"=" + _fingerprint(inputs[name]) + b";")
    return INTERIM_DIR / f"{kind}-{digest.hexdigest()[:20]}"


def kept(kind: str, inputs: Mapping[str, object],
         compute: Callable[[], Mapping[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The frames ``compute()`` returns, read from disk when an earlier call (in any process) with the
    same ``kind`` and ``inputs`` kept them, else computed and kept.

    ``inputs`` must name everything the result depends on besides segkit's code: files (as
    ``Path``, by content), frames, arrays and plain values.
    """
    if not enabled():
        return dict(compute())
    folder = key(kind, inputs)
    if folder.is_dir():
        try:
            frames = {path.stem: pd.read_parquet(path) for path in sorted(folder.glob("*.parquet"))}
            if frames:
                return frames
        except (OSError, ArrowException):  # a damaged entry: compute again, and replace it below
            pass
        shutil.rmtree(folder, ignore_errors=True)
    frames = dict(compute())
    publish(folder, lambda staging: [frame.to_parquet(staging / f"{name}.parquet") for name, frame in frames.items()])
    return frames


def kept_for_lines(kind: str, lines: object, inputs: Mapping[str, object],
                   compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()``, a frame computed from order ``lines``: kept by :func:`kept` when the lines are a
    Parquet file (keyed by its content and ``inputs``), which every notebook of a report reads, each in its
    own kernel; computed every time when they are a frame or a folder."""
    if isinstance(lines, pd.DataFrame) or not Path(lines).is_file():
        return compute()
    return kept(kind, {"lines": Path(lines), **inputs}, lambda: {kind: compute()})[kind]


def publish(folder: Path, write: Callable[[Path], object]) -> None:
    """``write`` into a temporary folder, then rename it to ``folder``, so that notebooks running in
    parallel never read half an entry."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, suffix=".tmp"))
    try:
        write(staging)
        os.replace(staging, folder)
    except OSError:  # another process wrote the same entry first
        if not folder.exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish_file(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temporary file beside ``path``, then rename it to ``path``, so that no process reads
    half a file; processes that write the same file at once write the same content, and one rename wins."""
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}-", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(staging))
        os.replace(staging, path)
    finally:
        Path(staging).unlink(missing_ok=True)
