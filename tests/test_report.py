"""The report pipeline: offline HTML, handouts, parameters, and failures that lose nothing."""

from __future__ import annotations

import html
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from segkit import report
from segkit.paths import NOTEBOOKS_DIR
from segkit.report.__main__ import main
from segkit.report.execute import notebook_parameters
from segkit.report.index import _differences
from segkit.report.records import read_record
from segkit.report.render import render_html
from segkit.report.stored import KERNELSPEC, make_handout
from segkit.report.summary import safe_data_summary


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
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    return notebook


class Project:
    """A throwaway notebooks/ and reports/ pair, and a two-order export the index summarises."""

    def __init__(self, tmp_path):
        self.folders = report.Folders(notebooks=tmp_path / "notebooks", reports=tmp_path / "reports")
        self.folders.notebooks.mkdir()
        orders = tmp_path / "orders.csv"
        orders.write_text("Invoice,Customer ID,InvoiceDate,Quantity,Price\n"
                          "A1,C1,2024-01-02,2,5.00\nA2,C2,2024-01-03,1,7.50\n")
        self.params = tmp_path / "params.yaml"
        self.params.write_text(f"data_path: {orders}\n")

    def __iter__(self):
        return iter((self.folders.notebooks, self.folders.reports))

    def build(self, **options):
        return report.build_reports(params_file=str(self.params), folders=self.folders, **options)

    def main(self, argv):
        return main([*argv, "--params", str(self.params)], folders=self.folders)


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)


def test_stakeholder_html_hides_code_and_loads_nothing_from_the_network():
    html = render_html(NOTEBOOKS_DIR / "00_data_profiling.ipynb")
    assert "load_transactions(" not in html  # code is hidden
    assert "clean_drop" not in html  # solution cells are removed
    assert "data quality log" in html.lower() or "data-quality log" in html.lower()
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=\"https?://", html)  # no remote script or stylesheet
    assert 'import("http' not in html  # no module loaded from a CDN
    assert "data:image/png;base64" in html  # figures are embedded


def test_handout_drops_solutions_and_outputs():
    notebook = nbformat.read(NOTEBOOKS_DIR / "00_data_profiling.ipynb", as_version=4)
    n_solutions = sum("solution" in c.metadata.get("tags", []) for c in notebook.cells)
    handout = make_handout(notebook)
    assert n_solutions > 0
    assert not any("solution" in c.metadata.get("tags", []) for c in handout.cells)
    assert all(not c.outputs for c in handout.cells if c.cell_type == "code")


def test_parameters_are_filtered_to_what_a_notebook_declares(project, tmp_path):
    notebooks, _ = project
    nbformat.write(small_notebook("1 + 1"), notebooks / "01_small.ipynb")
    params = {"data_path": "d.csv", "seed": 7, "returns": "net", "notebooks": {"01_small": {"seed": 9}}}
    values = notebook_parameters(notebooks / "01_small.ipynb", params, output_dir=tmp_path)
    assert values == {"data_path": "d.csv", "seed": 9, "output_dir": str(tmp_path)}
    with pytest.raises(report.ReportError, match=r"has no parameter\(s\) \['n_clusters'\]"):
        notebook_parameters(notebooks / "01_small.ipynb", {"notebooks": {"01_small": {"n_clusters": 3}}},
                                   output_dir=tmp_path)


def exporting(name: str, then: str = "") -> str:
    """A cell body that writes the export ``name`` into ``output_dir``, then runs ``then``."""
    return (f"from pathlib import Path\nPath(output_dir).mkdir(parents=True, exist_ok=True)\n"
            f"Path(output_dir, {name!r}).write_text('customer_id\\n1\\n')\n{then}")


PLANTED = "raise ValueError('planted failure')"


