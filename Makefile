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

# A local secret and demo password, made once and kept out of git.
.demo.env: | $(VENV)/bin/python
	@$(PY) -c "import secrets; print(f'WEBHOOK_SECRETS={secrets.token_urlsafe(24)}'); print(f'DEMO_PASSWORD={secrets.token_urlsafe(9)}')" > $@

run: venv .demo.env
	@set -a; . ./.demo.env; set +a; export DEBUG=1 PORT=$(PORT); \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py demo_setup && \
	exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Runs on SQLite, or on the PostgreSQL database DATABASE_URL names.
test: venv
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
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
