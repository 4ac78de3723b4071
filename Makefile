# The two commands a new user needs are `make demo` and `make test` (see README.md).
PYTHON ?= python3
NPM ?= npm
VENV ?= .venv
BIN := $(VENV)/bin
# npm's own record of an install from package-lock.json
NODE_DEPS := node_modules/.package-lock.json

# `make demo` opens DEMO in JupyterLab; `make demo HEADLESS=1` executes it without a browser (as
# JupyterLab would: cell ids, session name) and writes the executed copy to DEMO_OUT.
DEMO ?= demos/quickstart.ipynb
DEMO_OUT ?= build/demos/$(notdir $(DEMO))
HEADLESS ?=
# The demos run what a user installs, and nothing else: the wheel built from this checkout (npm
# compiles the panel into it), with the `demos` extra (scikit-learn), in a venv of its own.
DEMO_VENV ?= build/demo-venv
DEMO_BIN := $(DEMO_VENV)/bin
WHEEL_DIR := build/wheel
WHEEL := $(WHEEL_DIR)/nbvc-$(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)-py3-none-any.whl
WHEEL_SOURCES := pyproject.toml README.md package.json package-lock.json $(shell find \
	src/nbvc labextension/src labextension/style jupyter-config -type f \
	-not -path 'src/nbvc/labextension/*' -not -name '*.pyc')
# jupyter refuses to run as root without --allow-root
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# the venv first on PATH: the demos' `!nbvc` lines and pipeline stages' `python` are the venv's
VENV_PATH := PATH="$(abspath $(BIN)):$$PATH"
DEMO_PATH := PATH="$(abspath $(DEMO_BIN)):$$PATH"

.PHONY: setup demo demo-cli binder-link test lint bench faults clean screenshots

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
$(EXTENSION): $(shell find labextension/src labextension/style -type f) src/nbvc/server/openapi.yaml package.json tsconfig.json $(BIN)/nbvc
	$(VENV_PATH) $(NPM) run --silent build:prod
	touch $@

# The wheel `pip install nbvc` gets, built as a release is: the panel compiled afresh (the build
# hook would reuse an older bundle), no dev toolchain in it.
$(WHEEL): $(WHEEL_SOURCES) $(NODE_DEPS)
	rm -rf $(WHEEL_DIR) src/nbvc/labextension
	$(PYTHON) -m pip wheel --quiet --no-deps --wheel-dir $(WHEEL_DIR) .

$(DEMO_BIN)/nbvc: $(WHEEL)
	rm -rf $(DEMO_VENV)
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_BIN)/pip install --quiet '$(WHEEL)[demos]'
	touch $@

demo: $(DEMO_BIN)/nbvc
ifeq ($(HEADLESS),)
	$(DEMO_PATH) $(DEMO_BIN)/jupyter lab $(ALLOW_ROOT) $(DEMO)
else
	$(DEMO_PATH) $(DEMO_BIN)/python -m nbvc.nbexec $(DEMO) --output $(DEMO_OUT)
	@echo "demo: executed copy of $(DEMO): $(DEMO_OUT)"
endif

# the command-line tour, in a throwaway folder
demo-cli: $(DEMO_BIN)/nbvc
	$(DEMO_PATH) bash demos/cli_quickstart.sh

# the Binder link of this clone's GitHub remote (origin), opening the quickstart demo
binder-link:
	@bash binder/link.sh

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
	NBVC_SCREENSHOTS=docs/screenshots $(BIN)/pytest -m ui tests/ui/test_panel.py \
		tests/ui/test_panel_first_hour.py

lint: setup
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/mypy
	$(NPM) run --silent lint

bench: setup
	$(BIN)/python benchmarks/run.py

# N random kill -9 trials of every writing command, then the invariants (tests/faults/); the
# counts go to build/faults.json (docs/reliability.md has the last long run's)
N ?= 500
faults: setup
	mkdir -p build
	$(VENV_PATH) $(BIN)/python -m tests.faults.harness --trials $(N) --json build/faults.json

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache node_modules \
		labextension/lib src/nbvc/labextension tsconfig.tsbuildinfo demos/workspaces
