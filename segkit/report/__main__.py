"""``python -m segkit.report``: build the reports, re-execute the stored notebooks, write handouts or PDFs."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from segkit.report.build import build_reports
from segkit.report.execute import DEFAULT_TIMEOUT_S, THREAD_ENV, ReportError, list_notebooks
from segkit.report.folders import Folders, shown
from segkit.report.stored import refresh_stored, write_handouts


def main(argv: list[str] | None = None, *, folders: Folders = Folders()) -> int:
    """The command line; ``folders`` points it at another project (segkit's own by default)."""
    parser = argparse.ArgumentParser(prog="python -m segkit.report", description=__doc__.splitlines()[0])
    parser.add_argument("--params", help="YAML file of parameters (overlaid on params/default.yaml)")
    parser.add_argument("--data", help="transactions file to use instead of the default data")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument("--only", nargs="*", help="notebook names or number prefixes, e.g. 00 01_rfm; "
                        "the reports of the other notebooks stay as they are")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_S, help="seconds per cell")
    parser.add_argument("--inplace", action="store_true", help="re-execute the stored notebooks in place")
    parser.add_argument("--handouts", action="store_true", help="write workshop copies to handouts/")
    parser.add_argument("--pdf", action="store_true", help="print the built reports to reports/pdf/ with headless "
                        "Chromium (make setup-browser)")
    parser.add_argument("--reports", help="write (or, with --pdf, read) the reports in this folder instead of "
                        "reports/, e.g. to keep a second run apart")
    args = parser.parse_args(argv)
    if args.reports:
        folders = replace(folders, reports=Path(args.reports).resolve())
    os.environ.update(THREAD_ENV)
    try:
        if args.pdf:
            from segkit.report.browser import BrowserUnavailable, write_pdfs

            try:
                for path in write_pdfs(folders.reports, folders.pdf):
                    print(f"wrote {shown(path)} ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
            except BrowserUnavailable as error:
                raise ReportError(str(error)) from error
        elif args.handouts:
            for path in write_handouts(folders=folders):
                print(f"wrote {shown(path)}")
        elif args.inplace:
            refresh_stored(list_notebooks(args.only, folders=folders), timeout=args.timeout, jobs=args.jobs,
                           folders=folders)
        else:
            index = build_reports(params_file=args.params, data=args.data, jobs=args.jobs,
                                  only=args.only, timeout=args.timeout, folders=folders)
            print(f"reports written: {shown(index)}")
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
