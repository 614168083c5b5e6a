"""Render an executed notebook as an HTML page, in one of two editions, offline and printable.

Two editions come from the same executed notebook:

- the **stakeholder** edition (``reports/NN_name.html``) shows findings: no code, no prompts, no
  exercises or solutions, no parameters;
- the **analyst** edition (``reports/analyst/NN_name.html``) shows everything, code included.

What the stakeholder edition leaves out (the tag scheme, in jupyter-book's names where they exist):

========================================  =====================================================
cell tag or place                         stakeholder edition
========================================  =====================================================
``remove-cell``                           the cell is removed (from the analyst edition too)
``analyst`` / ``analyst-only``            the cell is removed (analyst material: code notes,
                                          library names, method derivations)
``solution``, ``exercise``                the cell is removed (workshop material)
``parameters``, ``injected-parameters``   the cell is removed
a markdown cell with a level-2 heading    that cell and every cell after it up to the next level-1
``## Exercises`` (or ``## 5. Exercises``) or level-2 heading are removed, whatever their tags
``remove-input``                          (every code cell's input is hidden in this edition)
``remove-output``                         the cell's outputs are removed (in both editions)
``method``                                each run of consecutive ``method`` cells (as the edition
                                          shows them) is folded into one closed block headed
                                          "How this was computed" (a heading that opens the first
                                          such cell stays above the block); the analyst edition
                                          shows the cells as usual
========================================  =====================================================

So a notebook needs no tags for its Exercises section; ``exercise`` and ``analyst`` mark what lies
elsewhere. ``method`` marks a cell that explains how a number is computed (a formula, a model, an
algorithm): a manager sees that the explanation exists and can open it, without reading it to reach the
findings. The block is a ``<details>`` element (no script), closed on screen and printed open, because
paper cannot be clicked and a printed summary line promising an explanation it does not hold would be a
dead end; the blocks are short and set in smaller type. The stakeholder edition also drops outputs that are only an object's repr (``<Axes: ...>``,
printed when a cell ends with the axes it drew on). The renderer never rewrites text: :func:`library_names` lists the cells a stakeholder
would see that still name ``segkit.`` functions, for a test to report.

Every page gets a small navigation bar (back to the index, the other edition) at the top and the
bottom, and an embedded stylesheet that keeps wide tables inside the page on screen and on paper
(nothing is clipped: body cells may wrap anywhere in long text, header cells only between words or after
a hyphen, so no printed header reads "Custo-mers") and starts each level-2 section on a new printed page. Nothing is
loaded from the network: nbconvert's require.js and MathJax script tags are dropped.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

#: The two editions: the stakeholder one at the top of reports/, the analyst one in this sub-folder.
STAKEHOLDER: str = "stakeholder"
ANALYST: str = "analyst"
ANALYST_DIR: str = "analyst"

#: The tag of a cell that explains how a number is computed, and the summary line of its folded block.
METHOD_TAG: str = "method"
METHOD_SUMMARY: str = "How this was computed"
#: Cells with these tags never reach the stakeholder edition.
REMOVE_CELL_TAGS: frozenset[str] = frozenset({"remove-cell", "solution", "exercise", "analyst", "analyst-only",
                                              "injected-parameters", "parameters"})
#: Cells with these tags reach neither edition.
ANALYST_REMOVE_CELL_TAGS: frozenset[str] = frozenset({"remove-cell"})

#: A markdown heading that opens an Exercises section ("## Exercises", "## 5. Exercises", "## Exercise").
EXERCISES_HEADING = re.compile(r"^##\s+(?:\d+[.)]?\s*)?exercises?\b", re.IGNORECASE | re.MULTILINE)
#: A heading of level 1 or 2, which closes a section.
SECTION_HEADING = re.compile(r"^#{1,2}\s", re.MULTILINE)
#: Library names a stakeholder should not see.
LIBRARY_NAME = re.compile(r"\bsegkit(?:\.[A-Za-z_]\w*)+")

#: Script blocks that load anything from the network (require.js, MathJax, mermaid), and remote stylesheets.
_EXTERNAL = re.compile(
    r"<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*?</script>"
    r"|<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>|<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>",
    re.IGNORECASE | re.DOTALL,
)

#: Layout on screen and on paper: tables wrap inside the page instead of being clipped or scrolled,
#: figures shrink to the width, each level-2 section starts a printed page, the navigation is not printed.
PAGE_CSS: str = """
.segkit-nav { font: 14px/1.4 system-ui, sans-serif; padding: .5rem 1rem; margin: 0 0 1rem; background: #f3f6f9;
  border-bottom: 1px solid #d8dee4; }
.segkit-nav.bottom { margin: 2rem 0 0; border-top: 1px solid #d8dee4; border-bottom: 0; }
.segkit-nav a { color: #0072B2; margin-right: 1.2rem; }
.segkit-nav .edition { color: #555; float: right; }
.jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; max-width: 100%; }
.jp-RenderedHTMLCommon table { table-layout: auto; max-width: 100%; font-size: 12px; }
.jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td { white-space: normal; overflow-wrap: break-word;
  word-break: normal; max-width: 24rem; padding: 4px 6px; }
.jp-RenderedHTMLCommon th { overflow-wrap: normal; hyphens: manual; }
.jp-RenderedImage img, .jp-RenderedHTMLCommon img { max-width: 100%; height: auto; }
details.segkit-method { margin: .4rem 0 .8rem; border-left: 3px solid #d8dee4; padding: 0 0 0 .8rem; }
details.segkit-method > summary { cursor: pointer; color: #444; font: 600 13px/1.6 system-ui, sans-serif; }
details.segkit-method[open] > summary { margin-bottom: .3rem; }
@media print {
  details.segkit-method::details-content { content-visibility: visible; display: contents; }
  details.segkit-method { font-size: 90%; break-inside: auto; }
  details.segkit-method > summary { list-style: none; }
  @page { size: A4; margin: 12mm; }
  .segkit-nav { display: none; }
  body, .jp-Notebook { width: auto !important; max-width: none !important; padding: 0 !important;
    margin: 0 !important; overflow: visible !important; }
  .jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output,
  .jp-RenderedHTMLCommon { overflow: visible !important; max-width: 100% !important; padding-left: 0 !important;
    padding-right: 0 !important; margin-left: 0 !important; margin-right: 0 !important; box-sizing: border-box; }
  .jp-RenderedHTMLCommon table { width: calc(100% - 2px) !important; max-width: calc(100% - 2px) !important; margin: 0 !important;
    box-sizing: border-box; font-size: 7.5pt; table-layout: auto; }
  .jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td { padding: 2px 3px !important; font-size: 7.5pt !important;
    min-width: 0 !important; max-width: none !important; }
  .jp-RenderedHTMLCommon td { overflow-wrap: anywhere !important; }
  .jp-RenderedHTMLCommon th { word-break: normal !important; overflow-wrap: normal !important;
    hyphens: manual !important; }
  .jp-RenderedHTMLCommon thead { display: table-header-group; }
  .jp-RenderedHTMLCommon tr, img, figure { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  .segkit-section-start { break-before: page; page-break-before: always; }
}
"""


def exercise_sections(notebook: nbformat.NotebookNode) -> tuple[set[int], dict[int, int]]:
    """Where the Exercises sections are: the cells wholly inside one, and the cells that end one part-way.

    A section runs from the markdown cell with its ``## Exercises`` heading to the next level-1 or
    level-2 heading. A markdown cell that holds text and then that next heading (an answer written
    above the "## 6. Exports" heading, say) is returned in the second value, with the position where
    its heading starts: the text before it belongs to the exercises.
    """
    whole, partial, inside = set(), {}, False
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            closing = SECTION_HEADING.search(cell.source)
            if EXERCISES_HEADING.search(cell.source):
                inside = True
            elif closing and inside:
                inside = False
                if cell.source[:closing.start()].strip():
                    partial[i] = closing.start()
            elif closing:
                inside = False
        if inside:
            whole.add(i)
    return whole, partial


def removed_sections(notebook: nbformat.NotebookNode) -> set[int]:
    """Indices of the cells wholly inside an Exercises section (see :func:`exercise_sections`)."""
    return exercise_sections(notebook)[0]


def stakeholder_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    """The cells the stakeholder edition keeps, with their index in the notebook (copies).

    A cell that ends an Exercises section part-way keeps only its text from the closing heading on.
    """
    section, partial = exercise_sections(notebook)
    kept = []
    for i, cell in enumerate(notebook.cells):
        if i in section or REMOVE_CELL_TAGS.intersection(cell.get("metadata", {}).get("tags", [])):
            continue
        cell = nbformat.from_dict(cell)
        if i in partial:
            cell.source = cell.source[partial[i]:]
        kept.append((i, cell))
    return kept


def edition_notebook(notebook: nbformat.NotebookNode, edition: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` holding the cells of one edition (outputs of ``remove-output`` cells dropped)."""
    copy = nbformat.from_dict(notebook)
    if edition == STAKEHOLDER:
        copy.cells = _headings_apart([cell for _, cell in stakeholder_cells(copy)])
    elif edition == ANALYST:
        copy.cells = [c for c in copy.cells if not ANALYST_REMOVE_CELL_TAGS.intersection(c.metadata.get("tags", []))]
    else:
        raise ValueError(f"edition must be {STAKEHOLDER!r} or {ANALYST!r}, not {edition!r}")
    for cell in copy.cells:
        if cell.cell_type == "code" and "remove-output" in cell.metadata.get("tags", []):
            cell.outputs = []
        elif cell.cell_type == "code" and edition == STAKEHOLDER:
            cell.outputs = [o for o in cell.get("outputs", []) if not _object_repr(o)]
    return copy


#: A heading line at the start of a markdown cell.
_LEADING_HEADING = re.compile(r"\A\s*#{1,6}\s[^\n]*(?:\n|\Z)")


def _is_method(cell: nbformat.NotebookNode) -> bool:
    return METHOD_TAG in cell.get("metadata", {}).get("tags", [])


def _headings_apart(cells: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """The cells, with the heading that opens the first cell of each run of ``method`` cells split off."""
    return [part for i, cell in enumerate(cells)
            for part in (_heading_apart(cell) if _is_method(cell) and not (i and _is_method(cells[i - 1]))
                         else [cell])]


def _heading_apart(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """A ``method`` markdown cell that opens with a heading, as two cells: the heading (untagged, so it stays in
    view and still opens its section) and the rest (tagged ``method``); any other cell as it is."""
    tags = cell.get("metadata", {}).get("tags", [])
    heading = _LEADING_HEADING.match(cell.source) if cell.cell_type == "markdown" else None
    if heading is None or not cell.source[heading.end():].strip():
        return [cell]
    title, body = nbformat.from_dict(cell), nbformat.from_dict(cell)
    title.source, body.source = cell.source[:heading.end()].strip(), cell.source[heading.end():].lstrip("\n")
    title.metadata["tags"] = [t for t in tags if t != METHOD_TAG]
    if "id" in cell:
        title.id = (cell.id[:58] + "-title")
    return [title, body]


#: The plain-text repr of a plotting or display object (``<Axes: title=...>``, ``[<matplotlib.lines.Line2D at
#: 0x...>]``): what a cell ending in ``ax`` returns besides its figure, meaningless to a reader.
_REPR = re.compile(r"^\[?<(?:Axes|Figure|matplotlib\.|IPython\.|seaborn\.)[^\n]*>\]?$")


def _object_repr(output: nbformat.NotebookNode) -> bool:
    """Whether an output is nothing but an object's repr (no image, HTML or markdown beside it)."""
    data = output.get("data", {})
    return output.get("output_type") == "execute_result" and set(data) <= {"text/plain"} \
        and bool(_REPR.match("".join(data.get("text/plain", "")).strip()))


def _cell_text(cell: nbformat.NotebookNode) -> str:
    """What a stakeholder reads of a cell: markdown source, or the text and HTML of a code cell's outputs."""
    if cell.cell_type == "markdown":
        return cell.source
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        for mime in ("text/markdown", "text/html"):
            parts.append("".join(output.get("data", {}).get(mime, "")))
        if "text/markdown" not in output.get("data", {}) and "text/html" not in output.get("data", {}):
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def library_names(notebook: nbformat.NotebookNode) -> list[tuple[int, str, list[str]]]:
    """The cells of the stakeholder edition that show ``segkit.`` names: (cell index, cell type, names).

    Markdown is checked in its source, code cells in their outputs (their input is hidden).
    """
    found = []
    for i, cell in stakeholder_cells(notebook):
        names = sorted(set(LIBRARY_NAME.findall(_cell_text(cell))))
        if names:
            found.append((i, "markdown" if cell.cell_type == "markdown" else "code output", names))
    return found


def _nav(name: str, edition: str, *, where: str) -> str:
    """The navigation bar: the index, the other edition, and which edition this is."""
    up = "../" if edition == ANALYST else ""
    other = (f'<a href="../{html.escape(name)}.html">Stakeholder edition</a>' if edition == ANALYST
             else f'<a href="{ANALYST_DIR}/{html.escape(name)}.html">Analyst edition (with code)</a>')
    label = "analyst edition: everything, code included" if edition == ANALYST else "stakeholder edition"
    return (f'<nav class="segkit-nav {where}" aria-label="reports"><a href="{up}index.html">&larr; All reports '
            f'(index)</a>{other}<span class="edition">{label}</span></nav>')


#: The opening tag of a cell's outer element in nbconvert's lab template, and a cell's tag class on any element.
_CELL_START = re.compile(r'<div\b[^>]*\bclass="jp-Cell [^"]*\bjp-Notebook-cell\b[^"]*"[^>]*>')
_METHOD_CLASS = re.compile(r'\bclass="[^"]*\bcelltag_' + METHOD_TAG + r'\b')


def fold_methods(body: str) -> str:
    """Fold each run of consecutive ``method``-tagged cells of a rendered page into one closed ``<details>``.

    Works on nbconvert's lab HTML, where every cell is one ``jp-Notebook-cell`` element, the cells are
    siblings inside ``<main>``, and a tagged cell carries the class ``celltag_<tag>``. The cells keep their
    rendered HTML (headings, lists, math, tables, figures). A page without ``<main>`` is returned as it is.
    """
    starts = [m.start() for m in _CELL_START.finditer(body)]
    end = body.find("</main>", starts[-1]) if starts else -1
    if end < 0:
        return body
    bounds = list(zip(starts, starts[1:] + [end]))
    method = [bool(_METHOD_CLASS.search(body[a:b])) for a, b in bounds]
    pieces, inside = [body[:starts[0]]], False
    for (a, b), is_method in zip(bounds, method):
        if is_method and not inside:
            pieces.append(f'<details class="segkit-method"><summary>{html.escape(METHOD_SUMMARY)}</summary>\n')
        elif inside and not is_method:
            pieces.append("</details>\n")
        pieces.append(body[a:b])
        inside = is_method
    pieces.append("</details>\n" if inside else "")
    return "".join(pieces) + body[end:]


def _mark_sections(body: str) -> str:
    """Give every level-2 heading's cell but the first the class that starts a printed page."""
    seen = 0

    def mark(match: re.Match) -> str:
        nonlocal seen
        seen += 1
        return match.group(0) if seen == 1 else match.group(0).replace("<h2", '<h2 class="segkit-section-start"', 1)

    return re.sub(r"<h2\b(?![^>]*segkit-section-start)", mark, body)


def render_html(executed: Path, *, edition: str = STAKEHOLDER, name: str | None = None) -> str:
    """One edition of an executed notebook as a self-contained page (images embedded, no network loads)."""
    from nbconvert import HTMLExporter

    notebook = nbformat.read(executed, as_version=4)
    stem = name or Path(executed).stem
    chosen = edition_notebook(notebook, edition)
    analyst = edition == ANALYST
    exporter = HTMLExporter(template_name="lab", exclude_input=not analyst, exclude_input_prompt=not analyst,
                            exclude_output_prompt=not analyst, embed_images=True)
    body, _ = exporter.from_notebook_node(chosen, resources={"metadata": {"name": notebook_title(notebook)}})
    # require.js and MathJax come from a CDN in nbconvert's template; reports must open offline
    body = _EXTERNAL.sub("", body)
    body = _mark_sections(body)
    if not analyst:
        body = fold_methods(body)
    body = body.replace("</head>", f"<style>{PAGE_CSS}</style>\n</head>", 1)
    body = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + "\n" + _nav(stem, edition, where="top"), body, count=1)
    return body.replace("</body>", _nav(stem, edition, where="bottom") + "\n</body>", 1)


def notebook_title(notebook: nbformat.NotebookNode) -> str:
    """The first level-one heading of the notebook, or its first line of markdown."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled notebook"


def notebook_headline(notebook: nbformat.NotebookNode) -> str:
    """The computed summary, as plain text: the markdown output of the cell tagged ``headline``,
    else the notebook's first markdown output (the template puts the headline first)."""
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    tagged = [c for c in code_cells if "headline" in c.get("metadata", {}).get("tags", [])]
    for cell in tagged or code_cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text:
                return re.sub(r"[*_`#]", "", "".join(text)).strip()
    return ""
