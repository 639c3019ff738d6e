# Two commands on a fresh machine: `make run` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test lint setup migrate demo messages bench bench-web clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@mkdir -p var
	@touch $(STAMP)

setup: $(STAMP)
	@$(BIN)/python scripts/compile_messages.py

migrate: setup
	$(BIN)/mutualaid migrate --noinput

demo: migrate
	$(BIN)/mutualaid demo --if-empty

run: demo
	$(BIN)/mutualaid collectstatic --noinput --verbosity 0
	$(BIN)/mutualaid serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (pyflakes and pycodestyle rules), and import-linter: dependencies one way (contracts in pyproject.toml).
lint: setup
	$(BIN)/ruff check mutualaid bench scripts conftest.py
	$(BIN)/lint-imports

messages: setup
	cd mutualaid && ../$(BIN)/django-admin makemessages -l es --no-obsolete --ignore 'static/*' --ignore 'tests/*' \
	  --ignore '*/tests/*' --ignore 'allocation/*' --settings=mutualaid.settings --pythonpath=..

# Concurrency load on SQLite, then on the local PostgreSQL (tables: bench/results/load.md, by hand), and the
# allocation engine against its yardstick (bench/results/allocation.md).
bench: setup
	$(BIN)/python bench/load.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres $(BIN)/python bench/load.py
	$(BIN)/python bench/allocation.py

# Web performance at city scale on SQLite, then on the local PostgreSQL (bench/results/web.md). Needs wrk.
bench-web: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
	  || { echo "bench/web.py needs wrk: apt-get install wrk"; exit 2; }
	$(BIN)/python bench/web.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres $(BIN)/python bench/web.py --append

clean:
	rm -rf $(VENV) staticfiles *.egg-info
