# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DASAPP_PORT ?= 8000
export DASAPP_PORT

.PHONY: install run test test-fast lint format bench totp migrate seed clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or 3.12 is needed, found " + sys.version.split()[0]) if sys.version_info[:2] not in ((3, 11), (3, 12)) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	@$(BIN)/python manage.py migrate --noinput || { \
	  echo ""; \
	  echo "The database could not be migrated. A database made before the apps were split"; \
	  echo "(see the Changelog in README.md) cannot be moved forward: delete var/dasapp.sqlite3"; \
	  echo "(it holds demo data only), or drop and create the PostgreSQL database, then run again."; \
	  exit 1; }

seed: migrate
	$(BIN)/python manage.py seed_demo

## Serve the whole application: web, Celery worker and Celery beat (Ctrl-C stops all).
run: seed
	@echo ""
	@echo "Open http://127.0.0.1:$(DASAPP_PORT) and sign in with a demo login above."
	@echo ""
	$(BIN)/honcho -f Procfile start || true

## The whole suite (browser tests skip outside CI when Chromium is missing).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

## The current two-factor code of a demo account: make totp USER=supervisor
totp: install
	@$(BIN)/python manage.py demo_totp $(USER)

clean:
	rm -rf var/celery var/staticfiles
