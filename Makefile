# trunkline: the two commands of the quick start, plus the developer targets.
# Every target bootstraps first (system packages + .venv), so each works on a fresh machine.
.PHONY: bootstrap demo test lint typecheck bench clean

VENV := .venv
PY := $(VENV)/bin/python
DEMO_DIR ?= ./demo
PYTEST_ARGS ?=

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	DEMO_DIR=$(DEMO_DIR) $(VENV)/bin/trunkline demo --dir $(DEMO_DIR)

test: bootstrap
	WITH_BROWSER=1 bash scripts/bootstrap.sh
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: bootstrap
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

bench: bootstrap
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .pytest_cache .ruff_cache
