"""Run the notebooks with papermill and render stakeholder reports, offline and reproducibly.

``python -m segkit.report`` (what ``make report`` calls) executes every ``notebooks/NN_*.ipynb``
(or those named by ``--only``) with the parameters of ``params/default.yaml`` (a ``--params``
file and ``--data`` override them), renders one HTML page per notebook with the code hidden, and
writes ``reports/index.html``.

One notebook's failure never withholds the others. Every notebook runs into a staging folder,
writing its exports into a folder of its own, so what each notebook wrote is known exactly. Then,
notebook by notebook:

- a success replaces its HTML report, its executed notebook (``reports/notebooks/``) and its
  exports, and removes the exports its previous run wrote and this one did not;
- a failure removes its previous report, executed notebook and exports (nothing stale is shown
  as if current) and keeps the executed copy in ``reports/failed/`` for inspection. A notebook
  whose export would overwrite another report's file counts as failed (the later one, in
  analyst order, so the outcome does not depend on ``--jobs``).

Notebooks that read other notebooks' exports (they declare a parameter ``exports_dir``, as
``09_personas`` does) run in a second wave, after all the others, with ``exports_dir`` pointing at
a staging folder that holds what ``reports/`` will hold after this run: the first wave's new
exports, the published files of the notebooks not run, and nothing of a notebook that failed. Run
alone (JupyterLab, ``--inplace``, ``--only 09``) they read the published ``reports/`` folder.

Each executed notebook records in its metadata (key ``segkit``) when it was built, from which
parameters and data, and which exports it wrote; that record is how a later run knows what to
remove. Reports of notebooks not run (``--only``) stay as they are. The index lists every report
present, whether it comes from this run or an earlier one (with its date, and a note when it was
built from other parameters or data), every failure with its error, cell and executed copy, and
files in ``reports/`` that no report accounts for. The run exits non-zero, after writing all that
worked, when a notebook failed or the data summary of the index could not be computed.

``python -m segkit.report --inplace`` re-executes the stored notebooks in place (their stored
outputs are what nbval compares against), and ``python -m segkit.report --handouts`` writes
workshop copies without solutions or outputs to ``handouts/``.

The package's modules, in the order of a run: :mod:`~segkit.report.execute` (find notebooks,
fill parameters, run papermill), :mod:`~segkit.report.render` (the HTML page),
:mod:`~segkit.report.publish` (staging to ``reports/``), :mod:`~segkit.report.index` and
:mod:`~segkit.report.summary` (the index page), :mod:`~segkit.report.build` (the whole run),
:mod:`~segkit.report.stored` (stored notebooks and handouts). :class:`Folders` says where all of
it happens, so that a run can be pointed at another project (the tests use throwaway folders).
"""

# The package's interface is its command line, ``python -m segkit.report`` (``__main__`` imports from the
# modules): no notebook, other package or README example calls these, so none is in __all__; the tests reach
# them as report.build_reports, report.Folders, ...
from segkit.report.build import build_reports  # noqa: F401
from segkit.report.execute import ReportError, list_notebooks, load_parameters  # noqa: F401
from segkit.report.folders import Folders  # noqa: F401
from segkit.report.stored import refresh_stored, write_handouts  # noqa: F401

__all__: list[str] = []
