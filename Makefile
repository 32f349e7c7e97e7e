# `make demo` and `make test` work as the first command on a machine with python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ADAPTERS := $(sort $(wildcard adapters/*/pyproject.toml))
PLUGINS  := $(sort $(wildcard plugins/*/pyproject.toml))
PACKAGES := $(ADAPTERS) $(PLUGINS)
PYTEST_ARGS ?=
DIST ?= dist

.PHONY: venv demo test test-slow test-agents lint bench dist clean

# Create or update .venv: vectimus, every adapter and every plugin editable, plus the test tools.
venv:
	@rm -f $(STAMP)
	@$(MAKE) --no-print-directory $(STAMP)

$(STAMP): pyproject.toml $(PACKAGES)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]' $(foreach a,$(PACKAGES),-e ./$(dir $(a)))
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vectimus demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not agents and not browser and not slow" $(PYTEST_ARGS)

# The tests that take over a minute each (every example both ways, the corpus for every agent).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m slow $(PYTEST_ARGS)

# ruff and mypy, configured in pyproject.toml (CI runs it: .ci/run).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The real agent CLIs (pinned npm packages, cached in ~/.cache/vectimus-test-agents)
# against a local mock model: offline, needs npm.
test-agents: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m agents tests/agents $(PYTEST_ARGS)

# Every benchmark in one run, on a quiet machine: the installed hook's latency with and without the
# resident evaluator (against `python -I -c pass`), warm evaluations per second, analyses per second
# per language, receipts written and verified, and the dcg and project corpora through the hook
# (needs ../shared). README "Performance" holds the figures. BENCH_RUNS=20 for a quicker look.
BENCH_RUNS ?= 100
bench: $(STAMP)
	$(BIN)/python bench/hook_latency.py --runs $(BENCH_RUNS)
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/analyser.py
	$(BIN)/python bench/receipts.py
	$(BIN)/python bench/corpus.py

# Wheels and sdists of vectimus (bundled packs inside), of every adapter and every plugin, into $(DIST)/.
dist:
	@test -x $(BIN)/python || $(MAKE) --no-print-directory $(STAMP)
	rm -rf $(DIST)
	$(BIN)/python -m build --outdir $(DIST) .
	$(foreach a,$(PACKAGES),$(BIN)/python -m build --outdir $(DIST) $(dir $(a)) &&) true

clean:
	rm -rf $(VENV) dist build .pytest_cache
