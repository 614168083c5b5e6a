"""The model file: versioned, human-readable JSON (no pickle), checked field by field when read.

Layout (version 1)::

    {"format": "segkit-segmentation", "version": 1, "snapshot": "2026-01-01", "n_customers": 4982,
     "rfm": {"bins": 5, "cuts": {"R": [...], "F": [...], "M": [...]}, "scoring": {...}, "rules": [{...}, ...]},
     "kmeans": {"features": [...], "log_columns": [...], "clip": {"lower": [...], "upper": [...]},
                "scaler": {"mean": [...], "scale": [...]}, "centroids": [[...], ...], "names": [...]}}

Infinite RFM cut points (score levels no customer reached) are written as the strings ``"inf"`` and
``"-inf"``, which JSON has no number for. Floats are written in full (Python's shortest round-trip
form), so a saved model scores exactly as the fitted one.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

from segkit.errors import DataError
from segkit.rfm import RFMScale, load_rules
from segkit.score.model import RULE_COLUMNS, KMeansPart, SegmentationModel

FORMAT: str = "segkit-segmentation"
VERSION: int = 1
_REFIT = ("re-create it with `make report ONLY=07` (notebook 07 writes reports/segmentation_model.json) "
          "or segkit.score.save_model(segkit.score.fit_model(customers), path)")


def _cut(value: float) -> float | str:
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def model_to_dict(model: SegmentationModel) -> dict:
    """The JSON-ready dict of ``model`` (see the module docstring for the layout)."""
    k = model.kmeans
    return {
        "format": FORMAT,
        "version": VERSION,
        "snapshot": model.snapshot,
        "n_customers": model.n_customers,
        "rfm": {"bins": model.rfm.bins, "cuts": {d: [_cut(c) for c in cuts] for d, cuts in model.rfm.thresholds.items()},
                "scoring": dict(model.rfm.scoring), "rules": [dict(r) for r in model.rules]},
        "kmeans": {"features": list(k.features), "log_columns": list(k.log_columns),
                   "clip": {"lower": list(k.lower), "upper": list(k.upper)},
                   "scaler": {"mean": list(k.mean), "scale": list(k.scale)},
                   "centroids": [list(row) for row in k.centroids], "names": list(k.names)},
    }


def save_model(model: SegmentationModel, path: str | os.PathLike) -> Path:
    """Write ``model`` to ``path`` as indented JSON (folders made as needed); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_dumps(model_to_dict(model)) + "\n", encoding="utf-8")
    return path


def _dumps(content: dict) -> str:
    """Indented JSON with each list of numbers or names on one line, so that a person can read the file."""
    text = json.dumps(content, indent=1, ensure_ascii=False)
    # JSON strings hold no raw newline, so only the layout's own line breaks are joined
    return re.sub(r"\[\n\s*([^\[\]{}]*?)\n\s*\]", lambda m: "[" + re.sub(r",\n\s*", ", ", m.group(1)) + "]", text)


def load_model(path: str | os.PathLike) -> SegmentationModel:
    """Read and check a model file written by :func:`save_model`.

    Raises
    ------
    DataError
        The file is missing or not JSON, is not a segkit segmentation, comes from another version,
        or lacks a field or holds a wrong one; the message names the file, the field and the fix.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"model file {str(path)!r} does not exist; {_REFIT}.")
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"model file {str(path)!r} is not readable JSON ({error}); {_REFIT}.") from None
    return model_from_dict(content, source=str(path))


def model_from_dict(content: object, *, source: str = "the model") -> SegmentationModel:
    """A :class:`SegmentationModel` from :func:`model_to_dict`'s dict, every field checked (see :func:`load_model`)."""
    reader = _Reader(content, source)
    if reader.get("format", str) != FORMAT:
        raise DataError(f"{source} has format {content.get('format')!r}, not {FORMAT!r}: it is not a segkit "
                        f"segmentation model; {_REFIT}.")
    version = reader.get("version", int)
    if version != VERSION:
        newer = "newer than this segkit, which reads" if version > VERSION else "older than this segkit, which reads"
        raise DataError(f"{source} is model file version {version}, {newer} version {VERSION} only; "
                        f"upgrade segkit to read it, or {_REFIT}.")
    return SegmentationModel(snapshot=reader.get("snapshot", str), n_customers=reader.get("n_customers", int),
                             rfm=_rfm(reader), rules=_rules(reader), kmeans=_kmeans(reader))


