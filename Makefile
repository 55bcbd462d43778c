# crossdock — the two commands that work on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .venv-tools/bin/uv)
PORT ?= 8080
# `make demo`: the sandbox scenario (small | faults | clean) through a real hub. `crossdock demo`
# wants an empty store, so each run gets a fresh timestamped dir under ./var (kept for a look
# afterwards; `make clean` removes them). SANDBOX_PORT: the landscape's first port (0: any free).
SCENARIO ?= faults
DATA_DIR ?= ./var/demo-$(shell date +%Y%m%d-%H%M%S)
SANDBOX_PORT ?= 9200
DEMO_ARGS ?=
# `make demo-intake`: the original intake -> delivery walk-through (sink + hub + replay); the hub's
# endpoints are pointed at the sink it starts (SINK_PORT; PORT/SINK_PORT=0: any free port).
INTAKE_DATA_DIR ?= ./var/demo
SINK_PORT ?= 9101
DEMO_COUNT ?= 200

.PHONY: install demo demo-intake test test-pg lint typecheck layers unit bench bench-x12 bench-flows bench-profiles bench-retention clean

# uv comes from PyPI when the machine lacks it; everything else from uv.lock.
$(UV):
	python3 -m venv .venv-tools && .venv-tools/bin/pip install -q uv

.venv/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	touch $@

install: .venv/.installed

demo: install
	.venv/bin/crossdock demo --scenario $(SCENARIO) --port $(PORT) --base-port $(SANDBOX_PORT) \
		--data-dir $(DATA_DIR) $(DEMO_ARGS)

demo-intake: install
	$(PY) -m crossdock.entrypoints.demo --port $(PORT) --sink-port $(SINK_PORT) \
		--data-dir $(INTAKE_DATA_DIR) --count $(DEMO_COUNT)

lint: install
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench

typecheck: install
	.venv/bin/mypy

layers: install
	.venv/bin/lint-imports

# Two workers (pytest-xdist): the suite is mostly real processes waiting on loopback I/O, so two
# workers on two cores halve its wall time; every test owns its ports, files and PG schema.
unit: install
	.venv/bin/pytest -q -n 2 --durations=25

test: lint typecheck layers unit

# `make test` with a throwaway PostgreSQL cluster (temp dir, loopback port, removed afterwards),
# so the PostgreSQL tests run instead of skipping; what CI does (.ci/run, .ci/postgres.sh).
test-pg: install
	bash .ci/postgres.sh $(MAKE) test

bench: install
	$(PY) -m bench.run_all

# Only the X12 suite: crossdock's reader/validator/mapper vs pyx12 and node-x12 (50 and 500 MB).
bench-x12: install
	$(PY) -m bench.run_all --only x12

# Only the flows suite: 10,000 POs + 10,000 sales orders through the sandbox and the hub.
bench-flows: install
	$(PY) -m bench.run_all --only flows

# Intake latency while retention prunes a big store, against intake alone (same run).
bench-retention: install
	$(PY) -m bench.retention_bench

# Only the profiles suite: intake, end to end and the clean flows scenario (2,000 + 2,000) on the
# embedded default, PostgreSQL with one process, and PostgreSQL with 1 api + 2 workers, side by
# side in one run (its own throwaway PostgreSQL cluster, fsync on). PROFILES_ARGS: e.g. --quick,
# --workers 1,2, --postgres-url URL, --pg-fast (see bench/profiles.py).
PROFILES_ARGS ?=
bench-profiles: install
	$(PY) -m bench.profiles $(PROFILES_ARGS)

clean:
	rm -rf .venv .venv-tools var .pytest_cache .mypy_cache .ruff_cache
