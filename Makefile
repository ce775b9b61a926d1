# Two commands on a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo $(VENV)/bin/uv)
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: venv run test test-fast lint format bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.synced: $(VENV)/bin/python pyproject.toml uv.lock
	@test -x "$(UV)" || $(VENV)/bin/pip install --quiet uv
	$(UV) sync --frozen --quiet
	@touch $@

venv: $(VENV)/.synced

# axe-core for the accessibility audit, from package-lock.json. Without npm the audit skips
# (fails in CI), so there is nothing to do here.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; fi

# A local secret and demo password, made once and kept out of git.
.demo.env: | $(VENV)/bin/python
	@$(PY) -c "import secrets; print(f'WEBHOOK_SECRETS={secrets.token_urlsafe(24)}'); print(f'DEMO_PASSWORD={secrets.token_urlsafe(9)}')" > $@

# The task worker runs beside the server, its output in worker.log so that the login box stays
# the last thing printed before the server's own lines. Both run in the background so that the
# trap fires at once (a shell runs traps only between commands) and stops both together, on
# Ctrl-C, on a TERM sent to make, or when the server fails to start.
run: venv .demo.env
	@set -a; . ./.demo.env; set +a; export DEBUG=1 PORT=$(PORT); \
	$(PY) manage.py migrate --noinput --verbosity 0 && \
	$(PY) manage.py demo_setup && \
	{ $(PY) manage.py db_worker >>worker.log 2>&1 & worker=$$!; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	  trap 'kill $$server $$worker 2>/dev/null; wait' EXIT INT TERM; \
	  wait $$server; }

# Runs on SQLite, or on the PostgreSQL database DATABASE_URL names.
test: venv node_modules/.package-lock.json
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} $(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	SECRET_KEY=lint $(PY) -m mypy .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: venv
	SECRET_KEY=bench $(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache
