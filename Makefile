# Two commands a newcomer needs: `make run` and `make test`. Only python3 and make required.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CATALOGS := $(wildcard registrar_tui/i18n/*/LC_MESSAGES/*.po)
# Tests run in parallel: 4 workers on 2 cores keep both busy (Pilot tests wait on the
# event loop a good part of the time); override with `make test JOBS=2`.
JOBS   ?= 4

.PHONY: run test test-slow test-long lint typecheck bench demo catalogs extract openapi clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

catalogs: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d registrar_tui/i18n -D registrar_tui --statistics 2>&1 | grep -v '^$$' || true

extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k NP_:1c,2 -o registrar_tui/i18n/registrar_tui.pot registrar_tui
	$(BIN)/pybabel update -i registrar_tui/i18n/registrar_tui.pot -d registrar_tui/i18n -D registrar_tui --no-fuzzy-matching

run: $(STAMP) catalogs
	$(BIN)/registrar-tui db upgrade
	$(BIN)/registrar-tui demo --if-empty
	$(BIN)/registrar-tui

lint: $(STAMP)
	$(BIN)/ruff check registrar_tui tests bench setup.py
	$(BIN)/ruff format --check registrar_tui tests bench setup.py
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy registrar_tui

test: $(STAMP) catalogs lint typecheck
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup -q -m "not slow"

# Soak and load tests (marked `slow`): run by .ci/run after `make test`.
test-slow: $(STAMP) catalogs
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup -q -m slow

test-long: $(STAMP) catalogs
	REGISTRAR_LONG=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadgroup -q

bench: $(STAMP) catalogs
	$(BIN)/python -m bench

# The portal API's schema, committed (tests/api/test_openapi.py fails when it drifts).
openapi: $(STAMP)
	$(BIN)/registrar-tui serve-api --print-openapi > docs/api/openapi.json

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
