# Kefu: `make demo` runs the server on an embedded SQLite database with a seeded demo shop;
# `make test` installs what it needs (PostgreSQL, Redis, Chromium) and runs every check.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install assets system-deps demo test lint bench clean

install: $(STAMP) assets system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first (for the embeddings extra), so pip never pulls a CUDA one.
	$(BIN)/pip install --quiet 'torch==2.13.0'
	$(BIN)/pip install --quiet -e '.[dev,embeddings]'
	touch $(STAMP)

assets:
	bash scripts/vendor-assets.sh

# Pango and a CJK font for the PDF reports (WeasyPrint).
system-deps:
	bash scripts/system-deps.sh

demo: install
	$(BIN)/kefu demo

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install
	bash scripts/test.sh

bench: install
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) var .run node_modules src/kefu/web/static/vendor
