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

# Browser-test tools from npm (axe-core's axe.min.js, vnu-jar's vnu.jar, HTML_CodeSniffer: the
# WCAG2AA rules pa11y runs, injected by tests/test_phones.py), pinned, git-ignored.
# Without npm they are left out: the browser tests then skip, or fail under CI=true.
TOOLS := .browser-tools
AXE_CORE := axe-core@4.14.1
VNU_JAR := vnu-jar@26.9.27
HTMLCS := @pa11y/html_codesniffer@2.6.0

$(TOOLS)/.installed: Makefile
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix $(TOOLS) --no-save --no-audit --no-fund --loglevel=error $(AXE_CORE) $(VNU_JAR) $(HTMLCS) && touch $@; \
	else echo "npm 不可用：未安装 axe-core、vnu-jar 与 HTML_CodeSniffer，浏览器测试将跳过（CI 中失败）"; fi

test: $(VENV)/.installed $(TOOLS)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy disclosure search
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
	rm -rf $(VENV) $(TOOLS) $(OUTPUT) .$(OUTPUT)-cache .pytest_cache .mypy_cache
