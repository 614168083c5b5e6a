"""The shape of segkit: modules and their sizes, public names, the longest functions.

Usage: ``python tools/shape.py [--top N]`` (``make shape``).

- A module's size is its number of lines.
- A function's length runs from ``def`` to its last line, without its docstring (the
  numpydoc docstrings are documentation, not code to read through).
- The public names are the API a user is shown: each package's ``__all__`` (segkit and its
  subpackages) and the public names of the top-level modules, each object counted once
  (``segkit.load_clean`` is ``segkit.data.load_clean``), plus the public functions of a
  subpackage's ``plots`` and ``text`` modules (or packages), which the notebooks reach as modules.
  Other submodules of the subpackages are implementation, as scikit-learn's are: tests may import
  from them, users should not need to.
- The families of issue 10 (:data:`ISSUE_10_FAMILIES`: the top level, data, rfm, cluster, clv,
  campaign, datasets, plots, errors, paths, report, with their plots and text modules) are the
  package as it was when the issue set its target of fewer than 120 public names; the packages
  added since are counted apart. Places are listed family by family, so an object that a newer
  package re-exports is counted where it was first defined or exported.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import pkgutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "segkit"
#: The parts of segkit that issue 10 counted (its target: fewer than 120 public names); "segkit" is the top level.
ISSUE_10_FAMILIES = ("segkit", "data", "rfm", "cluster", "clv", "campaign", "datasets", "plots", "errors", "paths",
                     "report")


def module_sizes() -> dict[str, int]:
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _docstring_lines(node: ast.AST) -> int:
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[0].end_lineno - body[0].lineno + 1
    return 0


def function_lengths(*, count_docstrings: bool = False) -> list[tuple[int, str]]:
    lengths = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1 - (0 if count_docstrings else _docstring_lines(node))
                lengths.append((length, f"{path.relative_to(ROOT)}:{node.name}"))
    return sorted(lengths, reverse=True)


def family(place: str) -> str:
    """The top-level part of segkit a place belongs to: ``segkit.cluster.text`` -> ``cluster``; ``segkit`` -> ``segkit``."""
    parts = place.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _places() -> list[str]:
    """Where public names are looked up: the top level, then each top-level module or package followed by its
    ``plots`` and ``text`` modules, issue 10's families first."""
    infos = [info for info in pkgutil.iter_modules([str(PACKAGE)]) if not info.name.startswith("_")]
    infos.sort(key=lambda info: (info.name not in ISSUE_10_FAMILIES, info.name))
    places = ["segkit"]
    for info in infos:
        places.append(f"segkit.{info.name}")
        if info.ispkg:
            places += [f"segkit.{info.name}.{module}" for module in ("plots", "text")
                       if (PACKAGE / info.name / f"{module}.py").exists() or (PACKAGE / info.name / module).is_dir()]
    return places


def public_names() -> dict[str, list[str]]:
    """Public names per package or top-level module, each object listed under the first place it appears."""
    seen: set[int] = set()
    names: dict[str, list[str]] = {}
    for place in _places():
        module = importlib.import_module(place)
        exported = getattr(module, "__all__", None)
        if exported is None:
            exported = [name for name, value in vars(module).items()
                        if not name.startswith("_") and getattr(value, "__module__", None) == place]
        fresh = [name for name in exported if id(getattr(module, name)) not in seen]
        seen.update(id(getattr(module, name)) for name in exported)
        names[place] = fresh
    return names


def totals(names: dict[str, list[str]]) -> dict[str, int]:
    """Public names per top-level part (with its plots and text modules), from :func:`public_names`."""
    counts: dict[str, int] = {}
    for place, listed in names.items():
        counts[family(place)] = counts.get(family(place), 0) + len(listed)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    sizes = module_sizes()
    print(f"modules: {len(sizes)}, lines: {sum(sizes.values()):,}, largest: "
          + ", ".join(f"{name} {n}" for name, n in sorted(sizes.items(), key=lambda kv: -kv[1])[:5]))
    print(f"modules over 500 lines: {[name for name, n in sizes.items() if n > 500]}")
    lengths = function_lengths()
    with_docstrings = function_lengths(count_docstrings=True)
    print(f"functions over 60 lines: {sum(n > 60 for n, _ in lengths)} without their docstring, "
          f"{sum(n > 60 for n, _ in with_docstrings)} with it; longest without:")
    for n, name in lengths[:args.top]:
        print(f"  {n:4d}  {name}")
    names = public_names()
    counts = totals(names)
    in_issue = sum(n for part, n in counts.items() if part in ISSUE_10_FAMILIES)
    print(f"public names: {sum(counts.values())} in all of segkit; {in_issue} in the families of issue 10 "
          f"(target: fewer than 120); added since: "
          + ", ".join(f"{part} {n}" for part, n in counts.items() if part not in ISSUE_10_FAMILIES))
    for place, listed in names.items():
        print(f"  {place:22s} {len(listed):3d}")


if __name__ == "__main__":
    main()
