"""Open the reports in headless Chromium, offline: print them to PDF and measure what a reader would see.

Chromium is the system's (``make setup-browser`` installs Debian's ``chromium`` package), driven by
Playwright for Python (the ``browser`` extra) through ``executable_path``; Playwright's own browser
download (``playwright install``) is never used. Every launch gets the same flags, a fresh profile
folder, and a context in which every request that is not a local file or inline data is refused and
counted, so a report that would need the network shows it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

#: Where Chromium is looked for, in order (``SEGKIT_CHROMIUM`` names another one).
CHROMIUM_CANDIDATES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome")
#: Flags of every launch: headless, no sandbox (containers and CI run as root), no GPU, and nothing that
#: phones home (background networking, component updates, sync, the first-run page).
CHROMIUM_FLAGS: tuple[str, ...] = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                   "--disable-component-update", "--disable-sync", "--no-first-run")
#: Schemes a report may load from: its own file and inline data.
LOCAL_SCHEMES: tuple[str, ...] = ("file:", "data:", "blob:", "about:")
#: The page width the reports are checked and screenshot at.
WIDTH: int = 1280
#: The width of printed content on A4 with the reports' 12 mm margins, in CSS pixels (186 mm at 96 px per inch).
PRINT_WIDTH: int = 703


class BrowserUnavailable(RuntimeError):
    """Chromium or Playwright is missing; the message says how to install them."""


def find_chromium() -> str:
    """The Chromium executable: ``SEGKIT_CHROMIUM``, else the first of :data:`CHROMIUM_CANDIDATES` on the PATH."""
    named = os.environ.get("SEGKIT_CHROMIUM")
    if named:
        if Path(named).exists() or shutil.which(named):
            return shutil.which(named) or named
        raise BrowserUnavailable(f"SEGKIT_CHROMIUM={named} does not exist.")
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable("No Chromium found (looked for " + ", ".join(CHROMIUM_CANDIDATES) + "). Install it with "
                             "'make setup-browser' (Debian's chromium package and the browser extra).")


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise BrowserUnavailable("Playwright for Python is missing: run 'make setup-browser' "
                                 "(pip install -e '.[browser]').") from error
    return sync_playwright


class Session:
    """An offline browser context: pages opened here cannot reach the network; what they tried is kept."""

    def __init__(self, context):
        self.context = context
        self.blocked: list[str] = []
        context.route("**/*", self._route)
        context.on("request", self._request)

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _request(self, request) -> None:
        if not request.url.startswith(LOCAL_SCHEMES):
            self.blocked.append(request.url)

    def new_page(self):
        """A page of :data:`WIDTH` pixels."""
        return self.context.new_page()


@contextmanager
def offline_browser(*, width: int = WIDTH, height: int = 900) -> Iterator[Session]:
    """Headless Chromium with :data:`CHROMIUM_FLAGS`, a fresh profile and the network blocked."""
    executable = find_chromium()
    sync_playwright = _playwright()
    profile = tempfile.mkdtemp(prefix="segkit-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=executable, headless=True, args=list(CHROMIUM_FLAGS),
                viewport={"width": width, "height": height}, offline=True, service_workers="block",
            )
            try:
                yield Session(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def stakeholder_pages(reports: Path) -> list[Path]:
    """The index and the stakeholder reports of a reports folder, index first."""
    pages = sorted(p for p in reports.glob("[0-9][0-9]_*.html"))
    index = reports / "index.html"
    return ([index] if index.exists() else []) + pages


def write_pdfs(reports: Path, target: Path | None = None) -> list[Path]:
    """Print the index and every stakeholder report to ``target`` (``reports/pdf``) as A4 PDFs; return their paths.

    The pages' own print stylesheet decides the layout (every column kept, a page per section).
    """
    target = target or reports / "pdf"
    pages = stakeholder_pages(reports)
    if not pages:
        raise BrowserUnavailable(f"No reports in {reports}: run 'make report' first.")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with offline_browser() as session:
        page = session.new_page()
        for source in pages:
            page.goto(source.resolve().as_uri(), wait_until="load")
            out = target / f"{source.stem}.pdf"
            page.pdf(path=str(out), print_background=True, prefer_css_page_size=True)
            written.append(out)
        page.close()
    return written


#: What the browser test measures on a page, in the page itself (JavaScript): overflow, clipped boxes,
#: undecoded images, headings, code inputs, the text of every table cell, the words of table headers that
#: are broken across two lines, and every ``details`` block (open or closed, its summary, its text length).
PAGE_PROBE: str = """async () => {
  const root = document.documentElement;
  const images = Array.from(document.images);
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  const clipped = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (['auto', 'scroll', 'hidden'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1
        && el.clientWidth > 0 && el.querySelector('table, img')) {
      clipped.push(`${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80) + ` (${el.scrollWidth} > ${el.clientWidth} px)`);
    }
  }
  const wide = Array.from(document.querySelectorAll('table, img'))
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
    .map(el => `${el.tagName.toLowerCase()} ending at ${Math.round(el.getBoundingClientRect().right)} px`);
  return {
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, clipped, wide,
    badImages: images.filter(img => !img.complete || img.naturalWidth === 0).map(img => (img.src || '').slice(0, 60)),
    nImages: images.length,
    headings: Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => h.innerText.trim()),
    codeInputs: document.querySelectorAll('.jp-CodeCell .jp-InputArea, .jp-CodeCell .jp-Editor, .input_area').length,
    cells: Array.from(document.querySelectorAll('td, th')).map(c => c.innerText.trim()),
    text: document.body.innerText,
    splitHeaders: splitHeaderWords(),
    details: Array.from(document.querySelectorAll('details')).map(d => ({
      open: d.open, summary: (d.querySelector(':scope > summary') || {innerText: ''}).innerText.trim(),
      text: d.innerText.length})),
  };
  // every word of a table header cell whose glyphs lie on more than one line ("Custo|mers"); a word is a run
  // of letters between spaces, and a hard hyphen ends one ("k-means" may wrap after its hyphen)
  function splitHeaderWords() {
    const split = [];
    for (const th of document.querySelectorAll('th')) {
      const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.data.matchAll(/[^\s\u2010-]+[\u2010-]?/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
            .map(r => Math.round(r.top)));
          if (lines.size > 1) split.push(m[0]);
        }
      }
    }
    return split;
  }
}"""


def inspect_page(session: Session, source: Path, *, screenshot: Path | None = None) -> dict:
    """Open ``source`` in ``session``, measure it with :data:`PAGE_PROBE`, optionally save a full-page screenshot.

    Returns the probe's measurements plus ``console_errors`` (console messages of type error and uncaught
    exceptions), ``requests`` (every request to anything but a local file or inline data) and ``print``
    (overflow, clipping, header words broken across lines and the ``details`` blocks, measured again with the
    print stylesheet at :data:`PRINT_WIDTH`, the width a PDF's A4 page gives the content).
    """
    page = session.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    before = len(session.blocked)
    try:
        page.goto(source.resolve().as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")
        result = page.evaluate(PAGE_PROBE)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        # as printed: print stylesheet, the width of an A4 page's content
        page.emulate_media(media="print")
        page.set_viewport_size({"width": PRINT_WIDTH, "height": 1000})
        printed = page.evaluate(PAGE_PROBE)
    finally:
        page.close()
    return {**result, "console_errors": errors, "requests": session.blocked[before:],
            "print": {k: printed[k] for k in ("scrollWidth", "clientWidth", "wide", "clipped", "splitHeaders",
                                                    "details")}}
