# gpsim: two commands do all the set-up. `make run` and `make test` create .venv if needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dashboard]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gpsim main-job

# The import layering (pyproject's [tool.importlinter]), then every test tier under line coverage:
# 80% of sim/ overall, then sim/model/ alone against 90% (read back from the combined .coverage).
test: $(STAMP)
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest -q -n auto --cov=sim --cov-report=term --cov-fail-under=80
	@echo "sim/model/ alone (floor 90%):"
	$(BIN)/python -m coverage report --include='sim/model/*' --fail-under=90

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks tools

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .coverage .coverage.* .import_linter_cache
