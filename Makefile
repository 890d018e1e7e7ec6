# Two commands on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first interpreter that runs and is 3.11 or newer (pyenv shims may exist but not run)
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
TRANSLATIONS := sportressources/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
PYTEST_ARGS ?=
# Test processes (pytest-xdist): each has its own PostgreSQL schema, SQLite files and live servers
PYTEST_WORKERS ?= 2

export FLASK_APP := wsgi

.PHONY: help run test install lint format translations extract-messages ci clean-venv load-test

help:
	@echo "make run    install, migrate, load territory and demo data, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   install dev tools, lint, run the whole test suite"
	@echo "make load-test  load test on PostgreSQL and Redis, one then two app servers (~4 min)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(VENV)/.installed $(MO_FILES)

%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask data init
	SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev-installed $(MO_FILES) node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the message catalogues after adding or changing user-facing strings
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location --sort-output \
		--ignore-dirs='.* node_modules instance' \
		--project=sportressources -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

ci:
	.ci/run

# Load test (benchmarks/README.md): needs PostgreSQL and Redis on 127.0.0.1; never part of `make test`.
# LOAD_ARGS="--duration 20 --users 20" for a shorter run.
LOAD_ARGS ?=
$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@touch $@

load-test: $(VENV)/.bench-installed $(MO_FILES)
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)

clean-venv:
	rm -rf $(VENV)