class _Reader:
    """Fields by dotted path, each checked for presence and type; errors name the path."""

    def __init__(self, content: object, source: str):
        if not isinstance(content, dict):
            raise DataError(f"{source} holds a JSON {type(content).__name__}, not an object with the model's "
                            f"fields; {_REFIT}.")
        self.content, self.source = content, source

    def get(self, dotted: str, kind: type | tuple[type, ...]):
        value = self.content
        for part in dotted.split("."):
            if not isinstance(value, dict) or part not in value:
                raise DataError(f"{self.source} lacks the field {dotted!r}; it was not written by "
                                f"segkit.score.save_model or was edited by hand: {_REFIT}.")
            value = value[part]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise DataError(f"{self.source} field {dotted!r} holds {value!r:.60}, not a {_kind(kind)}; {_REFIT}.")
        return value

    def numbers(self, dotted: str, length: int | None = None, *, cuts: bool = False, values: object = None
                ) -> tuple[float, ...]:
        """The list at ``dotted`` (or ``values``, reported as ``dotted``) as floats, ``length`` of them."""
        values = self.get(dotted, list) if values is None else values
        if not isinstance(values, list):
            raise self.fail(dotted, f"holds {values!r:.60}, not a list of numbers")
        try:
            out = tuple(float(v) if not isinstance(v, bool) and (cuts or not isinstance(v, str)) else float("nan")
                        for v in values)
        except (TypeError, ValueError):
            out = (float("nan"),)
        if any(math.isnan(v) for v in out) or (not cuts and any(math.isinf(v) for v in out)):
            raise DataError(f"{self.source} field {dotted!r} must hold numbers, got {values!r:.80}; {_REFIT}.")
        if length is not None and len(out) != length:
            raise DataError(f"{self.source} field {dotted!r} holds {len(out)} numbers but {length} are needed; "
                            f"{_REFIT}.")
        return out

    def fail(self, dotted: str, problem: str) -> DataError:
        return DataError(f"{self.source} field {dotted!r} {problem}; {_REFIT}.")


def _kind(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    words = {str: "text", int: "whole number", float: "number", list: "list", dict: "object"}
    return " or ".join(words.get(k, k.__name__) for k in kinds)


def _rfm(reader: _Reader) -> RFMScale:
    bins = reader.get("rfm.bins", int)
    if bins < 2:
        raise reader.fail("rfm.bins", f"is {bins}, but a score scale needs at least 2 levels")
    cuts = {d: reader.numbers(f"rfm.cuts.{d}", bins - 1, cuts=True) for d in "RFM"}
    scoring = {d: reader.get(f"rfm.scoring.{d}", str) for d in "RFM"}
    return RFMScale(bins, cuts, scoring)


def _rules(reader: _Reader) -> tuple[dict, ...]:
    rows = reader.get("rfm.rules", list)
    if not rows or not all(isinstance(r, dict) and all(c in r for c in RULE_COLUMNS) for r in rows):
        raise reader.fail("rfm.rules", f"must be a non-empty list of rules with the keys {list(RULE_COLUMNS)}")
    try:
        load_rules(_table(rows))  # the rules' own checks: ranges, gaps, overlaps
    except DataError as error:
        raise reader.fail("rfm.rules", f"holds rules segkit cannot use ({error})") from None
    return tuple({c: r[c] for c in RULE_COLUMNS} for r in rows)


def _table(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame(rows, columns=list(RULE_COLUMNS))


def _kmeans(reader: _Reader) -> KMeansPart:
    features = tuple(reader.get("kmeans.features", list))
    if not features or not all(isinstance(f, str) for f in features):
        raise reader.fail("kmeans.features", "must be a non-empty list of customer-table column names")
    log_columns = tuple(reader.get("kmeans.log_columns", list))
    if any(c not in features for c in log_columns):
        raise reader.fail("kmeans.log_columns", f"names columns that are not features {list(features)}")
    n = len(features)
    lower, upper = reader.numbers("kmeans.clip.lower", n), reader.numbers("kmeans.clip.upper", n)
    mean, scale = reader.numbers("kmeans.scaler.mean", n), reader.numbers("kmeans.scaler.scale", n)
    if any(s <= 0 for s in scale):
        raise reader.fail("kmeans.scaler.scale", "must hold positive numbers")
    rows = reader.get("kmeans.centroids", list)
    centroids = tuple(reader.numbers(f"kmeans.centroids[{i}]", n, values=row) for i, row in enumerate(rows))
    names = tuple(reader.get("kmeans.names", list))
    if len(centroids) < 2 or len(names) != len(centroids) or len(set(names)) != len(names):
        raise reader.fail("kmeans.names", f"must give {len(centroids)} distinct names, one per centroid (at least 2), "
                                          f"got {list(names)[:8]}")
    return KMeansPart(features, log_columns, lower, upper, mean, scale, centroids, tuple(str(n) for n in names))
