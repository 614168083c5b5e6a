# segkit workbooks. Run `make help` for the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PARAMS ?=
DATA   ?=
JOBS   ?= 2
ONLY   ?=

# Pinned threads make parallel and serial runs do the same floating-point work.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

REPORT_ARGS := --jobs $(JOBS) $(if $(PARAMS),--params $(PARAMS)) $(if $(DATA),--data $(DATA)) $(if $(ONLY),--only $(ONLY))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.DEFAULT_GOAL := help
.PHONY: help setup setup-spark setup-browser report pdf test-browser test test-code test-notebooks lab handouts notebooks data bench clean mutants shape

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

setup: ## create .venv, install the pinned dependencies and segkit (editable), register the Jupyter kernel
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name segkit --display-name "Python (segkit)"
	@echo "set-up done: now run 'make report'"

setup-spark: ## add the Spark extra (PySpark, sqlglot) and a Java 17+ runtime if there is none, for data past one machine
	@major=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	if [ "$${major:-0}" -lt 17 ]; then \
	  echo "installing a Java runtime (Spark 4 needs Java 17 or newer; found: $${major:-none})"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; \
	fi
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,spark]'

setup-browser: ## add headless Chromium (Debian's chromium package, via apt) and the browser extra (Playwright), for make pdf and make test-browser
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing Chromium from the distribution's packages"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; \
	fi
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,browser]'

report: ## run the notebooks with papermill and write reports/index.html (PARAMS=file.yaml DATA=orders.csv ONLY="00 01")
	$(BIN)/python -m segkit.report $(REPORT_ARGS)

pdf: ## print the built reports to reports/pdf/*.pdf with headless Chromium (make report and make setup-browser first)
	$(BIN)/python -m segkit.report --pdf

test-browser: ## open every built stakeholder report in offline headless Chromium and check it; screenshots in reports/screenshots/
	$(BIN)/python -m pytest tests/test_browser.py -ra -p no:cacheprovider

test: ## run the unit tests, doctests and the nbval checks of the stored notebooks
	$(BIN)/python -m pytest segkit tests notebooks $(NBVAL) --ignore=tests/test_browser.py

test-code: ## run the unit tests and doctests only (fast)
	$(BIN)/python -m pytest segkit tests --ignore=tests/test_browser.py

test-notebooks: ## check the stored notebooks against a fresh run with nbval
	$(BIN)/python -m pytest notebooks $(NBVAL)

lab: ## open JupyterLab on notebooks/
	$(BIN)/jupyter lab --notebook-dir=notebooks

handouts: ## write workshop copies (solutions removed, outputs cleared) to handouts/
	$(BIN)/python -m segkit.report --handouts

notebooks: ## re-execute the stored notebooks in place after changing segkit (then commit them)
	$(BIN)/python -m segkit.report --inplace --jobs $(JOBS)

data: ## regenerate the default data set under data/raw/ (deterministic)
	$(BIN)/python -m segkit.datasets
	@if [ -f segkit/campaign/__main__.py ]; then $(BIN)/python -m segkit.campaign; fi

bench: ## run the benchmarks (prints timings and ratios against a reference measured in the same run)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## remove generated reports, handouts and caches (keeps .venv)
	rm -rf reports/*.html reports/*.csv reports/*.csv.gz reports/*.parquet reports/notebooks reports/failed reports/analyst reports/pdf reports/screenshots handouts data/interim/*-* data/interim/*.tmp .pytest_cache build

mutants: ## mutation testing of one family with mutmut, in build/mutants/ (FAMILY=data|rfm|cluster|clv|campaign; slow, not in CI)
	$(BIN)/python tools/mutants.py $(FAMILY)

shape: ## print module sizes, public names and the longest functions of segkit
	$(BIN)/python tools/shape.py
