# Two commands for a newcomer: `make run` serves the sample site, `make test` runs everything.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint system static bytecode npm

run: $(VENV)/.runtime static bytecode
	$(BIN)/flask --app app run

test: $(VENV)/.dev system npm static bytecode
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Static files under content-hashed names, with gzip and brotli siblings (git-ignored).
static: $(VENV)/.runtime
	$(BIN)/flask --app app digest clean >/dev/null
	$(BIN)/flask --app app digest compile >/dev/null

# Our modules compiled once per deploy: Python writes no bytecode where
# PYTHONDONTWRITEBYTECODE is set, and each gunicorn worker would compile them again
# (0.2-0.3 s of every start). Stale files are found by their source's time and recompiled.
bytecode: $(VENV)/.runtime
	$(BIN)/python -m compileall -q app.py gunicorn.conf.py folio >/dev/null

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used);
# the deployment test puts Debian's nginx in front of gunicorn; the Nu HTML checker runs
# on Java; axe-core, vnu-jar and Lighthouse come from npm (Node.js and npm from Debian
# where the machine has none).
system:
	@{ command -v chromium && { command -v nginx || test -x /usr/sbin/nginx; } && \
	  command -v java && command -v npm; } >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  NODE=$$(command -v npm >/dev/null || echo nodejs npm); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium fonts-dejavu-core nginx default-jre-headless $$NODE; }

# The npm tools at the versions package-lock.json pins (node_modules/ is git-ignored).
# No install scripts: vnu-jar's only fetches a Java runtime, and Debian's is installed.
npm: node_modules/.installed

node_modules/.installed: package.json package-lock.json | system
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@
