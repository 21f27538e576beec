# The front door. `make demo` and `make test` work on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
OIDC_PROVIDER := tests/browser/oidc_provider

.PHONY: demo test test-sqlite test-postgresql test-redis test-browser test-faults screenshots lint audit format bench bench-web bench-chat bench-api bench-recovery messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when the pins change.
$(VENV)/.base: requirements/base.txt pyproject.toml | $(BIN)/python
	$(PIP) install -r requirements/base.txt
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.dev: requirements/dev.txt $(VENV)/.base
	$(PIP) install -r requirements/dev.txt
	touch $@

demo: $(VENV)/.base
	$(BIN)/samverkan demo

# The whole suite on SQLite, then again on a throwaway PostgreSQL server when its binaries are
# installed (CI installs them: apt-get install postgresql).
test: $(VENV)/.dev $(OIDC_PROVIDER)/node_modules/.package-lock.json
	$(BIN)/python -m pytest -q
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "--- the same tests on PostgreSQL ---"; \
		scripts/with-postgresql $(BIN)/python -m pytest -q; \
	else \
		echo "--- PostgreSQL server binaries not found: the PostgreSQL run was not done ---"; \
	fi
	@if command -v redis-server >/dev/null; then \
		echo "--- the chat's tests with Redis (channel layer, chat state, cache) ---"; \
		scripts/with-redis $(BIN)/python -m pytest -q samverkan/chat; \
	else \
		echo "--- redis-server not found: the Redis run was not done ---"; \
	fi
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null; then \
		echo "--- fault injection: PostgreSQL, Redis and two gunicorn workers under load ---"; \
		$(FAULT_TESTS); \
	else \
		echo "--- PostgreSQL or redis-server not found: the fault-injection suite was not run ---"; \
	fi
	@echo "--- browser tests (Chromium, a run of their own) ---"
	$(BROWSER_TESTS)

test-sqlite: $(VENV)/.dev
	$(BIN)/python -m pytest -q

test-postgresql: $(VENV)/.dev
	scripts/with-postgresql $(BIN)/python -m pytest -q

# The chat's tests against a throwaway Redis server (production mode's shared state).
test-redis: $(VENV)/.dev
	scripts/with-redis $(BIN)/python -m pytest -q samverkan/chat

# The browser tests' OpenID provider (node's oidc-provider, pinned by its package-lock.json):
# installed once, again when the lock file changes.
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --loglevel=error

# Playwright drives the system's Chromium (apt-get install chromium); skipped with a message
# when it is missing, a failure in CI. Their own run: a browser's event loop and
# pytest-asyncio's clash in one process.
BROWSER_TESTS = $(BIN)/python -m pytest -q -p no:playwright tests/browser
# The fault-injection suite (samverkan/production/tests/test_faults.py): its own PostgreSQL,
# Redis and gunicorn servers on loopback; about three minutes, once per make test.
FAULT_TESTS = SAMVERKAN_FAULTS=1 $(BIN)/python -m pytest -q samverkan/production/tests/test_faults.py
test-faults: $(VENV)/.dev
	$(FAULT_TESTS)
test-browser: $(VENV)/.dev $(OIDC_PROVIDER)/node_modules/.package-lock.json
	$(BROWSER_TESTS)

# Screenshots of the dashboard and a registration form, both languages, into docs/screenshots/.
screenshots: $(VENV)/.dev
	$(BIN)/python scripts/screenshots.py

# Known vulnerabilities in the pinned dependencies (pip-audit against PyPI's advisories). Without
# access to pypi.org's JSON API it says the audit was not done and passes; AUDIT_STRICT=1 fails.
audit: $(VENV)/.dev
	$(BIN)/python scripts/audit-dependencies

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/check-duplicates

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/stats.py

# Staff pages under 20 signed-in users on loopback (gunicorn), 1M chat conversations and 200k
# cases; the database is built once under var/bench/. On PostgreSQL:
# scripts/with-postgresql .venv/bin/python benchmarks/web.py
bench-web: $(VENV)/.dev
	$(BIN)/python benchmarks/web.py

# The chat under load: K conversations over loopback, latency p50/p99 beside a minimal relay
# written with the websockets library; one worker in memory, then two workers with Redis.
bench-chat: $(VENV)/.dev
	$(BIN)/python benchmarks/chat.py

# Records per second through the REST API on loopback (one by one, in batches) against the import.
bench-api: $(VENV)/.dev
	$(BIN)/python benchmarks/api.py

# Recovery times after a worker kill, a PostgreSQL restart, a Redis restart, a read-only database.
bench-recovery: $(VENV)/.dev
	$(BIN)/python benchmarks/recovery.py

# Extract translatable strings and compile catalogues (needs GNU gettext: apt-get install gettext).
messages: $(VENV)/.dev
	cd samverkan && SAMVERKAN_VAR_DIR=../var ../$(BIN)/samverkan makemessages --locale sv --no-obsolete --no-location
	cd samverkan && SAMVERKAN_VAR_DIR=../var ../$(BIN)/samverkan compilemessages --locale sv

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
