# Living Lab LMS: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := lms

.PHONY: serve run test test-pg test-e2e lint translations extract-messages install lock clean bench bench-full \
	screenshots mutation mutation-listed mutation-ci

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly the locked versions, every file checked against its SHA-256 in the lock
# (requirements/dev.lock: runtime + dev + the build backend), then the project itself.
$(VENV)/.installed: pyproject.toml requirements/dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

# Regenerate the locks after changing a dependency in pyproject.toml (README "Dependencies").
# dev.lock is resolved first; runtime.lock is held to the same versions. Both carry the hashes
# of every file the configured indexes offer for each pinned version.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--all-build-deps --no-emit-index-url --no-emit-find-links
lock: install
	$(PIP_COMPILE) --extra dev -o requirements/dev.lock pyproject.toml
	sed -n 's/^\([A-Za-z0-9][^ ]*==[^ ]*\).*/\1/p' requirements/dev.lock > $(VENV)/dev-pins.txt
	$(PIP_COMPILE) -c $(VENV)/dev-pins.txt -o requirements/runtime.lock pyproject.toml

translations: install
	$(BIN)/pybabel compile -d lms/translations

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o lms/translations/messages.pot --project "Living Lab LMS" .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching

run: translations
	$(BIN)/lms db upgrade
	$(BIN)/lms regions load
	$(BIN)/lms stats rebuild
	$(BIN)/lms demo
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(BIN)/lms run --host 127.0.0.1 --port $(PORT)

# Production-like: gunicorn with gunicorn.conf.py (JSON access log); refuses an unmigrated database.
serve: translations
	$(BIN)/lms db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py

test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite against PostgreSQL (LMS_TEST_DATABASE_URL, default a local `lms_test` database).
LMS_PG_URL ?= postgresql://postgres@127.0.0.1:5432/lms_test
test-pg: translations
	LMS_TEST_DATABASE_URL=$(LMS_PG_URL) $(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

# Browser tests only; LMS_REQUIRE_BROWSER=1 turns a missing Chromium into a failure.
test-e2e: translations
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lms courses quizzes assignments discussions tests
	$(BIN)/lint-imports

# The README's screenshots (docs/screenshots): each role on a phone and a desktop, demo data.
screenshots: translations
	$(BIN)/python docs/screenshots.py

# Load test (bench/README.md): dataset, gunicorn pinned to CPU 0 and Locust to CPU 1, stepped
# load; writes bench/report.md, opening with issue 14's targets. `make bench` is the quick mode
# (5 regions, 15 s steps, a few minutes); `make bench-full` the full one (514 regions × 40,
# 60 s steps up to 160 users). BENCH_DATABASE_URL (default: a fresh bench.sqlite3),
# BENCH_REGIONS, BENCH_PARTICIPANTS, BENCH_STEPS (5,10,20,40), BENCH_STEP_TIME, BENCH_WORKERS
# and the other BENCH_* settings of bench/run.py override the mode's values.
$(VENV)/.bench-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

bench: translations $(VENV)/.bench-installed
	$(BIN)/python -m bench.run --mode quick

bench-full: translations $(VENV)/.bench-installed
	$(BIN)/python -m bench.run --mode full

# Mutation testing (README "Rules pinned, and mutation testing"): mutmut over the rule modules,
# a report in docs/mutation-report.md, at least 90 % killed per group.
MUTATION_GROUPS ?=
mutation: translations
	nice -n 10 $(BIN)/python -m mutation.run $(MUTATION_GROUPS)

# The weakenings written out in mutation/listed.py: each must fail the tests of its area.
mutation-listed: translations
	nice -n 10 $(BIN)/python -m mutation.check_listed

# CI: the groups a change touches, else a sample; time-boxed, report not committed.
mutation-ci: translations
	nice -n 10 $(BIN)/python -m mutation.run --ci --seconds 240 --report mutants/ci-report.md

clean:
	rm -rf $(VENV) build *.egg-info mutants
