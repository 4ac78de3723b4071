# The two commands a new user needs are `make demo` and `make test` (see README.md).
PYTHON ?= python3
NPM ?= npm
VENV ?= .venv
BIN := $(VENV)/bin
# npm's own record of an install from package-lock.json
NODE_DEPS := node_modules/.package-lock.json

.PHONY: setup demo test lint bench clean screenshots

# The JupyterLab extension's JS dependencies, exactly as package-lock.json pins them. Installed
# before the Python package: its build hook runs npm to build the extension.
$(NODE_DEPS): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

$(BIN)/nbvc: pyproject.toml $(NODE_DEPS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/nbvc

# The JupyterLab extension, rebuilt when its TypeScript or styles change (the browser tests
# serve this build; `pip install` builds it too, through the hatch hook).
EXTENSION := src/nbvc/labextension/static/style.js
$(EXTENSION): $(shell find labextension/src labextension/style -type f) package.json tsconfig.json $(BIN)/nbvc
	PATH="$(CURDIR)/$(BIN):$$PATH" $(NPM) run --silent build:prod
	touch $@

demo: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" bash demos/cli_quickstart.sh

test: setup $(EXTENSION)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(NPM) run --silent lint:check
	$(NPM) test --silent
	$(BIN)/pytest
	# the browser tests run in a pytest process of their own (pytest-jupyter's event loop and
	# Playwright's clash in one process): a real JupyterLab driven through Debian's chromium
	$(BIN)/pytest -m ui tests/ui

# Refresh the README's screenshots (docs/screenshots/*-light.png, *-dark.png).
screenshots: setup $(EXTENSION)
	NBVC_SCREENSHOTS=docs/screenshots $(BIN)/pytest -m ui tests/ui/test_panel.py

lint: setup
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/mypy
	$(NPM) run --silent lint

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache node_modules \
		labextension/lib src/nbvc/labextension tsconfig.tsbuildinfo
