# The README's two commands: `make run` and `make test`. Both create .venv if missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DATABASE_URL ?= sqlite:///.dxs/registry.sqlite

.PHONY: run test bench stress clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel

# Re-install when the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	@# first start: an empty registry gets demo data (the portal says so); `dxs serve` alone starts empty
	$(BIN)/dxs demo seed --if-empty --database $(DATABASE_URL)
	@echo "Starting the DX Standards Toolkit on http://$(HOST):$(PORT)/ (Ctrl-C stops it); indicators at http://$(HOST):$(PORT)/dashboard"
	$(BIN)/dxs serve --host $(HOST) --port $(PORT) --database $(DATABASE_URL)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

# Benchmarks: ratios against peers measured in the same run (xmllint comes from Debian's libxml2-utils).
bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	@command -v xmllint >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq libxml2-utils >/dev/null; } || echo "xmllint missing: install libxml2-utils to compare against it"
	$(BIN)/python -m bench.run $(BENCH)

# The long part of the reliability suite (figures in docs/reliability.md); needs PostgreSQL on 127.0.0.1.
stress: $(VENV)/.installed-dev
	$(BIN)/python -m tests.stress.run

clean:
	rm -rf $(VENV) .dxs build *.egg-info .pytest_cache
