# Studio Tracker — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

# `make dev` refuses to start without the real services, and says which variable is missing.
define DEV_SERVICES_CHECK_PY
import os, sys, environ
environ.Env.read_env(".env")
missing = [n for n in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL") if not os.environ.get(n)]
if missing:
    sys.exit("make dev runs web, worker and beat on real services: set " + ", ".join(missing) + " (environment or .env), e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker\n  CELERY_BROKER_URL=redis://127.0.0.1:6379/0\n  CACHE_URL=redis://127.0.0.1:6379/1\nor use `make run` for the single-process default.")
endef

.PHONY: help run dev test lint format demo migrate serve worker beat bench bench-worst fuzz clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## help: this list
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  make /'

## run: install, migrate, load the demo on an empty database, print logins and a signed curl, serve on :8000
# Local development defaults; any of them set in the environment or .env wins.
run: export DEBUG ?= true
run: export BRIEF_WEBHOOK_SECRET ?= dev-brief-secret
run: export OMG_WEBHOOK_SECRET ?= dev-omg-secret
run: export DELIVERABLE_WEBHOOK_SECRET ?= dev-deliverable-secret
run: export CREATIVE_FORCE_WEBHOOK_SECRET ?= dev-creativeforce-secret
run: export OPTIMIZELY_CMP_CALLBACK_SECRET ?= dev-optimizely-secret
run: export OPTUMUS_WEBHOOK_SECRET ?= dev-optumus-secret
run: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo --if-empty
	@$(PY) manage.py welcome --host $(HOST) --port $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

## dev: web (gunicorn, reloading on changes), worker and beat together on Postgres and Redis (Procfile, honcho)
# The same development defaults as `make run`, but nothing eager: DATABASE_URL, CELERY_BROKER_URL and CACHE_URL
# must name real services (environment or .env).
dev: export DEBUG ?= true
dev: export BRIEF_WEBHOOK_SECRET ?= dev-brief-secret
dev: export OMG_WEBHOOK_SECRET ?= dev-omg-secret
dev: export DELIVERABLE_WEBHOOK_SECRET ?= dev-deliverable-secret
dev: export CREATIVE_FORCE_WEBHOOK_SECRET ?= dev-creativeforce-secret
dev: export OPTIMIZELY_CMP_CALLBACK_SECRET ?= dev-optimizely-secret
dev: export OPTUMUS_WEBHOOK_SECRET ?= dev-optumus-secret
dev: export GUNICORN_BIND ?= $(HOST):$(PORT)
dev: export WEB_CONCURRENCY ?= 2
dev: export CELERY_TASK_ALWAYS_EAGER = false
dev: export DEV_SERVICES_CHECK = $(DEV_SERVICES_CHECK_PY)
dev: $(VENV)/.dev
	@$(PY) -c "$$DEV_SERVICES_CHECK"
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo --if-empty
	@$(PY) manage.py welcome --host $(HOST) --port $(PORT)
	$(VENV)/bin/honcho start

## test: install dev tools and run the whole suite (against DATABASE_URL / CELERY_BROKER_URL / CACHE_URL when set)
test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input

demo: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo

## serve: production-style web server: gunicorn with gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS, ...)
serve: export GUNICORN_BIND ?= $(HOST):$(PORT)
serve: $(VENV)/.runtime
	$(VENV)/bin/gunicorn -c gunicorn.conf.py tracker.wsgi:application

## worker / beat: Celery on CELERY_BROKER_URL (Redis)
worker: $(VENV)/.runtime
	$(VENV)/bin/celery -A tracker worker --loglevel=info

beat: $(VENV)/.runtime
	$(VENV)/bin/celery -A tracker beat --loglevel=info --schedule=var/celerybeat-schedule

## bench: intake vs a bare view (needs Postgres, Redis, wrk), the page table, the worst bodies, spreadsheet imports (bench/README.md)
bench: $(VENV)/.dev
	$(PY) -m bench.intake
	$(PY) -m bench.pages
	mkdir -p var/bench && $(PY) -m bench.worst_case | tee var/bench/worst_case.md
	$(PY) -m bench.spreadsheet_import

## bench-worst: the worst bodies the intake endpoints take within their limits, and what each costs
bench-worst: $(VENV)/.dev
	$(PY) -m bench.worst_case

## fuzz: the fuzz suite with many more (random) examples than CI draws
fuzz: $(VENV)/.dev
	FUZZ_PROFILE=deep $(PY) -m pytest tests/fuzz $(PYTEST_ARGS)

clean:
	rm -rf var/tracker.sqlite3 var/media var/screenshots
