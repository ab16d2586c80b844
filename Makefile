# Two commands on a fresh machine: `make demo` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := examples/quickstart

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vidflow validate $(DEMO)
	$(BIN)/vidflow apply --auto-approve $(DEMO)
	$(BIN)/vidflow show $(DEMO)
	@$(BIN)/vidflow output $(DEMO) | $(BIN)/python benchmarks/describe.py

lint: $(STAMP)
	$(BIN)/ruff check vidflow tests benchmarks

test: $(STAMP) lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/plan.py

clean:
	rm -rf $(VENV) .vidflow out .pytest_cache .hypothesis
