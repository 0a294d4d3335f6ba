# One-word developer commands. Every target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONTENT ?= content
OUTPUT ?= site
PORT ?= 8000

.PHONY: run test build check bench bench-scale lint format clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	@$(PY) build.py serve --content $(CONTENT) --output $(OUTPUT) --port $(PORT)

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

# The web editor (docs/cms.md): Decap CMS's script bundle (dist/decap-cms.js and the chunks it
# loads) and its local backend decap-server, from npm, pinned, git-ignored. Without npm,
# /admin/ says that the editor is not installed and the editor's browser test skips (fails under CI=true).
CMS_TOOLS := .cms-tools
DECAP_CMS := decap-cms@3.16.3
DECAP_SERVER := decap-server@3.11.3
CMS_ADMIN := .cms-admin
CMS_PORT ?= 8081
.PHONY: cms

$(CMS_TOOLS)/.installed: Makefile
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix $(CMS_TOOLS) --no-save --no-audit --no-fund --loglevel=error $(DECAP_CMS) $(DECAP_SERVER) && touch $@; \
	else echo "npm 不可用：未安装 Decap CMS，/admin/ 只显示“网页编辑器尚未安装”，网页编辑器测试将跳过（CI 中失败）"; fi

# /admin/ beside the preview, with decap-server on 127.0.0.1:$(CMS_PORT) writing into $(CONTENT)/
# (files only: commit them with git as usual); Ctrl+C stops both
cms: $(VENV)/.installed $(CMS_TOOLS)/.installed
	$(PY) build.py cms --content $(CONTENT) --output $(CMS_ADMIN) --root $(CURDIR) --local-port $(CMS_PORT)
	@server=; \
	if [ -x $(CMS_TOOLS)/node_modules/.bin/decap-server ]; then \
		PORT=$(CMS_PORT) BIND_HOST=127.0.0.1 MODE=fs GIT_REPO_DIRECTORY=$(CURDIR) LOG_LEVEL=warn $(CMS_TOOLS)/node_modules/.bin/decap-server & server=$$!; \
		echo "网页编辑器：http://127.0.0.1:$(PORT)/admin/ （本机后端 decap-server：127.0.0.1:$(CMS_PORT)）"; \
	fi; \
	trap 'if [ -n "$$server" ]; then kill $$server 2>/dev/null; fi' EXIT INT TERM; \
	$(PY) build.py serve --content $(CONTENT) --output $(OUTPUT) --port $(PORT) --admin $(CMS_ADMIN)

# pytest on TEST_WORKERS processes (pytest-xdist), each taking a whole test file at a time
# (--dist loadfile): a file's module fixtures are built once and its tests keep their order.
# TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 2
test: $(VENV)/.installed $(TOOLS)/.installed $(CMS_TOOLS)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy disclosure search
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

build: $(VENV)/.installed
	$(PY) build.py build --content $(CONTENT) --output $(OUTPUT)

check: $(VENV)/.installed
	$(PY) build.py check --content $(CONTENT)

bench: $(VENV)/.installed
	$(PY) bench/run.py

# 100,000 generated records against the corpus (issue 15); RECORDS=2000 for a quick run
RECORDS ?= 100000
bench-scale: $(VENV)/.installed
	$(PY) bench/scale_bench.py --records $(RECORDS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS) $(CMS_TOOLS) $(CMS_ADMIN) $(OUTPUT) .$(OUTPUT)-cache .pytest_cache .mypy_cache
