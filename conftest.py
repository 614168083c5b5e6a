"""pytest settings shared by the segkit tests and the nbval runs of the notebooks."""

import os

import pytest

# pinned threads: stored notebook outputs were produced the same way (see segkit.report)
for _name, _value in {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}.items():
    os.environ.setdefault(_name, _value)


def pytest_collectstart(collector):
    """nbval compares text, markdown and stdout; rich HTML tables and images are not compared.

    DataFrames are compared through their text/plain form, which holds the same numbers.
    """
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "stderr", "image/png", "image/svg+xml")


@pytest.fixture(autouse=True, scope="session")
def _kept_results_apart(tmp_path_factory):
    """Results kept by segkit.memo go to a folder of the test session, not to the project's data/interim."""
    from segkit import memo

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memo, "INTERIM_DIR", tmp_path_factory.mktemp("kept"))
        yield


@pytest.fixture
def no_pandas_read(monkeypatch):
    """Reading a file into pandas (or Arrow) fails: a function that passes computes on it in the engine
    (and does compute: no result kept by segkit.memo is read back instead)."""
    import pandas as pd
    import pyarrow.parquet as pq

    def refuse(*args, **kwargs):
        raise AssertionError("the order lines were read into Python")

    monkeypatch.setattr(pd, "read_parquet", refuse)
    monkeypatch.setattr(pq, "read_table", refuse)
    monkeypatch.setenv("SEGKIT_KEEP_RESULTS", "0")


#: The Spark local-mode tests' time, every phase included (starting Spark is the module fixture's set-up).
_SPARK_TESTS = {"seconds": 0.0, "tests": 0}


def pytest_runtest_logreport(report):
    if report.nodeid.startswith("tests/test_spark.py"):
        _SPARK_TESTS["seconds"] += report.duration
        _SPARK_TESTS["tests"] += report.when == "call"


def pytest_terminal_summary(terminalreporter):
    """Say how long the Spark local-mode tests took, which the notes report from CI."""
    if _SPARK_TESTS["tests"]:
        terminalreporter.write_line(f"Spark local-mode tests (tests/test_spark.py): {_SPARK_TESTS['tests']} ran "
                                    f"in {_SPARK_TESTS['seconds']:.0f} s, starting Spark included")
