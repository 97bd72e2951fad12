# The few commands people run. `make run` and `make test` each set up everything they need.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
DB     ?= data/sitrep.duckdb
PORT   ?= 8501
SHARED ?= ../shared

.PHONY: run test check lint evaluate bench bench-quick ingest-fakes clean-db browser

## run: install what is needed, load the seeds on first run, open the dashboard
run: $(VENV)/.runtime
	$(PY) -m analytics ingest seeds --db $(DB) --if-empty --quiet
	$(PY) -m streamlit run app.py --server.port $(PORT)

## test: install what is needed (incl. Chromium for browser tests), lint, run every test
test: $(VENV)/.dev browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

check: test

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

## evaluate: print extraction quality against the gold files in ../shared
evaluate: $(VENV)/.runtime
	$(PY) -m analytics evaluate --gold $(SHARED)/gold/seed_report.json \
		--fakes $(SHARED)/corpora/fa-kes/fakes_dev.csv

## bench: ingestion and page speed at 100,000 reports, against a pandas baseline (~20 min)
bench: $(VENV)/.dev browser
	$(PY) -m analytics bench

bench-quick: $(VENV)/.dev browser
	$(PY) -m analytics bench --quick

## ingest-fakes: load the FA-KES corpus from ../shared into the dashboard's database
ingest-fakes: $(VENV)/.runtime
	$(PY) -m analytics ingest $(SHARED)/corpora/fa-kes/fakes_dev.csv --db $(DB)

clean-db:
	rm -rf $(DB) $(DB).wal $(DB).lock $(DB).snapshots

browser:
	@command -v chromium >/dev/null 2>&1 || bash scripts/install-chromium.sh

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@
