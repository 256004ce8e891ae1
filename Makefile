# Beacon: two commands to start (see README).
#   make demo   create .venv, install, migrate, load the seed operations, serve on :8000
#   make test   install, lint, type-check, run the suite on SQLite and on PostgreSQL
#   make bench  run the benchmarks in bench/ (figures printed and written to bench/results/)

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
DEMO_DATA_DIR ?= $(CURDIR)/var/demo

.PHONY: demo test install lint typecheck test-sqlite test-postgres bench lock clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	BEACON_MODE=demo BEACON_DATA_DIR=$(DEMO_DATA_DIR) $(BIN)/beacon migrate --verbosity 0
	BEACON_MODE=demo BEACON_DATA_DIR=$(DEMO_DATA_DIR) $(BIN)/beacon demo
	BEACON_MODE=demo BEACON_DATA_DIR=$(DEMO_DATA_DIR) $(BIN)/beacon runserver 127.0.0.1:8000 --noreload

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy src

# The browser tests drive Debian's chromium (tests/web/test_browser.py); installed once,
# quietly, when missing and we run as root (CI, a fresh machine).
chromium:
	@[ -x /usr/bin/chromium ] || [ "$$(id -u)" != 0 ] || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	  || echo "chromium could not be installed: browser tests will be skipped"; }

test-sqlite: install chromium
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile

test-postgres: install chromium
	@sh scripts/ensure-postgres.sh && \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile \
	  || { rc=$$?; [ $$rc -eq 75 ] && echo "PostgreSQL pass SKIPPED: server not reachable at 127.0.0.1:5432 (required in CI)" || exit $$rc; }

test: lint typecheck test-sqlite test-postgres

bench: install
	$(BIN)/python bench/run_all.py

lock: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
