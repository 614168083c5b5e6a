"""The stakeholder reports as a reader sees them: headless Chromium, offline, 1280 px wide.

Runs on the reports ``make report`` built (``make test-browser``, after ``make report`` in CI); skipped,
saying why, when ``reports/`` holds no report or Chromium or Playwright is missing (``make setup-browser``).
Every page (the index and each ``reports/NN_*.html``) is opened once; a full-page screenshot is saved
under ``reports/screenshots/`` for a person to look at.

Checks that must pass: no horizontal overflow and no clipped table or figure at 1280 px, nor when printed
(the print stylesheet at the width of an A4 page), no console error, zero network requests, every image
decoded, no code, no "Exercise" heading, no ``segkit.`` text, no table cell that shows a float with
more than 2 decimals or a count with ".0" (every notebook's tables go through :mod:`segkit.present`), no
table header word broken across two lines when printed, and, on every report with cells tagged ``method``,
closed "How this was computed" blocks that print open.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from segkit.paths import REPORTS_DIR as DEFAULT_REPORTS_DIR

browser = pytest.importorskip("segkit.report.browser")

#: The reports checked: reports/, or the folder SEGKIT_REPORTS_DIR names (a run built with --reports DIR).
REPORTS_DIR = Path(os.environ.get("SEGKIT_REPORTS_DIR") or DEFAULT_REPORTS_DIR)
#: A number shown with more than 2 decimals (not part of a longer token such as a date or an id), except a small
#: nonzero value that segkit.present writes with two significant digits (0.0034, 0.03%, <0.001).
LONG_FLOAT = re.compile(r"(?<![\w.,])-?(?!0\.0+[1-9]\d?(?![\w.]))\d[\d,]*\.\d{3,}(?![\w.])")
#: A whole cell that is a count shown as a float: "4982.0", "1,234.0".
COUNT_AS_FLOAT = re.compile(r"^-?\d[\d,]*\.0$")


def report_pages(reports: Path = REPORTS_DIR) -> list[Path]:
    return browser.stakeholder_pages(reports)


def _skip_reason() -> str | None:
    if not report_pages():
        return f"no reports in {REPORTS_DIR}: run 'make report' first (CI does, then 'make test-browser')"
    try:
        browser.find_chromium()
        browser._playwright()
    except browser.BrowserUnavailable as error:
        return str(error)
    return None


SKIP = _skip_reason()
PAGES = report_pages() if SKIP is None else []


@pytest.fixture(scope="module")
def measured() -> dict[str, dict]:
    """Every stakeholder page opened once in offline Chromium, measured, and screenshot."""
    if SKIP:
        pytest.skip(SKIP)
    results = {}
    with browser.offline_browser() as session:
        for page in PAGES:
            results[page.name] = browser.inspect_page(session, page,
                                                      screenshot=REPORTS_DIR / "screenshots" / f"{page.stem}.png")
    return results


def no_findings(check: str, findings: list[str], page: str) -> None:
    """Fail with the first ``findings`` of ``check`` on ``page``; pass when there are none."""
    if findings:
        pytest.fail(f"{page}: {len(findings)} finding(s) of the '{check}' check: " + "; ".join(findings[:12]))


pages = pytest.mark.parametrize("page", [p.name for p in PAGES] or [pytest.param("none", marks=pytest.mark.skip(
    reason=SKIP or "no pages"))])


@pages
def test_page_fits_1280_px_without_clipping(measured, page):
    seen = measured[page]
    assert seen["scrollWidth"] <= seen["clientWidth"], f"the page scrolls sideways: {seen['scrollWidth']} px"
    assert not seen["wide"], f"tables or figures past the right edge: {seen['wide']}"
    assert not seen["clipped"], f"tables or figures cut off in a scrolling box: {seen['clipped']}"


@pages
def test_page_prints_every_column(measured, page):
    printed = measured[page]["print"]
    assert printed["scrollWidth"] <= printed["clientWidth"], f"the printed page is {printed['scrollWidth']} px wide"
    assert not printed["wide"] and not printed["clipped"], (printed["wide"], printed["clipped"])


@pages
def test_printed_table_headers_break_only_between_words(measured, page):
    # notebook 06's 12-column tables printed "Custo-mers" and "Revenu e" before headers stopped breaking in words
    split = measured[page]["print"]["splitHeaders"]
    assert not split, f"table header words broken across two lines when printed: {split}"


def shows_method_cells(page: str) -> bool:
    """Whether the stakeholder edition of ``page`` holds cells tagged ``method`` (from the executed copy it was
    rendered from, else the stored notebook)."""
    import nbformat

    from segkit.paths import NOTEBOOKS_DIR
    from segkit.report.render import METHOD_TAG, stakeholder_cells

    stem = Path(page).stem
    for source in (REPORTS_DIR / "notebooks" / f"{stem}.ipynb", NOTEBOOKS_DIR / f"{stem}.ipynb"):
        if source.exists():
            cells = stakeholder_cells(nbformat.read(source, as_version=4))
            return any(METHOD_TAG in cell.metadata.get("tags", []) for _, cell in cells)
    return False


def method_blocks(details: list[dict]) -> list[dict]:
    from segkit.report.render import METHOD_SUMMARY

    return [d for d in details if d["summary"] == METHOD_SUMMARY]


@pages
def test_method_explanations_are_folded_closed_on_screen_and_printed_open(measured, page):
    seen = measured[page]
    shown, printed = method_blocks(seen["details"]), method_blocks(seen["print"]["details"])
    if not shows_method_cells(page):
        assert not shown, f"{len(shown)} 'How this was computed' block(s) on a page without method cells"
        return
    assert shown, "method cells but no closed 'How this was computed' block"
    assert not [d for d in shown if d["open"]], "a 'How this was computed' block is open when the page opens"
    closed = len(shown[0]["summary"])
    assert all(d["text"] > closed + 20 for d in printed), f"a block prints closed: {printed}"


@pages
def test_page_is_quiet_offline_and_complete(measured, page):
    seen = measured[page]
    assert not seen["console_errors"], seen["console_errors"]
    assert seen["requests"] == [], f"network requests: {seen['requests']}"
    assert not seen["badImages"], f"images not decoded: {seen['badImages']}"


@pages
def test_page_shows_no_code_and_no_exercises(measured, page):
    seen = measured[page]
    assert seen["codeInputs"] == 0, f"{seen['codeInputs']} code cells shown"
    assert not [h for h in seen["headings"] if "exercise" in h.lower()], seen["headings"]


@pages
def test_page_names_no_library_function(measured, page):
    text = measured[page]["text"]
    findings = sorted({match.group(0) for match in re.finditer(r"\bsegkit(?:\.[A-Za-z_]\w*)+", text)})
    assert not findings, f"library names a stakeholder sees: {findings}"


def table_findings(cells: list[str]) -> list[str]:
    """Cells that show a float with more than 2 decimals, or a count with '.0'."""
    found = []
    for cell in cells:
        if COUNT_AS_FLOAT.match(cell):
            found.append(f"count as float {cell!r}")
        else:
            found += [f"{m.group(0)!r} in {cell[:40]!r}" for m in LONG_FLOAT.finditer(cell)]
    return found


@pages
def test_table_cells_are_formatted_for_reading(measured, page):
    no_findings("tables", table_findings(measured[page]["cells"]), page)


# --- the checks themselves can fail: planted pages (need Chromium, not the built reports) ------------------------

PLANTED = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>planted</title></head><body>
<h2>5. Exercises</h2>
<img src="http://example.invalid/remote.png">
<img src="data:image/png;base64,iVBORw0KGgo=">
<div style="overflow-x: auto; width: 300px"><table><tr><td>4982.0</td><td>540239.655</td><td>12.35%</td>
<td style="min-width: 900px">wide</td></tr></table></div>
<p>Calls segkit.rfm.rfm_segments.</p>
<table style="width: 60px"><tr><th style="overflow-wrap: anywhere">Customers</th><th>k-means</th></tr></table>
<script>console.error("planted error")</script>
</body></html>"""


