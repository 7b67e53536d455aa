# mlmon: two commands do all set-up on a fresh Debian machine:
#   make generate   venv + mlmon + promtool/amtool, then generate and validate generated/ from specs/
#   make test       the same set-up, then the whole test suite
#   make docs       the manual in docs/ (mkdocs-material, --strict) into build/site
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MLMON := $(BIN)/mlmon
SPECS ?= specs
OUT ?= generated
PYTEST_ARGS ?=

.PHONY: all setup venv tools generate check-generated validate lint lint-code dev-venv test test-fast golden bench bench-docs schema docs docs-ref docs-venv clean

all: generate

setup: venv tools

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,parity]'
	$(BIN)/python -m compileall -q cli/mlmon >/dev/null  # lint (a pre-commit hook) starts from bytecode
	touch $@

# promtool and amtool (plus the servers the end-to-end tests start) from Debian's packages, and
# chromium for `mlmon preview --png` and the preview's browser tests.
# Package scripts must not start services: a policy-rc.d that denies them is put in place for
# the install when the machine has none.
tools:
	@if command -v promtool >/dev/null && command -v amtool >/dev/null && command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null && command -v chromium >/dev/null; then \
	  echo "tools: promtool, amtool, prometheus, prometheus-alertmanager, chromium present"; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  created=0; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null; $$SUDO chmod +x /usr/sbin/policy-rc.d; created=1; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager chromium >/dev/null; \
	  rc=$$?; \
	  if [ $$created = 1 ]; then $$SUDO rm -f /usr/sbin/policy-rc.d; fi; \
	  exit $$rc; \
	fi

generate: setup
	$(MLMON) lint $(SPECS)
	$(MLMON) generate $(SPECS) -o $(OUT)
	$(MLMON) validate $(OUT)

check-generated: venv
	$(MLMON) generate $(SPECS) -o $(OUT) --check

validate: setup
	$(MLMON) validate $(OUT)

lint: venv
	$(MLMON) lint $(SPECS)

schema: venv
	$(MLMON) schema -o schemas/mlmon-spec.v1.schema.json

# two workers: most of the time is promtool and real servers, which run in their own processes
# (loadgroup: tests marked xdist_group("mlflow") share one worker, so one `mlflow server` starts)
test: setup
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: venv
	$(BIN)/pytest -q -p no:cacheprovider -n 2 -m "not e2e" $(PYTEST_ARGS)

# refresh tests/golden/*/expected after an intended change; review the diff before committing
golden: venv
	MLMON_UPDATE_GOLDEN=1 $(BIN)/pytest -q -p no:cacheprovider tests/golden -k golden_tree

# code checks: ruff (lint + format) and mypy (strict flags on compiler/, monitors/, render/)
dev-venv: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

lint-code: dev-venv
	$(BIN)/ruff check cli tests bench
	$(BIN)/ruff format --check cli tests bench
	$(BIN)/mypy

# the manual: the generated reference pages must be fresh, then a strict mkdocs build
docs-venv: $(VENV)/.docs-installed

$(VENV)/.docs-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,docs]'
	touch $@

docs: docs-venv
	$(BIN)/python -m mlmon.docgen docs --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# refresh docs/'s generated pages (reference, monitors, presets) from the code
docs-ref: venv
	$(BIN)/python -m mlmon.docgen docs

bench: setup
	$(BIN)/python bench/run.py

# the same, then this run's figures table into docs/benchmarks.md (between its markers)
bench-docs: setup
	$(BIN)/python bench/run.py --write-docs docs/benchmarks.md

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info cli/*.egg-info
