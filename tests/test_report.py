"""The report pipeline: offline HTML, handouts, parameters, and failures that lose nothing."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from segkit import report
from segkit.paths import NOTEBOOKS_DIR


def small_notebook(body: str) -> nbformat.NotebookNode:
    notebook = new_notebook(cells=[
        new_markdown_cell("# A small report\nIt says hello."),
        new_code_cell('data_path: str = "x.csv"  # the data\nseed: int = 1  # the seed\noutput_dir: str = "reports"  # exports',
                      metadata={"tags": ["parameters"]}),
        new_code_cell("from IPython.display import Markdown\nMarkdown(f'**Seed is {seed}**')",
                      metadata={"tags": ["headline"]}),
        new_code_cell(body),
        new_code_cell("print('the answer is 42')", metadata={"tags": ["solution"]}),
    ])
    notebook.metadata["kernelspec"] = dict(report.KERNELSPEC)
    return notebook


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A throwaway notebooks/ and reports/ pair for the pipeline to work in."""
    notebooks, reports = tmp_path / "notebooks", tmp_path / "reports"
    notebooks.mkdir()
    monkeypatch.setattr(report, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(report, "REPORTS_DIR", reports)
    monkeypatch.setattr(report, "_data_summary", lambda params: {"file": "x.csv"})
    return notebooks, reports


def test_stakeholder_html_hides_code_and_loads_nothing_from_the_network():
    html = report.render_html(NOTEBOOKS_DIR / "00_data_profiling.ipynb")
    assert "load_transactions(" not in html  # code is hidden
    assert "clean_drop" not in html  # solution cells are removed
    assert "data quality log" in html.lower() or "data-quality log" in html.lower()
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=\"https?://", html)  # no remote script or stylesheet
    assert 'import("http' not in html  # no module loaded from a CDN
    assert "data:image/png;base64" in html  # figures are embedded


def test_handout_drops_solutions_and_outputs():
    notebook = nbformat.read(NOTEBOOKS_DIR / "00_data_profiling.ipynb", as_version=4)
    n_solutions = sum("solution" in c.metadata.get("tags", []) for c in notebook.cells)
    handout = report.make_handout(notebook)
    assert n_solutions > 0
    assert not any("solution" in c.metadata.get("tags", []) for c in handout.cells)
    assert all(not c.outputs for c in handout.cells if c.cell_type == "code")


def test_parameters_are_filtered_to_what_a_notebook_declares(project, tmp_path):
    notebooks, _ = project
    nbformat.write(small_notebook("1 + 1"), notebooks / "01_small.ipynb")
    params = {"data_path": "d.csv", "seed": 7, "returns": "net", "notebooks": {"01_small": {"seed": 9}}}
    values = report.notebook_parameters(notebooks / "01_small.ipynb", params, output_dir=tmp_path)
    assert values == {"data_path": "d.csv", "seed": 9, "output_dir": str(tmp_path)}
    with pytest.raises(report.ReportError, match=r"has no parameter\(s\) \['n_clusters'\]"):
        report.notebook_parameters(notebooks / "01_small.ipynb", {"notebooks": {"01_small": {"n_clusters": 3}}},
                                   output_dir=tmp_path)


def test_a_failing_notebook_is_named_and_previous_reports_survive(project):
    notebooks, reports = project
    nbformat.write(small_notebook("print('fine')"), notebooks / "01_good.ipynb")
    nbformat.write(small_notebook("raise ValueError('planted failure')"), notebooks / "02_bad.ipynb")
    reports.mkdir()
    (reports / "index.html").write_text("previous good index")
    with pytest.raises(report.ReportError, match=r"02_bad.ipynb failed in cell .*ValueError: planted failure"):
        report.build_reports(jobs=2)
    assert (reports / "index.html").read_text() == "previous good index"
    assert (reports / "failed" / "02_bad.ipynb").exists()
    assert not (reports / "01_good.html").exists()


def test_successful_run_writes_reports_and_index_with_headlines(project):
    notebooks, reports = project
    nbformat.write(small_notebook("print('fine')"), notebooks / "01_good.ipynb")
    index = report.build_reports(jobs=1)
    page = index.read_text()
    assert "A small report" in page and "Seed is 42" in page  # seed from params/default.yaml
    html = (reports / "01_good.html").read_text()
    assert "the answer is 42" not in html and "print(" not in html
    assert not list(reports.glob(".staging-*"))


def test_reports_show_the_final_export_folder_not_the_staging_one(project):
    notebooks, reports = project
    nbformat.write(small_notebook("print(f'wrote {output_dir}/plan.csv')"), notebooks / "01_exports.ipynb")
    report.build_reports(jobs=1)
    html = (reports / "01_exports.html").read_text()
    executed = nbformat.read(reports / "notebooks" / "01_exports.ipynb", as_version=4)
    outputs = str([cell.get("outputs", []) for cell in executed.cells])
    assert "wrote" in html and ".staging-" not in html and ".staging-" not in outputs
    assert f"wrote {reports}/plan.csv" in html
