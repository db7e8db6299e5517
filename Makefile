# The two commands a fresh clone needs: `make dev` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test bench dev clean

$(STAMP): requirements-dev.txt backend/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

test: install
	$(PY) -m pytest -q tests

bench: install
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) .local .pytest_cache
