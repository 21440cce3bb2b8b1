# The two commands a user needs: `make bench` and `make test`. Both set up what is missing first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SCENARIO ?= multistage
TEST_FLAGS ?=

.PHONY: bench test lint setup engine bases test-tools clean-venv

bench: setup
	$(PY) -m bench +scenario=$(SCENARIO)

# Lint first (contracts, types, style): a broken boundary fails before the long engine tests.
test: setup test-tools lint
	$(PY) -m pytest $(TEST_FLAGS)

lint: $(VENV)/.installed
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/ruff check bench tests scripts

setup: $(VENV)/.installed engine bases

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

engine: $(VENV)/.installed
	$(PY) -m bench.engine.setup

bases: engine
	$(PY) -m bench.bases build

test-tools: $(VENV)/.installed
	$(PY) -m bench.hosttools

clean-venv:
	rm -rf $(VENV)
