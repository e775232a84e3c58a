# Two commands on a fresh machine: `make demo` and `make test`. Each builds .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-quick docs check-wheel clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[neural,dev]"
	# two peers the tests compare against (regrain, Lab); --no-deps: their metadata pins numpy<2
	$(BIN)/python -m pip install -q --no-deps -c constraints.txt opencv-python-headless python-color-transfer
	# compile the common kernels into Numba's cache once (the install step README names)
	$(BIN)/chroma warmup --quiet
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chroma demo -o demo-output --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/ruff check .

$(VENV)/.bench: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[neural,dev,bench]"
	# python-color-transfer declares numpy<2 but runs on numpy 2: installed without its pins
	$(BIN)/python -m pip install -q --no-deps -c constraints.txt python-color-transfer
	touch $(VENV)/.bench

bench: $(VENV)/.bench
	$(BIN)/chroma bench -o benchmarks/results --overwrite

bench-quick: $(VENV)/.bench
	$(BIN)/chroma bench --quick -o benchmarks/results/quick --overwrite

# The docs site (tutorials, gallery run at build time, API reference): warnings are errors.
$(VENV)/.docs: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[neural,docs]"
	touch $(VENV)/.docs

docs: $(VENV)/.docs
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

# The wheel as a new user installs it: a fresh venv outside the checkout (tools/check_wheel.sh)
check-wheel:
	PYTHON=$(PYTHON) bash tools/check_wheel.sh

clean:
	rm -rf $(VENV) demo-output docs/_build docs/api docs/auto_examples docs/sg_execution_times.rst
