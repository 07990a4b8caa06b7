# flowkit: `make test` runs the whole suite, `make demo` runs the sample pipeline.
# Both create their own virtual environment in .venv with only python3.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint demo docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,saxon,postgres]'
	touch $(STAMP)

test: $(STAMP)
	bash scripts/test-servers.sh
	$(BIN)/cog --check docs/commands.md
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check flowkit tests bench
	$(BIN)/ruff format --check flowkit tests bench
	$(BIN)/mypy flowkit

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash samples/demo.sh

docs: $(STAMP)
	$(BIN)/cog -r docs/commands.md

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .demo
