# Common Ground. `make run` serves the demo on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

# Python 3.12+ (Django 6.1): the pyenv version from .python-version, else python3.13/3.12 on PATH.
PYTHON_BOOT := $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: help run test install install-dev assets system-libs browser gettext messages migrate demo lint format check bench lock clean

help:
	@echo "make run    - install, migrate, load the demo workshop, serve http://$(HOST):$(PORT) and run the email worker"
	@echo "make test   - install what the tests need and run the whole suite"
	@echo "make lint   - ruff check and format check"
	@echo "make bench  - benchmark the main pages under load (writes bench/RESULTS.md)"

$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	@if [ -z "$(PYTHON_BOOT)" ]; then echo "Python 3.12 or newer is needed (install python3.12 or python3.13, or pyenv)." >&2; exit 1; fi
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

install: $(VENV)/.installed assets system-libs messages

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

# What WeasyPrint (the report's PDF) needs from Debian: Pango and a font; and poppler's
# pdftoppm, with which the tests render the PDF's pages to images. Installed when missing.
system-libs:
	@{ ldconfig -p | grep -q 'libpangoft2-1.0.so.0' && command -v pdftoppm >/dev/null 2>&1 \
		&& fc-list 2>/dev/null | grep -qi dejavu; } || { \
		echo "Installing Debian's pango, fonts-dejavu-core and poppler-utils for the report's PDF..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils >/dev/null; }

# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
browser:
	@command -v /usr/bin/chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's gettext (msgfmt) to compile the translations in locale/, installed if missing.
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
		echo "Installing Debian's gettext to compile the translations..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; }

# The translations: locale/*/LC_MESSAGES/*.po (committed) compiled to .mo (not committed).
# compilemessages skips a .po whose .mo is newer, so this costs nothing when nothing changed.
messages: gettext $(VENV)/.installed
	DEBUG=1 $(PY) manage.py compilemessages --ignore .venv --ignore node_modules --verbosity 0

# Development settings for every manage.py command (the README's commands work as written);
# written once, never read by gunicorn or when the environment sets the variable itself.
.env:
	@printf '# Development settings for manage.py, written by make (never used in production).\nDEBUG=1\nSECRET_KEY=%s\n' \
		"$$($(PYTHON_BOOT) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (DEBUG=1 and a SECRET_KEY of its own) for manage.py in this checkout."

migrate: install .env
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py createcachetable

demo: migrate
	DEBUG=1 $(PY) manage.py load_questionnaire
	DEBUG=1 SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py seed_demo

# The web server and, beside it, the worker that sends invitation emails: one command, and
# Ctrl-C stops both (the worker finishes the email it is sending, then stops; a second Ctrl-C
# stops it at once). No autoreload for the worker, so stopping it never cuts an email in half:
# after changing workshops/tasks.py, run `make run` again.
run: demo
	@export DEBUG=1 SITE_URL=http://$(HOST):$(PORT); \
	$(PY) manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install browser
	$(PY) -m pytest -n auto

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

lock:
	$(PY) -m pip freeze --exclude-editable | sort > /tmp/cg-freeze.txt
	@echo "Review /tmp/cg-freeze.txt and update requirements.lock / requirements-dev.lock."

clean:
	rm -rf $(VENV) node_modules staticfiles
