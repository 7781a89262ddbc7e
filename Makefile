# Studio Tracker — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format demo migrate serve worker beat bench bench-worst fuzz clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## run: install, migrate, load the demo on an empty database, print logins and a signed curl, serve on :8000
# Local development defaults; any of them set in the environment or .env wins.
run: export DEBUG ?= true
run: export BRIEF_WEBHOOK_SECRET ?= dev-brief-secret
run: export OMG_WEBHOOK_SECRET ?= dev-omg-secret
run: export DELIVERABLE_WEBHOOK_SECRET ?= dev-deliverable-secret
run: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo --if-empty
	@$(PY) manage.py welcome --host $(HOST) --port $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

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

## serve: production-style web server (gunicorn) on the configured settings
serve: $(VENV)/.runtime
	$(VENV)/bin/gunicorn tracker.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3}

## worker / beat: Celery on CELERY_BROKER_URL (Redis)
worker: $(VENV)/.runtime
	$(VENV)/bin/celery -A tracker worker --loglevel=info

beat: $(VENV)/.runtime
	$(VENV)/bin/celery -A tracker beat --loglevel=info --schedule=var/celerybeat-schedule

bench: $(VENV)/.dev
	$(PY) -m bench.run
	$(PY) -m bench.spreadsheet_import

## bench-worst: the worst bodies the intake endpoints take within their limits, and what each costs
bench-worst: $(VENV)/.dev
	$(PY) -m bench.worst_case

## fuzz: the fuzz suite with many more (random) examples than CI draws
fuzz: $(VENV)/.dev
	FUZZ_PROFILE=deep $(PY) -m pytest tests/fuzz $(PYTEST_ARGS)

clean:
	rm -rf var/tracker.sqlite3 var/media var/screenshots
