# The README's two commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SOURCES ?= config/sources.official.toml
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL server used by `make test` (the tests create and drop their own databases on it).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test lint typecheck migrations-check pytest bench clean

# setup.py compiles the matcher's modules (mypyc): an edit to any of service/core rebuilds them.
$(BIN)/.installed: pyproject.toml setup.py service/core/_kernels.c service/core/mypyc.ini $(wildcard service/core/*.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Embedded mode: SQLite under ./var, in-process worker; imports or refreshes the lists, then serves :8000.
## On an empty database `keys bootstrap` prints the first admin API key once (authentication is always on).
run: install
	$(BIN)/screening db upgrade
	$(BIN)/screening keys bootstrap
	-SCREENING_SOURCES_FILE=$(SOURCES) $(BIN)/screening lists refresh
	SCREENING_SOURCES_FILE=$(SOURCES) $(BIN)/screening serve --host $(HOST) --port $(PORT)

## Lint, types, migrations on PostgreSQL, then the suite on SQLite and PostgreSQL with a real Redis and workers.
test: install lint typecheck migrations-check pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

migrations-check:
	$(BIN)/python -m tests.support.migrations_check "$(TEST_POSTGRES_URL)"

pytest:
	SCREENING_TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" SCREENING_TEST_REDIS_URL="$(TEST_REDIS_URL)" \
	SCREENING_TEST_REQUIRE_SERVICES=1 $(BIN)/pytest -q

## Each benchmark prints its numbers beside an in-run baseline; none is part of `make test`.
bench: install
	$(BIN)/python benchmarks/import_lists.py
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python -m benchmarks.shipments
	$(BIN)/python benchmarks/screen_latency.py
	$(BIN)/python benchmarks/batch_throughput.py
	$(BIN)/python benchmarks/audit_export.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
