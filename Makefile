# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYBABEL := $(VENV)/bin/pybabel
SOURCES := bot handlers flows scheduler storage

.PHONY: run test setup lint locales-extract locales-update locales-compile bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed locales-compile

run: setup  ## set up, migrate, seed communities, start the bot (long polling)
	$(PY) -m bot migrate
	$(PY) -m bot seed
	$(PY) -m bot run

test: setup  ## set up and run the whole suite (PostgreSQL tests need HROMADA_TEST_POSTGRES_URL)
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

locales-extract: $(VENV)/.installed  ## source strings -> locales/messages.pot
	$(PYBABEL) extract -F locales/babel.cfg -k n_ --add-location=file --sort-by-file \
		--project=hromada-bot -o locales/messages.pot $(SOURCES)

locales-update: locales-extract  ## merge the template into the uk and ru catalogs
	$(PYBABEL) update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

locales-compile: $(VENV)/.installed  ## .po -> .mo (the bot also does this on start)
	$(PY) -c "from locales import compile_catalogs; compile_catalogs()"

bench: setup  ## onboarding throughput against a bare PTB echo bot
	$(PY) -m bench

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
