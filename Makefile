# flowkit: `make test` runs the whole suite (the store tests on sqlite, then on PostgreSQL), `make demo` the sample pipeline.
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

# The store-heavy modules again, each test's state a fresh PostgreSQL database (tests/conftest.py: state_path).
PG_TESTS := $(addprefix tests/test_,store.py store_bodies.py deliver.py delivery_bodies.py deliver_routes.py \
	import_status.py apply_rules_store.py query_products.py pause.py alerts.py provenance.py run_story.py \
	pipeline_lifecycle.py e2e.py cron_loop.py metrics.py store_dictionaries.py) \
	$(wildcard tests/test_push_stock*.py tests/test_import_shipment*.py tests/test_query_orders*.py)

test: $(STAMP)
	bash scripts/test-servers.sh
	$(BIN)/cog --check docs/commands.md
	$(BIN)/python -m pytest -q
	FLOWKIT_TEST_STATE=postgresql $(BIN)/python -m pytest -q -m "not sqlite_only" $(PG_TESTS)

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
