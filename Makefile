# Two commands on a fresh machine: `make demo` and `make test`. Each sets up .venv itself,
# the demo with vidflow alone, the tests with their extra tools too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_STAMP := $(VENV)/.demo-stamp
TEST_STAMP := $(VENV)/.test-stamp
DEMO := examples/quickstart

.PHONY: demo test lint bench clean

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(DEMO_STAMP): pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e .
	touch $(DEMO_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP) $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/vidflow validate $(DEMO)
	$(BIN)/vidflow apply --auto-approve $(DEMO)
	$(BIN)/vidflow show $(DEMO)
	@$(BIN)/vidflow output $(DEMO) | $(BIN)/python benchmarks/describe.py
	@echo
	@echo "Next: edit the idea in $(DEMO)/videos.yaml, then"
	@echo "  $(BIN)/vidflow plan $(DEMO)     # what would change, and why"
	@echo "  $(BIN)/vidflow apply $(DEMO)    # make it so (asks first)"
	@echo "  make demo                          # again: nothing to do, nothing paid twice"

lint: $(TEST_STAMP)
	$(BIN)/ruff check vidflow tests benchmarks

test: $(TEST_STAMP) lint
	@command -v chromium >/dev/null || echo "NOTE: Debian's chromium package is missing:" \
	  "apt-get install chromium (bash .ci/run installs it); tests/gallery's browser tests will fail."
	$(BIN)/pytest

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/plan.py --runs 5
	$(BIN)/python benchmarks/regenerate.py --runs 9

clean:
	rm -rf $(VENV) .vidflow out .pytest_cache .hypothesis
