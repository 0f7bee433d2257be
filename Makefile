# Two entry points on a fresh machine: `make demo` and `make test`. Both create .venv and install
# exactly what requirements.lock pins (with hashes), then the project itself.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install test lint demo bench clean

install: $(STAMP)

$(STAMP): requirements.lock requirements-opa.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "readiness needs Python 3.11 or newer"; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --ignore-requires-python --require-hashes --no-deps \
		-r requirements-opa.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

lint: install
	$(VENV)/bin/ruff check evaluator tests bench
	$(VENV)/bin/ruff format --check evaluator tests bench

test: install lint
	$(VENV)/bin/pytest -q

demo: install
	PATH="$(abspath $(VENV))/bin:$$PATH" bash examples/demo.sh

bench: install
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-bench.lock
	$(PY) bench/verify_throughput.py
	$(PY) bench/policy_engines.py --runs 1
	$(PY) bench/jtl_vs_pandas.py
	$(PY) bench/security_scale.py
	$(PY) bench/parity_scale.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
