# One-word developer commands. Every target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONTENT ?= content
OUTPUT ?= site
PORT ?= 8000

.PHONY: run test build check bench lint format clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(PY) build.py serve --content $(CONTENT) --output $(OUTPUT) --port $(PORT)

test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m pytest -q

build: $(VENV)/.installed
	$(PY) build.py build --content $(CONTENT) --output $(OUTPUT)

check: $(VENV)/.installed
	$(PY) build.py check --content $(CONTENT)

bench: $(VENV)/.installed
	$(PY) bench/run.py

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) $(OUTPUT) .$(OUTPUT)-cache .pytest_cache
