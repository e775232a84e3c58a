# Two commands on a fresh machine: `make demo` and `make test`. Each builds .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-quick clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[neural,dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chroma demo --out demo-output

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/ruff check .

$(VENV)/.bench: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[neural,dev,bench]"
	touch $(VENV)/.bench

bench: $(VENV)/.bench
	$(BIN)/chroma bench --out benchmarks/results

bench-quick: $(VENV)/.bench
	$(BIN)/chroma bench --quick --out benchmarks/results/quick

clean:
	rm -rf $(VENV) demo-output