def test_a_failing_notebook_withholds_nothing_else_and_leaves_nothing_stale(project, capsys):
    notebooks, reports = project
    nbformat.write(small_notebook(exporting("good.csv")), notebooks / "01_good.ipynb")
    nbformat.write(small_notebook(exporting("bad.csv")), notebooks / "02_bad.ipynb")
    assert project.main(["--jobs", "2"]) == 0
    assert (reports / "02_bad.html").exists() and (reports / "bad.csv").exists()
    (reports / "legacy.csv").write_text("from a run before runs were recorded")
    good_before = (reports / "01_good.html").read_text()

    # the second run: 02 now writes a new partial export, then fails; 01 writes another export
    nbformat.write(small_notebook(exporting("bad_partial.csv", PLANTED)), notebooks / "02_bad.ipynb")
    nbformat.write(small_notebook(exporting("good_v2.csv")), notebooks / "01_good.ipynb")
    assert project.main(["--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert "02_bad.ipynb failed in cell" in err and "ValueError: planted failure" in err
    assert f"executed copy: {reports / 'failed' / '02_bad.ipynb'}" in err

    # the good notebook is published, its export of the earlier run that it no longer writes is gone
    assert (reports / "01_good.html").exists() and (reports / "01_good.html").read_text() != good_before
    assert (reports / "good_v2.csv").exists() and not (reports / "good.csv").exists()
    # nothing of the failed notebook is shown as current: no report, executed notebook or export
    assert not (reports / "02_bad.html").exists()
    assert not (reports / "notebooks" / "02_bad.ipynb").exists()
    assert not (reports / "bad.csv").exists() and not (reports / "bad_partial.csv").exists()
    # its executed copy is kept, and says what failed
    failed = nbformat.read(reports / "failed" / "02_bad.ipynb", as_version=4)
    assert failed.metadata["segkit"]["error"].startswith("02_bad.ipynb failed in cell")
    assert not list(reports.glob(".staging-*"))

    page = (reports / "index.html").read_text()
    failures, listed = page.split("<h2>Reports</h2>")
    assert "02_bad" in failures and "ValueError: planted failure" in failures
    assert re.search(r"failed in cell \d+", failures) and PLANTED.replace("'", "&#x27;") in failures
    assert 'href="failed/02_bad.ipynb"' in failures
    assert 'href="01_good.html"' in listed and "02_bad.html" not in listed
    assert 'href="good_v2.csv"' in listed
    assert "Other files in reports/" in page and 'href="legacy.csv"' in page  # unaccounted for, and said so


def test_only_runs_a_subset_and_keeps_the_other_reports(project):
    notebooks, reports = project
    nbformat.write(small_notebook(exporting("good.csv")), notebooks / "01_good.ipynb")
    nbformat.write(small_notebook(PLANTED), notebooks / "02_fixed.ipynb")
    with pytest.raises(report.ReportError, match=r"1 of 2 notebook\(s\) failed"):
        project.build(jobs=2)
    assert (reports / "failed" / "02_fixed.ipynb").exists()
    good = (reports / "01_good.html").read_text()

    nbformat.write(small_notebook("print('fixed')"), notebooks / "02_fixed.ipynb")
    project.build(jobs=1, only=["02"])
    assert (reports / "01_good.html").read_text() == good  # not run: left as it was
    assert (reports / "good.csv").exists()
    assert (reports / "02_fixed.html").exists()
    assert not (reports / "failed" / "02_fixed.ipynb").exists()  # the failure is no longer current
    page = (reports / "index.html").read_text()
    assert "Failed notebooks" not in page
    rows = {name: row for row in page.split("<tr>") for name in ("01_good", "02_fixed") if f'"{name}.html"' in row}
    assert "earlier run" in rows["01_good"] and "this run" not in rows["01_good"]
    assert "this run" in rows["02_fixed"]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows["01_good"])  # with its date
    assert "other parameters" not in rows["01_good"]  # same parameters and data as this run
    record = read_record(reports / "notebooks" / "01_good.ipynb")
    params = report.load_parameters(str(project.params))
    same_data = {"data_sha256": record["data_sha256"]}
    assert _differences("01_good", record, {**params, "seed": 7}, same_data, project.folders) \
        == "other parameters than this run"
    assert _differences("01_good", record, params, {"data_sha256": "other"}, project.folders) \
        == "other data than this run"


def test_index_is_written_when_the_data_cannot_be_read(project, tmp_path):
    notebooks, reports = project
    bad = tmp_path / "not_orders.csv"
    bad.write_text("this is not,an order export\n1,2\n")
    summary = safe_data_summary({"data_path": str(bad)})
    assert "error" in summary and "Error" in summary["error"]

    nbformat.write(small_notebook("print('fine')"), notebooks / "01_good.ipynb")
    with pytest.raises(report.ReportError, match="data summary"):
        project.build(jobs=1, data=str(bad))
    page = (reports / "index.html").read_text()
    assert 'href="01_good.html"' in page
    assert "could not be computed" in page and html.escape(summary["error"]) in page


def test_exports_that_would_overwrite_another_reports_file_fail_the_later_notebook(project):
    notebooks, reports = project
    nbformat.write(small_notebook(exporting("same.csv")), notebooks / "01_first.ipynb")
    nbformat.write(small_notebook(exporting("same.csv")), notebooks / "02_second.ipynb")
    with pytest.raises(report.ReportError, match=r"02_second.ipynb ran, but its exports would overwrite .*same.csv"):
        project.build(jobs=2)
    assert (reports / "01_first.html").exists() and (reports / "same.csv").exists()
    assert not (reports / "02_second.html").exists()


def test_successful_run_writes_reports_and_index_with_headlines(project):
    notebooks, reports = project
    nbformat.write(small_notebook("print('fine')"), notebooks / "01_good.ipynb")
    index = project.build(jobs=1)
    page = index.read_text()
    assert "A small report" in page and "Seed is 42" in page  # seed from params/default.yaml
    # the data summary of the two-order export the run was given
    assert "orders.csv" in page and "2024-01-02 to 2024-01-03" in page
    assert "<th>rows in / kept</th><td>2 / 2</td>" in page and "<th>customers kept</th><td>2</td>" in page
    html = (reports / "01_good.html").read_text()
    assert "the answer is 42" not in html and "print(" not in html
    assert not list(reports.glob(".staging-*"))


def test_reports_show_the_final_export_folder_not_the_staging_one(project):
    notebooks, reports = project
    nbformat.write(small_notebook("print(f'wrote {output_dir}/plan.csv')"), notebooks / "01_exports.ipynb")
    project.build(jobs=1)
    html = (reports / "01_exports.html").read_text()
    executed = nbformat.read(reports / "notebooks" / "01_exports.ipynb", as_version=4)
    outputs = str([cell.get("outputs", []) for cell in executed.cells])
    assert "wrote" in html and ".staging-" not in html and ".staging-" not in outputs
    assert f"wrote {reports}/plan.csv" in html
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert f'output_dir = "{reports}"' in injected[0].source  # the executed notebook reruns as is


def reader_notebook() -> nbformat.NotebookNode:
    """A notebook that declares ``exports_dir`` and lists what it finds there (name and first data line)."""
    notebook = small_notebook(
        "from pathlib import Path\nPath(output_dir).mkdir(parents=True, exist_ok=True)\n"
        "seen = sorted(f'{p.name}={p.read_text().splitlines()[-1]}' for p in Path(exports_dir).glob('*.csv'))\n"
        "Path(output_dir, 'seen.csv').write_text('\\n'.join(['file'] + seen) + '\\n')\n"
        "print(f'read {exports_dir}')")
    notebook.cells[1].source += '\nexports_dir: str = "reports"  # other notebooks\' exports'
    return notebook


def exporting_value(name: str, value: str, then: str = "") -> str:
    return (f"from pathlib import Path\nPath(output_dir).mkdir(parents=True, exist_ok=True)\n"
            f"Path(output_dir, {name!r}).write_text('value\\n{value}\\n')\n{then}")


def test_notebooks_reading_exports_run_after_the_others_and_see_this_runs_exports(project, capsys):
    notebooks, reports = project
    nbformat.write(reader_notebook(), notebooks / "00_reader.ipynb")  # first in name order, runs last
    nbformat.write(small_notebook(exporting_value("a.csv", "v1")), notebooks / "01_a.ipynb")
    nbformat.write(small_notebook(exporting_value("b.csv", "v1")), notebooks / "02_b.ipynb")
    project.build(jobs=2)
    printed = capsys.readouterr().out
    assert printed.index("01_a") < printed.index("00_reader") and printed.index("02_b") < printed.index("00_reader")
    assert (reports / "seen.csv").read_text().split() == ["file", "a.csv=v1", "b.csv=v1"]
    (reports / "loose.csv").write_text("value\nby hand\n")

    # a new run: 01 writes a new value, 02 fails; the reader sees the new a, no b, and the loose file
    nbformat.write(small_notebook(exporting_value("a.csv", "v2")), notebooks / "01_a.ipynb")
    nbformat.write(small_notebook(exporting_value("b.csv", "v2", PLANTED)), notebooks / "02_b.ipynb")
    with pytest.raises(report.ReportError, match=r"1 of 3 notebook\(s\) failed"):
        project.build(jobs=2)
    assert (reports / "seen.csv").read_text().split() == ["file", "a.csv=v2", "loose.csv=by", "hand"]
    executed = nbformat.read(reports / "notebooks" / "00_reader.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])][0].source
    assert f'exports_dir = "{reports}"' in injected and ".staging-" not in str(executed)
    assert f"read {reports}" in (reports / "00_reader.html").read_text()
    assert "exports_dir" not in read_record(reports / "notebooks" / "00_reader.ipynb")["parameters"]

    # run alone, it reads what is published (its own earlier export is not an input)
    nbformat.write(small_notebook(exporting_value("b.csv", "v3")), notebooks / "02_b.ipynb")
    project.build(jobs=1, only=["02"])
    project.build(jobs=1, only=["00"])
    assert (reports / "seen.csv").read_text().split() == ["file", "a.csv=v2", "b.csv=v3", "loose.csv=by", "hand"]


def test_the_index_executive_summary_links_the_personas_export():
    from segkit.report.index import ReportRow, render_index

    personas = ReportRow(name="09_personas", link="09_personas.html", title="Personas", headline="11 personas <b>",
                         built="2026-01-01 10:00", this_run=True, exports=["personas.csv", "persona_cards.png"])
    other = ReportRow(name="01_rfm", link="01_rfm.html", title="RFM", headline="h", built="x", this_run=True)
    page = render_index([other, personas], [], [], {}, {})
    summary = page.split("<h2>Executive summary</h2>")[1].split("<h2>Reports</h2>")[0]
    assert '<a href="personas.csv">personas.csv</a>' in summary and 'href="09_personas.html"' in summary
    assert "11 personas &lt;b&gt;" in summary  # the headline, escaped
    assert "Executive summary" not in render_index([other], [], [], {}, {})


def write_summary_exports(folder, *, alerts: bool = True):
    """A campaign plan and an alert list small enough to rank by hand.

    Campaign (contacted segments, expected profit): A 300.4 (40 customers), C 120.25 (10), D 80 (5), E 10 (3);
    B is not contacted. Alerts (reason: customers, revenue at stake): newly overdue: customers 1 and 2,
    100,000 + 50,000; left a top segment: customer 3 on two rows, 20,000 + 5,000, one customer;
    won back: customer 4, 1,000; no money: customer 5, 0. Every alert outweighs every campaign segment.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign_plan.csv").write_text(
        "segment,expected_profit,spend,contacts,action\n"
        "A,300.4,100,40,contact A\nB,0,0,0,do not contact\nC,120.25,50,10,contact C\n"
        "D,80,20,5,contact D\nE,10,9,3,contact E\n")
    if alerts:
        (folder / "alerts.csv").write_text(
            "customer_id,from,to,revenue_at_stake,reason\n"
            "1,x,y,100000,newly overdue\n2,x,y,50000,newly overdue\n3,x,y,20000,left a top segment\n"
            "3,x,z,5000,left a top segment\n4,x,y,1000,won back\n5,x,y,0,no money\n")
    return folder


def test_the_actions_are_two_lists_each_ranked_by_its_own_money(tmp_path):
    from segkit.report.keyfigures import INVEST, PROTECT, top_actions

    actions = top_actions(write_summary_exports(tmp_path), stake_days=90)
    assert [(a.what, a.customers, a.money, a.money_kind) for a in actions.protect] == [
        ("newly overdue", 2, 150_000.0, PROTECT), ("left a top segment", 1, 25_000.0, PROTECT),
        ("won back", 1, 1_000.0, PROTECT)]  # "no money" has nothing at stake
    # the campaign's profit is smaller than every alert, and it still has its own list: E is fourth, so left out
    assert [(a.what, a.customers, a.money, a.money_kind) for a in actions.invest] == [
        ("A: contact A", 40, 300.4, INVEST), ("C: contact C", 10, 120.25, INVEST), ("D: contact D", 5, 80.0, INVEST)]
    assert {(a.report, a.export) for a in actions.invest} == {("06_campaign_roi", "campaign_plan.csv")}
    assert {(a.report, a.export) for a in actions.protect} == {("07_segments_over_time", "alerts.csv")}
    assert actions.stake_days == 90
    one = top_actions(tmp_path, n=1)
    assert [a.what for a in one.protect] == ["newly overdue"] and [a.what for a in one.invest] == ["A: contact A"]


def test_the_index_shows_protect_and_invest_lists_with_their_own_measures(tmp_path):
    from segkit.report.index import ReportRow, render_index
    from segkit.report.keyfigures import key_figures, top_actions

    folder = write_summary_exports(tmp_path / "reports")
    rows = [ReportRow(name=n, link=f"{n}.html", title=t, headline="h", built="x", this_run=True)
            for n, t in (("06_campaign_roi", "Campaign ROI: who to contact"), ("07_segments_over_time", "Over time"))]
    page = render_index(rows, [], [], {"currency": "£"}, {}, figures=key_figures(folder),
                        actions=top_actions(folder, stake_days=90))
    summary = page.split("<h2>Executive summary</h2>")[1].split("<h2>Reports</h2>")[0]
    protect = summary.split('<ol class="actions protect">')[1].split("</ol>")[0]
    invest = summary.split('<ol class="actions invest">')[1].split("</ol>")[0]
    assert "<h4>Protect: revenue at stake (what these customers spent in the last 90 days)</h4>" in summary
    assert "<h4>Invest: expected profit of the next campaign</h4>" in summary
    assert summary.index("Protect:") < summary.index('<ol class="actions protect">') < summary.index("Invest:")
    items = [item.split("<span")[0].strip() for item in protect.split("<li>")[1:]]
    assert items == ["Call the valuable customers who are now overdue on their own purchase cycle: 2 customers; "
                     "£150,000 at stake.",
                     "Win back the customers who have just left a top segment: 1 customer; £25,000 at stake.",
                     "Welcome back the lapsed customers who bought again, so they stay: 1 customer; £1,000 at stake."]
    items = [item.split("<span")[0].strip() for item in invest.split("<li>")[1:]]
    assert items == ["A: contact A: 40 customers; expected profit £300.", "C: contact C: 10 customers; expected "
                     "profit £120.", "D: contact D: 5 customers; expected profit £80."]
    assert protect.count('href="alerts.csv"') == 3 and protect.count('href="07_segments_over_time.html"') == 3
    assert invest.count('href="campaign_plan.csv"') == 3 and invest.count('href="06_campaign_roi.html"') == 3
    assert "at stake" not in invest and "expected profit" not in protect  # one measure per list


def test_an_empty_list_says_why_and_the_other_still_shows(tmp_path):
    from segkit.report.index import render_index
    from segkit.report.keyfigures import key_figures, top_actions

    folder = write_summary_exports(tmp_path, alerts=False)
    page = render_index([], [], [], {}, {}, figures=key_figures(folder), actions=top_actions(folder))
    assert "No alert with revenue at stake" in page and '<ol class="actions protect">' not in page
    assert "<h4>Protect: revenue at stake</h4>" in page  # no period when notebook 07's is unknown
    assert page.count("expected profit 300.") == 1 and '<ol class="actions invest">' in page
    (folder / "campaign_plan.csv").write_text("segment,expected_profit,spend,contacts,action\nB,0,0,0,wait\n")
    page = render_index([], [], [], {}, {}, figures=key_figures(folder), actions=top_actions(folder))
    assert "No action with money behind it" in page and "Protect:" not in page


def test_refreshing_stored_notebooks_runs_the_readers_after_the_writers(project):
    notebooks, reports = project
    nbformat.write(reader_notebook(), notebooks / "00_reader.ipynb")  # first in name order
    nbformat.write(small_notebook(exporting_value("a.csv", "fresh")), notebooks / "01_a.ipynb")
    report.refresh_stored(report.list_notebooks(folders=project.folders), jobs=2, folders=project.folders)
    stored = nbformat.read(notebooks / "00_reader.ipynb", as_version=4)
    assert (notebooks / "reports" / "seen.csv").read_text().split() == ["file", "a.csv=fresh"]
    assert "read reports" in str(stored.cells[3].outputs)


# --- editions, exercises, library names, handouts, index, console (issue 12) -----------------------------------

def exercise_notebook() -> nbformat.NotebookNode:
    """A notebook with an Exercises section (prompt, solution, an untagged answer), a tagged analyst note and exports."""
    notebook = small_notebook("print('the finding is 7')")
    notebook.cells += [
        new_markdown_cell("Uses `segkit.rfm.rfm_segments` under the hood.", metadata={"tags": ["analyst"]}),
        new_markdown_cell("## 5. Exercises\n\n1. Change the seed. What happens?"),
        new_code_cell("print('exercise scaffold here')", metadata={"tags": ["exercise"]}),
        new_code_cell("print('worked answer')", metadata={"tags": ["solution"]}),
        new_markdown_cell("Nothing changes: the answer in prose.\n\n## 6. Exports\n\nThe plan, for the CRM."),
        new_code_cell("print('exported plan')"),
    ]
    return notebook


def test_the_stakeholder_edition_drops_code_exercises_and_analyst_cells_the_analyst_edition_keeps_all(tmp_path):
    from segkit.report.render import ANALYST, render_html

    path = tmp_path / "01_small.ipynb"
    executed = exercise_notebook()
    executed.cells[3].outputs = [nbformat.v4.new_output("stream", text="the finding is 7\n"),
                                 nbformat.v4.new_output("execute_result", data={"text/plain": "<Axes: title={'x'}>"},
                                                        execution_count=1)]
    executed.cells[-1].outputs = [nbformat.v4.new_output("stream", text="exported plan\n")]
    nbformat.write(executed, path)
    stakeholder, analyst = render_html(path), render_html(path, edition=ANALYST)
    assert "&lt;Axes: title" not in stakeholder and "&lt;Axes: title" in analyst  # an object's repr is noise
    for kept in ("the finding is 7", "6. Exports", "The plan, for the CRM", "exported plan"):
        assert kept in stakeholder and kept in analyst
    for dropped in ("Exercises", "Change the seed", "scaffold", "worked answer", "the answer in prose",
                    "segkit.rfm", "print(", "the answer is 42", "data_path"):
        assert dropped not in stakeholder, dropped
        assert dropped in html.unescape(re.sub(r"<[^>]+>", "", analyst)), dropped
    # each page links back to the index and to its other edition
    assert 'href="index.html"' in stakeholder and 'href="analyst/01_small.html"' in stakeholder
    assert 'href="../index.html"' in analyst and 'href="../01_small.html"' in analyst
    assert "@media print" in stakeholder and "break-before: page" in stakeholder


def method_notebook() -> nbformat.NotebookNode:
    """Title; two method cells (a section heading, a formula and a list; then a sub-heading); a finding; an analyst
    note between two more method cells; a finding; a method cell last."""
    method = {"tags": ["method"]}
    return new_notebook(cells=[
        new_markdown_cell("# Methods folded\nThe question."),
        new_markdown_cell("## 2. Method\n\nScore: $s = r + f$, where\n\n- *r* is recency\n- *f* is frequency",
                          metadata=method),
        new_markdown_cell("### Why quintiles\nEqual groups.", metadata=method),
        new_markdown_cell("Finding one: 40% of revenue."),
        new_markdown_cell("Second method.", metadata=method),
        new_markdown_cell("Calls `segkit.rfm.rfm_scores`.", metadata={"tags": ["analyst"]}),
        new_markdown_cell("Third method.", metadata=method),
        new_markdown_cell("Finding two: 12 customers."),
        new_markdown_cell("Last method.", metadata=method),
    ])


def test_method_cells_fold_into_one_closed_block_per_run_in_the_stakeholder_edition_only(tmp_path):
    from segkit.report.render import ANALYST, render_html

    path = tmp_path / "01_methods.ipynb"
    nbformat.write(method_notebook(), path)
    stakeholder, analyst = render_html(path), render_html(path, edition=ANALYST)
    blocks = re.findall(r"<details\b[^>]*>(.*?)</details>", stakeholder, flags=re.DOTALL)
    # runs as the stakeholder sees them: cells 1-2, cells 4+6 (the analyst note between them is removed), cell 8
    assert len(blocks) == 3 and stakeholder.count("<details") == 3
    assert all(b.startswith("<summary>How this was computed</summary>") for b in blocks)
    assert "<em>r</em> is recency</li>" in blocks[0] and "<h3" in blocks[0] and "Equal groups." in blocks[0]
    assert "$s = r + f$" in blocks[0]  # the math stays as written for the page's own rendering
    # the section heading that opens the run stays in view, above its block; the sub-heading inside the run folds
    assert "<h2" not in blocks[0] and stakeholder.index(">2. Method<a") < stakeholder.index("<details")
    assert "Second method." in blocks[1] and "Third method." in blocks[1] and "Last method." in blocks[2]
    for finding in ("Finding one", "Finding two", "The question."):
        assert finding in stakeholder and not any(finding in b for b in blocks)
    assert stakeholder.index("</details>") < stakeholder.index("Finding one") < stakeholder.index("Second method.")
    assert "<details" not in analyst and "<details " not in analyst.split("<main>")[1]
    for text in ("Equal groups.", "Second method.", "Last method.", "Finding two", ">2. Method<a"):
        assert text in analyst
    assert stakeholder.count("<div") == stakeholder.count("</div>")  # the blocks wrap whole cells


def test_two_method_cells_and_a_normal_one_make_one_block(tmp_path):
    from segkit.report.render import ANALYST, render_html

    cells = [new_markdown_cell("One way.", metadata={"tags": ["method"]}),
             new_markdown_cell("Another way.", metadata={"tags": ["method"]}),
             new_markdown_cell("What we found.")]
    nbformat.write(new_notebook(cells=cells), tmp_path / "02_two.ipynb")
    page = render_html(tmp_path / "02_two.ipynb")
    (block,) = re.findall(r"<details class=\"segkit-method\"><summary>How this was computed</summary>(.*?)</details>",
                          page, flags=re.DOTALL)
    assert "One way." in block and "Another way." in block and "What we found." not in block
    assert page.index("</details>") < page.index("What we found.")
    assert "<details" not in render_html(tmp_path / "02_two.ipynb", edition=ANALYST)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_stored_method_cells_are_markdown_that_folds_whole(path):
    from segkit.report.render import METHOD_TAG, REMOVE_CELL_TAGS

    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        tags = set(cell.metadata.get("tags", []))
        if METHOD_TAG in tags:
            assert cell.cell_type == "markdown" and not tags & REMOVE_CELL_TAGS, (path.name, i, tags)
            # a section heading inside a folded block would hide the section (only an opening one stays above it)
            later = cell.source.lstrip().split("\n", 1)[1:] or [""]
            assert not re.search(r"^#{1,2}\s", later[0], flags=re.MULTILINE), (path.name, i)


def test_library_names_lists_the_cells_a_stakeholder_would_see():
    from segkit.report.render import library_names

    notebook = exercise_notebook()
    notebook.cells[0].source += "\nScores come from `segkit.rfm.rfm_scores` and segkit.data.load_clean."
    notebook.cells[3].outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "see segkit.clv"})]
    # the analyst cell (5) and the exercise section do not count: the stakeholder never sees them
    assert library_names(notebook) == [(0, "markdown", ["segkit.data.load_clean", "segkit.rfm.rfm_scores"]),
                                       (3, "code output", ["segkit.clv"])]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_stored_notebooks_name_no_library_function_in_stakeholder_markdown(path):
    from segkit.report.render import library_names

    found = [(i, names) for i, kind, names in library_names(nbformat.read(path, as_version=4)) if kind == "markdown"]
    assert not found, (f"{path.name}: markdown cells the stakeholder edition shows name segkit functions "
                       f"(tag them 'analyst' or reword): {found}")


def test_an_answer_outside_a_solution_cell_is_found_and_refused(project):
    from segkit.report.stored import answers_outside_solutions

    notebook = exercise_notebook()
    assert answers_outside_solutions(notebook) == [9]  # the prose answer above "## 6. Exports"
    notebook.cells.insert(9, new_code_cell("print('untagged answer')"))
    assert answers_outside_solutions(notebook) == [9, 10]
    notebooks, _ = project
    nbformat.write(notebook, notebooks / "01_leaky.ipynb")
    with pytest.raises(report.ReportError, match=r"01_leaky.ipynb: cell\(s\) \[9, 10\]"):
        report.write_handouts(notebooks.parent / "handouts", folders=project.folders)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_stored_notebooks_keep_every_exercise_answer_in_a_solution_cell(path):
    from segkit.report.stored import answers_outside_solutions

    assert answers_outside_solutions(nbformat.read(path, as_version=4)) == []


def test_a_run_writes_both_editions_prints_its_progress_and_the_index_summarises_the_exports(project, capfd):
    notebooks, reports = project
    project.params.write_text(project.params.read_text() + "currency: EUR\n")
    plan = ("segment,expected_profit,spend,contacts,action\\nA,300.5,100,40,contact A\\n"
            "B,0,0,0,do not contact\\nC,120.25,50,10,contact C\\n")
    segments = "customer_id,revenue,segment\\n1,60,Top\\n2,30,Top\\n3,10,Low\\n"
    nbformat.write(small_notebook(exporting_csv("rfm_segments.csv", segments)), notebooks / "01_rfm.ipynb")
    nbformat.write(small_notebook(exporting_csv("campaign_plan.csv", plan)), notebooks / "06_campaign_roi.ipynb")
    project.build(jobs=2)
    out = capfd.readouterr()  # at the file-descriptor level: the kernels' own warnings would show here
    lines = out.out.splitlines()
    assert re.fullmatch(r"running 2 notebooks on about 2 order lines of .*orders\.csv, 2 at a time", lines[0])
    assert re.fullmatch(r"data read and cleaned in \d+ s \(2 / 2 lines in / kept\), cached for every notebook", lines[1])
    assert sum(bool(re.match(r"\[\d/2\] \S+ +ok +\d+ s$", line)) for line in lines) == 2
    assert re.fullmatch(r"2 notebooks in \d+ s \(2 ok, 0 failed\)", lines[4])
    assert "without encryption" not in out.err
    for name in ("01_rfm", "06_campaign_roi"):
        assert (reports / f"{name}.html").exists() and (reports / "analyst" / f"{name}.html").exists()
    page = (reports / "index.html").read_text()
    summary = page.split("<h2>Executive summary</h2>")[1].split("<h2>Reports</h2>")[0]
    figures = {row.split("</th>")[0].split(">")[-1]: row for row in summary.split("<tr>")[2:]}
    assert ">3<" in figures["Customers"] and ">100 EUR<" in figures["Net revenue over the data period"]
    assert "90% (Top, 2 customers)" in figures["Share of revenue from the top segment"]  # (60 + 30) / 100
    assert "421 EUR on a spend of 150 EUR" in figures["Expected gain of the next campaign"]  # 300.5 + 120.25, rounded
    assert 'href="campaign_plan.csv"' in figures["Expected gain of the next campaign"]
    assert "not available (clv.csv is missing or unreadable)" in figures["Predicted customer value"]
    invest = summary.split('<ol class="actions invest">')[1].split("</ol>")[0]
    assert invest.index("A: contact A: 40 customers; expected profit 300 EUR.") < invest.index("C: contact C")
    assert "B:" not in invest  # no money behind it
    assert "No alert with revenue at stake" in summary  # no alerts.csv: the Protect list says so
    assert "2024-01-02 to 2024-01-03" in summary
    listed = page.split("<h2>Reports</h2>")[1]
    assert listed.index('"01_rfm.html"') < listed.index('"06_campaign_roi.html"')  # reading order: 01 before 06
    assert 'href="analyst/06_campaign_roi.html"' in listed


def exporting_csv(name: str, text: str) -> str:
    return (f"from pathlib import Path\nPath(output_dir).mkdir(parents=True, exist_ok=True)\n"
            f"Path(output_dir, {name!r}).write_text({text!r}.replace('\\\\n', '\\n'))\n")


def test_the_start_line_counts_order_lines_cheaply(tmp_path):
    import gzip

    import pandas as pd

    from segkit.report.execute import count_order_lines, start_line

    rows = "".join(f"C{i},2024-01-0{1 + i % 9},1,{i}.5\n" for i in range(1234))
    (tmp_path / "orders.csv").write_text("customer,date,quantity,price\n" + rows)
    with gzip.open(tmp_path / "orders.csv.gz", "wt") as handle:
        handle.write("customer,date,quantity,price\n" + rows)
    frame = pd.read_csv(tmp_path / "orders.csv")
    (tmp_path / "lines").mkdir()
    frame.iloc[:1000].to_parquet(tmp_path / "lines" / "a.parquet")
    frame.iloc[1000:].to_parquet(tmp_path / "lines" / "b.parquet")
    frame.to_excel(tmp_path / "orders.xlsx")
    assert count_order_lines(tmp_path / "orders.csv") == 1234
    assert count_order_lines(tmp_path / "orders.csv.gz") == 1234
    assert count_order_lines(tmp_path / "lines") == 1234  # a folder of Parquet files: their footers
    assert count_order_lines(tmp_path / "lines" / "b.parquet") == 234
    assert count_order_lines(tmp_path / "orders.xlsx") is None  # not cheap: not counted
    assert start_line(3, tmp_path / "orders.csv.gz", 2).startswith("running 3 notebooks on about 1,234 order lines of ")
    assert start_line(1, tmp_path / "orders.xlsx", 1).startswith("running 1 notebook on ")


def test_the_index_data_summary_counts_what_the_cleaning_kept(tmp_path, monkeypatch):
    import json

    from segkit import data
    from segkit.paths import PROJECT_ROOT
    from segkit.report.summary import data_summary

    monkeypatch.setattr(data.cache, "INTERIM_DIR", tmp_path)
    corpus = PROJECT_ROOT / "tests" / "corpus"
    path = corpus / "files" / "online_retail_ii.xlsx"  # two sheets, guests, cancellations, free lines
    raw_rows = json.loads((corpus / "manifest.json").read_text())[path.name]["rows"]
    summary = data_summary({"data_path": str(path)})
    clean = data.load_clean(path).clean  # the lines in pandas, counted independently
    assert summary["rows in / kept"] == f"{raw_rows:,} / {len(clean):,}"
    assert len(clean) < raw_rows
    assert summary["customers kept"] == f"{clean['customer_id'].nunique():,}"
    assert summary["date range"] == f"{clean['order_date'].min():%Y-%m-%d} to {clean['order_date'].max():%Y-%m-%d}"


def test_notebooks_start_longest_first_by_the_previous_run(tmp_path):
    from segkit.report.execute import longest_first

    previous = tmp_path / "notebooks"
    previous.mkdir()
    durations = {"00_a.ipynb": 30.0, "01_b.ipynb": 80.5, "03_d.ipynb": 30.0, "04_e.ipynb": 12.0}
    for name, seconds in durations.items():
        notebook = new_notebook()
        notebook.metadata["papermill"] = {"duration": seconds}
        nbformat.write(notebook, previous / name)
    (previous / "05_f.ipynb").write_text("not a notebook")
    given = [tmp_path / n for n in ("00_a.ipynb", "01_b.ipynb", "02_c.ipynb", "03_d.ipynb", "04_e.ipynb", "05_f.ipynb")]
    # no duration (never run, or unreadable) first in the order given; then the longest; ties in the order given
    assert [p.name for p in longest_first(given, previous)] == [
        "02_c.ipynb", "05_f.ipynb", "01_b.ipynb", "00_a.ipynb", "03_d.ipynb", "04_e.ipynb"]
    assert longest_first(given, tmp_path / "nowhere") == given


@pytest.mark.parametrize(("cores", "parallel", "threads"), [(2, 2, "1"), (2, 1, "2"), (8, 3, "2"), (1, 4, "1")])
def test_kernels_running_at_once_share_the_cores_out_among_their_engines(monkeypatch, cores, parallel, threads):
    from segkit.report import execute

    monkeypatch.delenv("SEGKIT_ENGINE_THREADS", raising=False)
    monkeypatch.setattr(execute.os, "cpu_count", lambda: cores)
    assert execute.engine_threads(parallel) == threads
    monkeypatch.setenv("SEGKIT_ENGINE_THREADS", "3")  # the user's setting wins
    assert execute.engine_threads(parallel) == "3"
