# Townhall's front door. `make run` serves the demo city; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-fast lint install install-test browser messages clean

# --- installation (stamp files make a second run fast) --------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed
install-test: $(VENV)/.installed-test node_modules/.installed browser

# Browser tests need Debian's Chromium. Install it when missing and we are root.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || { echo "Could not install chromium with apt-get."; exit 1; }; \
	else \
	  echo "The browser tests need Chromium at /usr/bin/chromium."; \
	  echo "Install it with: sudo apt-get install chromium   (then run make test again)"; \
	  exit 1; \
	fi

# --- the two commands -----------------------------------------------------------------
run: install
	@mkdir -p var
	DEBUG=$${DEBUG:-true} $(BIN)/townhall migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/townhall demo --if-empty
	DEBUG=$${DEBUG:-true} $(BIN)/townhall demo_requests --if-empty
	DEBUG=$${DEBUG:-true} $(BIN)/townhall demo_discussions --if-empty
	DEBUG=$${DEBUG:-true} $(BIN)/townhall demo_open311 --if-empty
	DEBUG=$${DEBUG:-true} $(BIN)/townhall demo_consultations --if-empty
	DEBUG=$${DEBUG:-true} $(BIN)/townhall build_dashboard
	@echo "Starting the background task worker and the web server on http://127.0.0.1:$(PORT)"
	@echo "Emails are written to var/mail/ as .eml files"
	@echo "Inbound mail: SMTP on 127.0.0.1:$${MAILIN_PORT:-2525} — reply to the .eml notifications in var/mail/ to answer"
	@DEBUG=$${DEBUG:-true} $(BIN)/townhall db_worker --queue-name default --no-reload >var/worker.log 2>&1 & \
	  worker=$$!; \
	  DEBUG=$${DEBUG:-true} $(BIN)/townhall mailin --host 127.0.0.1 >var/mailin.log 2>&1 & \
	  mailin=$$!; \
	  (while sleep 300; do DEBUG=$${DEBUG:-true} $(BIN)/townhall check_commitments; DEBUG=$${DEBUG:-true} $(BIN)/townhall announce_consultations; DEBUG=$${DEBUG:-true} $(BIN)/townhall send_digests; DEBUG=$${DEBUG:-true} $(BIN)/townhall deliver_webhooks; DEBUG=$${DEBUG:-true} $(BIN)/townhall expire_assurance; DEBUG=$${DEBUG:-true} $(BIN)/townhall expire_exports; DEBUG=$${DEBUG:-true} $(BIN)/townhall purge_retained_requests; done) >var/checks.log 2>&1 & \
	  checks=$$!; trap "kill $$worker $$mailin $$checks 2>/dev/null" EXIT INT TERM; \
	  DEBUG=$${DEBUG:-true} $(BIN)/townhall runserver --noreload 127.0.0.1:$(PORT)

test: install-test
	$(BIN)/pytest -n 2 --dist loadfile

test-fast: install-test
	$(BIN)/pytest -x -q -m "not browser"

lint: install-test
	$(BIN)/ruff check townhall conftest.py bench
	$(BIN)/ruff format --check townhall conftest.py bench
	$(BIN)/lint-imports
	$(BIN)/mypy townhall
	$(BIN)/townhall makemigrations --check --dry-run

messages: install
	cd townhall && ../$(BIN)/townhall makemessages -l es --ignore 'tests/*' && ../$(BIN)/townhall compilemessages

clean:
	rm -rf $(VENV) node_modules var/static
