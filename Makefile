# Resident help line: `make run` and `make test` are the whole set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# processes `make test` runs the tests on (pytest-xdist; 0: one, in this process). Each has
# its own PostgreSQL database (test_gw0, ...), created from TEST_POSTGRES_URL's when missing.
TEST_WORKERS ?= 2

.PHONY: setup run console test test-fast bench lint format clean migrate chromium screenshots

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

## Start the bot: the console simulator on SQLite when BOT_TOKEN is not set.
run: setup
	@mkdir -p data
	$(PY) -m bot run

console: setup
	@mkdir -p data
	$(PY) -m bot console

## Every test: SQLite always, PostgreSQL when reachable (required when CI=true); the
## dashboard's browser tests need /usr/bin/chromium (`make chromium`; required when CI=true).
test: setup chromium
	$(PY) -m pytest -q -rs -n $(TEST_WORKERS)

## Debian's chromium for the dashboard's browser tests, when missing (apt, as root; else a note).
chromium:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "note: no /usr/bin/chromium: the dashboard's browser tests will be skipped"

## The dashboard's screenshots in docs/ (docs/dashboard-board.png, docs/dashboard-stats.png).
screenshots: setup
	$(PY) -m tests.dashboard.screenshots docs

bench: setup
	$(PY) -m benchmarks

lint: setup
	$(PY) -m ruff check bot tests benchmarks
	$(PY) -m mypy

format: setup
	$(PY) -m ruff check --fix bot tests benchmarks
	$(PY) -m ruff format bot tests benchmarks

migrate: setup
	$(PY) -m bot db upgrade

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
