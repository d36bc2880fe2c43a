# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYBABEL := $(VENV)/bin/pybabel
SOURCES := bot handlers flows scheduler storage

.PHONY: run sandbox test setup lint locales-extract locales-update locales-compile bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed locales-compile

run: setup  ## set up, migrate, seed, start the bot (long polling); no token: the offline sandbox
	@$(PY) -m bot.sandbox.has_token; status=$$?; \
	if [ $$status -eq 1 ]; then \
		echo "no TELEGRAM_BOT_TOKEN: starting the offline sandbox at http://127.0.0.1:8080; put a token in .env to go live"; \
		exec $(PY) -m bot sandbox; \
	elif [ $$status -ne 0 ]; then exit $$status; fi; \
	set -e; \
	$(PY) -m bot migrate; \
	$(PY) -m bot seed; \
	exec $(PY) -m bot run

sandbox: setup  ## the offline sandbox: the real bot and a page at http://127.0.0.1:8080
	$(PY) -m bot sandbox

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
