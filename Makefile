# The two commands a user needs: `make bench` and `make test`. Both set up what is missing first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SCENARIO ?= multistage
TEST_FLAGS ?=

.PHONY: bench test setup engine bases clean-venv

bench: setup
	$(PY) -m bench +scenario=$(SCENARIO)

test: setup
	$(PY) -m pytest $(TEST_FLAGS)

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

clean-venv:
	rm -rf $(VENV)
