# The two commands a new user needs are `make demo` and `make test` (see README.md).
PYTHON ?= python3
NPM ?= npm
VENV ?= .venv
BIN := $(VENV)/bin
# npm's own record of an install from package-lock.json
NODE_DEPS := node_modules/.package-lock.json

.PHONY: setup demo test lint bench clean

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

demo: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" bash demos/cli_quickstart.sh

test: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(NPM) run --silent lint:check
	$(BIN)/pytest

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
