"""Mutation testing of one segkit subpackage with mutmut, in a private copy of the working tree.

Usage: ``python tools/mutants.py FAMILY [--max-children N] [--keep] [--only NAMES] [--tests FILES] [--copy NAME]``
(``make mutants FAMILY=rfm``).

FAMILY is one of data, rfm, cluster, clv, campaign. The working tree (tracked and
untracked, not ignored files) is copied to ``build/mutants/FAMILY/`` with mutmut's
configuration narrowed to ``segkit/FAMILY/``, so that several families can be checked at
the same time and the checkout itself is never touched. mutmut then plants one small bug
at a time and runs the unit tests that cover the mutated function (``make test-code``'s
tests, without the notebooks). The score is killed / (killed + survived + timeouts + not covered by any test); the
surviving mutants are listed with ``mutmut show NAME`` run in the copy.

``--keep`` reuses the copy's earlier results: only mutants of functions whose code changed,
and those not yet checked, are run again. After new tests, leave ``--keep`` off (or pass the
survivors' names with ``--only``) so that old survivors are checked against the new tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("data", "rfm", "cluster", "clv", "campaign")
MUTMUT = Path(sys.executable).with_name("mutmut")


def _tree_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    return [name for name in listed if (ROOT / name).is_file()]


def _copy_tree(target: Path, *, keep: bool) -> None:
    if target.exists() and not keep:
        shutil.rmtree(target)
    names = _tree_files()
    for name in names:
        source, destination = ROOT / name, target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    _drop_stale(target, set(names))


def _drop_stale(target: Path, names: set[str]) -> None:
    """Remove the copy's modules and tests that the working tree no longer has, and their mutants:
    a module moved into a package would otherwise still be imported, mutated and scored."""
    for folder in ("segkit", "tests"):
        for stale in [p for p in (target / folder).rglob("*.py") if str(p.relative_to(target)) not in names]:
            stale.unlink()
            for mutated in (target / "mutants" / stale.relative_to(target)).parent.glob(stale.name + "*"):
                mutated.unlink()


def _narrow_config(target: Path, family: str, tests: list[str]) -> None:
    pyproject = target / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = re.sub(r"only_mutate = \[.*?\]", f'only_mutate = ["segkit/{family}/*"]', text, count=1, flags=re.S)
    if tests:
        selection = ", ".join(f'"{t}"' for t in tests)
        text = re.sub(r"pytest_add_cli_args_test_selection = \[.*?\]",
                      f"pytest_add_cli_args_test_selection = [{selection}]", text, count=1, flags=re.S)
    pyproject.write_text(text, encoding="utf-8")


def _fixtures_per_test(target: Path) -> None:
    """Run the copy's module-scoped fixtures once per test.

    mutmut runs, for each mutant, only the tests that called the mutated function while its
    statistics were collected. A module-scoped fixture calls it inside the module's first test
    only, so every later test that checks the fixture's result was never run against the mutant
    and its kills went uncounted. Per-test fixtures cost time, not correctness: the tests are the same.
    """
    for test_file in (target / "tests").rglob("*.py"):
        text = test_file.read_text(encoding="utf-8")
        per_test = text.replace('@pytest.fixture(scope="module")', "@pytest.fixture")
        if per_test != text:
            test_file.write_text(per_test, encoding="utf-8")


def _score(target: Path) -> dict[str, int]:
    subprocess.run([str(MUTMUT), "export-cicd-stats"], cwd=target, check=True, capture_output=True)
    return json.loads((target / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))


def _survivors(target: Path) -> list[str]:
    listed = subprocess.run([str(MUTMUT), "results"], cwd=target, check=True, capture_output=True, text=True).stdout
    return [line.split(":")[0].strip() for line in listed.splitlines() if line.strip().endswith(("survived", "timeout"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("family", choices=FAMILIES)
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="reuse earlier results in the copy")
    parser.add_argument("--only", nargs="*", default=(), help="mutant names (globs) to run")
    parser.add_argument("--copy", default=None,
                        help="name of the copy under build/mutants/ (default: the family), for a second measurement "
                             "of some of the family's mutants (--only) against other tests (--tests)")
    parser.add_argument("--tests", nargs="*", default=[],
                        help="test files to run instead of all of tests/ (a narrower score: kills by other "
                             "tests are not counted); for when another family's unfinished work breaks a test")
    args = parser.parse_args(argv)

    target = ROOT / "build" / "mutants" / (args.copy or args.family)
    _copy_tree(target, keep=args.keep or bool(args.only))
    _narrow_config(target, args.family, args.tests)
    _fixtures_per_test(target)
    run = [str(MUTMUT), "run", "--max-children", str(args.max_children), *args.only]
    # one OpenMP / BLAS / DuckDB thread per test process: mutmut limits each mutant's CPU time, and
    # threads that wait for a shared core use CPU time without doing work (mutants timed out)
    single = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                     "SEGKIT_ENGINE_THREADS")}
    # every mutant runs from one source text, so results kept on disk (segkit.memo) would cross from one to the next
    single["SEGKIT_KEEP_RESULTS"] = "0"
    if subprocess.run(run, cwd=target, check=False, env={**os.environ, **single}).returncode != 0:
        print(f"mutmut stopped early (see above); results so far are in {target.relative_to(ROOT)}", file=sys.stderr)
    stats = _score(target)
    if stats["killed"] + stats["survived"] == 0:
        print("no mutant was checked: the unmutated tests must pass first", file=sys.stderr)
        return 1
    counted = stats["killed"] + stats["survived"] + stats.get("timeout", 0) + stats.get("no_tests", 0)
    survivors = _survivors(target)
    print(f"\n{len(survivors)} surviving mutants (see them with: cd {target.relative_to(ROOT)} && mutmut show NAME):")
    print("\n".join(f"  {name}" for name in survivors))
    print(f"\nsegkit.{args.family}: {stats['killed']} of {counted} mutants killed "
          f"({stats['killed'] / max(counted, 1):.1%}; {stats.get('no_tests', 0)} of the others not covered by any test), "
          f"{stats.get('skipped', 0)} skipped; totals {json.dumps(stats)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