def test_the_probe_finds_planted_faults(tmp_path):
    try:
        browser.find_chromium()
        browser._playwright()
    except browser.BrowserUnavailable as error:
        pytest.skip(str(error))
    page = tmp_path / "planted.html"
    page.write_text(PLANTED)
    with browser.offline_browser() as session:
        seen = browser.inspect_page(session, page)
    assert seen["requests"] == ["http://example.invalid/remote.png"]
    assert len(seen["badImages"]) == 2  # the blocked one and the truncated inline PNG
    assert any("planted error" in e for e in seen["console_errors"])
    assert seen["clipped"] and "5. Exercises" in seen["headings"]
    assert "segkit.rfm.rfm_segments" in seen["text"]
    assert table_findings(seen["cells"]) == ["count as float '4982.0'", "'540239.655' in '540239.655'"]
    assert seen["splitHeaders"] == ["Customers"] == seen["print"]["splitHeaders"]  # "k-|means" breaks at its hyphen


def test_make_pdf_starts_each_numbered_section_on_a_new_page(tmp_path):
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    from segkit.report.render import render_html

    try:
        browser.find_chromium()
        browser._playwright()
    except browser.BrowserUnavailable as error:
        pytest.skip(str(error))
    notebook = new_notebook(cells=[new_markdown_cell("# Title\nA short report.")]
                            + [new_markdown_cell(f"## {i}. Section {i}\nOne line.") for i in (1, 2, 3)]
                            + [new_markdown_cell("## 4. Exercises\nNot in the stakeholder edition.")])
    nbformat.write(notebook, tmp_path / "01_short.ipynb")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "01_short.html").write_text(render_html(tmp_path / "01_short.ipynb"))
    (written,) = browser.write_pdfs(reports)
    pdf = written.read_bytes()
    assert written == reports / "pdf" / "01_short.pdf" and pdf.startswith(b"%PDF")
    # the title and section 1 share the first page; sections 2 and 3 each start one; no page for the exercises
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 3


