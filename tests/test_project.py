"""The project's promises to a newcomer: pinned, consistent set-up files and well-formed notebooks."""

from __future__ import annotations

import re
import tomllib

import nbformat
import papermill
import pytest
import yaml
from packaging.requirements import Requirement

from segkit.paths import PROJECT_ROOT
from segkit.report import list_notebooks
from segkit.report.execute import EXPORTS_PARAMETER

SHARED_PARAMETERS = ("data_path", "column_map", "returns", "snapshot_date", "seed", "output_dir")


def pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {Requirement(r).name.lower(): Requirement(r) for r in requirements}


def test_environment_yml_lists_the_same_packages_and_bounds():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = {}
    for entry in env["dependencies"]:
        if isinstance(entry, str) and entry not in ("pip",) and not entry.startswith("python"):
            requirement = Requirement(entry)
            conda[requirement.name.lower()] = requirement
    pip = pyproject_requirements()
    assert set(conda) == set(pip)
    for name, requirement in pip.items():
        assert str(conda[name].specifier) == str(requirement.specifier), name


def test_lock_file_pins_every_dependency_within_its_bounds():
    pins = {}
    for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            requirement = Requirement(line)
            pins[requirement.name.lower().replace("_", "-")] = requirement
    for name, requirement in pyproject_requirements().items():
        pin = pins.get(name.replace("_", "-"))
        assert pin is not None, f"{name} is not pinned in requirements.lock"
        (exact,) = list(pin.specifier)
        assert exact.operator == "==", f"{name} is not pinned exactly"
        assert requirement.specifier.contains(exact.version), f"{name}=={exact.version} violates {requirement}"


def test_readme_shows_the_commands_ci_runs():
    readme = (PROJECT_ROOT / "README.md").read_text()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    for command in ("make setup", "make report", "make test"):
        assert command in readme
    assert "make setup" in ci and "make test" in ci


def test_make_help_lists_every_target():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY: (.+)$", makefile, re.M).group(1).split()
    documented = re.findall(r"^([a-z-]+):.*## ", makefile, re.M)
    assert sorted(phony) == sorted(documented)


NOTEBOOKS = list_notebooks()


def test_all_ten_notebooks_exist_in_analyst_order():
    assert [p.stem for p in NOTEBOOKS] == [
        "00_data_profiling", "01_rfm", "02_kmeans", "03_hierarchical", "04_pca", "05_clv", "06_campaign_roi",
        "07_segments_over_time", "08_what_segments_buy", "09_personas",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_template(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    tagged = lambda tag: [c for c in notebook.cells if tag in c.metadata.get("tags", [])]  # noqa: E731
    (parameters,) = tagged("parameters")
    lines = [line for line in parameters.source.splitlines() if line.strip()]
    declared = papermill.inspect_notebook(str(path))  # the parser behind papermill --help-notebook
    names = list(declared)
    assert len(names) == len(lines), f"papermill could not parse some parameter lines of {path.name}"
    for name, spec in declared.items():
        assert spec["inferred_type_name"] != "None", f"parameter {name} has no type"
        assert spec["help"], f"parameter {name} has no comment"
    # a notebook built from the other notebooks' exports (exports_dir) reads no data file itself
    shared = ("seed", "output_dir") if EXPORTS_PARAMETER in names else SHARED_PARAMETERS
    assert set(shared) <= set(names)
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    assert tagged("solution"), "no exercise solutions tagged 'solution'"
    headline = tagged("headline")
    assert headline and any("text/markdown" in o.get("data", {}) for c in headline for o in c.outputs)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            assert not re.search(r"\$[^$\s][^$]*\$", cell.source), "LaTeX does not render in offline reports"
        else:
            assert cell.execution_count is not None, "notebooks are stored executed (nbval compares outputs)"
            assert not any(o.get("output_type") == "error" for o in cell.outputs)
            assert "/work/" not in str(cell.outputs), "absolute paths in outputs"
