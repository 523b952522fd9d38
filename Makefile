# Kollegan: `make run` serves the site with demo data, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export KOLLEGAN_DATA_DIR ?= $(CURDIR)/var
PORT ?= 8000
SCALE ?= national

.PHONY: install run test test-tools bench lint format messages clean

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
	@KOLLEGAN_DEV=1 $(BIN)/python manage.py compile_translations

run: install
	KOLLEGAN_DEV=1 $(BIN)/python manage.py migrate --noinput
	KOLLEGAN_DEV=1 SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py seed_demo --if-empty
	KOLLEGAN_DEV=1 PORT=$(PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py serve

test-tools:
	@bash scripts/ensure-test-tools.sh

test: install test-tools
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	@$(BIN)/python -m kollegan.bench --scale $(SCALE) $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh locale/*/LC_MESSAGES/django.po after changing user-facing strings.
messages: install
	KOLLEGAN_DEV=1 $(BIN)/python manage.py makemessages -l sv -l en --no-obsolete \
		--ignore '.venv/*' --ignore 'var/*'

clean:
	rm -rf $(VENV) *.egg-info