def need_browser() -> None:
    try:
        browser.find_chromium()
        browser._playwright()
    except browser.BrowserUnavailable as error:
        pytest.skip(str(error))


#: A stakeholder table as wide as notebook 06's: 12 columns of money, counts and shares under two-word headers.
WIDE_HEADERS = ("Segment", "Customers contacted", "Contact cost", "Measured uplift", "Value per response",
                "Profit per contact", "Return per contact", "Share contacted", "Campaign spend",
                "Expected responses", "Expected profit", "Revenue lift")


def test_the_print_stylesheet_wraps_wide_table_headers_between_words_and_keeps_every_column(tmp_path):
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    from segkit.report.render import render_html

    need_browser()
    header = "".join(f"<th>{h}</th>" for h in WIDE_HEADERS)
    row = "<td>Can't Lose Them, the customers who used to buy most</td>" + "<td>£1,234,567</td>" * 11
    notebook = new_notebook(cells=[new_markdown_cell("# Wide\n\n<table><thead><tr>" + header + "</tr></thead>"
                                                     "<tbody><tr>" + row + "</tr></tbody></table>")])
    nbformat.write(notebook, tmp_path / "06_wide.ipynb")
    page = tmp_path / "06_wide.html"
    page.write_text(render_html(tmp_path / "06_wide.ipynb"))
    with browser.offline_browser() as session:
        seen = browser.inspect_page(session, page)
    printed = seen["print"]
    assert printed["splitHeaders"] == [] and seen["splitHeaders"] == []
    assert printed["scrollWidth"] <= printed["clientWidth"] and not printed["wide"] and not printed["clipped"]
    assert set(WIDE_HEADERS) <= {" ".join(c.split()) for c in seen["cells"]}  # every column is there, words whole


def test_a_method_block_is_closed_opens_on_click_and_prints_open(tmp_path):
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    from segkit.report.render import render_html

    need_browser()
    notebook = new_notebook(cells=[new_markdown_cell("# Folded\nThe finding."),
                                   new_markdown_cell("The score is $r + f$:\n\n- r, recency\n- f, frequency",
                                                     metadata={"tags": ["method"]}),
                                   new_markdown_cell("### Quintiles\nFive equal groups.",
                                                     metadata={"tags": ["method"]}),
                                   new_markdown_cell("Another finding.")])
    nbformat.write(notebook, tmp_path / "01_folded.ipynb")
    page = tmp_path / "01_folded.html"
    page.write_text(render_html(tmp_path / "01_folded.ipynb"))
    with browser.offline_browser() as session:
        seen = browser.inspect_page(session, page)
        opened = session.new_page()
        opened.goto(page.resolve().as_uri())
        before = opened.inner_text("body")
        opened.click("details.segkit-method > summary")
        after = opened.inner_text("body")
        opened.close()
    assert [(d["summary"], d["open"]) for d in seen["details"]] == [("How this was computed", False)]
    assert "Five equal groups" not in seen["text"]
    assert "The finding." in seen["text"] and "Another finding." in seen["text"]
    assert "Five equal groups" not in before and "Five equal groups" in after and "recency" in after
    (printed,) = seen["print"]["details"]
    assert printed["text"] > len("How this was computed") + len("Five equal groups")  # printed open
