"""Render an executed notebook as a stakeholder page: code hidden, images embedded, nothing loaded from the network."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat


#: Cells with these tags never reach a stakeholder report.
REMOVE_CELL_TAGS: frozenset[str] = frozenset({"remove-cell", "solution", "injected-parameters", "parameters"})


#: Script blocks that load anything from the network (require.js, MathJax, mermaid), and remote stylesheets.
_EXTERNAL = re.compile(
    r"<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*?</script>"
    r"|<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>|<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>",
    re.IGNORECASE | re.DOTALL,
)


def render_html(executed: Path) -> str:
    """Stakeholder HTML: code, prompts and removed cells hidden, images embedded, no network loads."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(executed, as_version=4)
    remover = TagRemovePreprocessor(
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags={"remove-input"},
        remove_all_outputs_tags={"remove-output"},
        enabled=True,
    )
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": notebook_title(notebook)}})
    # require.js and MathJax come from a CDN in nbconvert's template; reports must open offline
    return _EXTERNAL.sub("", body)


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
