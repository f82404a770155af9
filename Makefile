# The two commands a newcomer needs:  make lab   and   make test
# Both create .venv when it is missing and install what they need into it;
# the second run only reinstalls when pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=
PYTEST_ARGS ?=

.PHONY: lab test test-portable test-fast test-browser test-wheel test-floors notebooks figures bench lock clean venv

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins every package to the versions the suite was verified
# with, so a new release upstream cannot turn `make test` red overnight
# (`make lock` refreshes it; `pip install regkit` alone keeps the floors).
PIP_INSTALL := $(BIN)/python -m pip install --quiet -c constraints.txt
# Until 0.1.0 the distribution was called regkit (a name PyPI gives another
# project): drop that old editable install from an existing .venv first.
DROP_OLD    := $(BIN)/python -m pip uninstall --quiet --yes regkit 2>/dev/null || true

$(VENV)/.installed-notebooks: pyproject.toml constraints.txt | $(BIN)/python
	$(DROP_OLD)
	$(PIP_INSTALL) -e ".[notebooks]"
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(DROP_OLD)
	$(PIP_INSTALL) -e ".[notebooks,test]"
	touch $@ $(VENV)/.installed-notebooks

# The Jupyter server relays kernel messages with Nagle's algorithm on: a
# slider's answer can wait 40 ms for nothing (regkit/course/server.py).
SERVER_ARGS := --ServerApp.kernel_websocket_connection_class=regkit.course.server.NoDelayKernelConnection

## make lab: set up and open the course in JupyterLab (ARGS="--port 9999 --no-browser")
lab: $(VENV)/.installed-notebooks
	$(BIN)/jupyter lab notebooks/ $(SERVER_ARGS) $(ARGS)

## make test: set up and run every test: unit tests, then nbval on every notebook
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests/ $(wildcard notebooks/*.ipynb) \
	    --ignore=tests/browser \
	    --nbval-lax --nbval-current-env \
	    --nbval-sanitize-with notebooks/nbval_sanitize.cfg $(PYTEST_ARGS)

## make test-portable: every notebook under nbval as if on other CPUs: 2 BLAS
## threads, NumPy's SIMD loops off, initial weights nudged by one ulp (the
## variants run side by side; logs in portable-logs/; never touches the BLAS
## kernel: see tools/test_portable.py)
test-portable: $(VENV)/.installed-test
	$(BIN)/python tools/test_portable.py $(PYTEST_ARGS)

## make test-fast: unit tests only
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests/ --ignore=tests/browser -q $(PYTEST_ARGS)

## make test-browser: every live control in JupyterLab in headless Chromium
## (installs playwright and, as root, the Debian package chromium; screenshots
## in browser-screenshots/)
test-browser: $(VENV)/.installed-test
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt bash tools/browser_setup.sh $(BIN)/python
	RK_BROWSER_REQUIRED=1 RK_SCREENSHOTS=$(CURDIR)/browser-screenshots \
	    $(BIN)/python -m pytest tests/browser -q $(PYTEST_ARGS)

## make test-wheel: build the wheel, install it in a fresh environment, run every
## notebook from a folder outside the repository; then install from the git URL
test-wheel:
	$(PYTHON) tools/test_wheel.py

## make test-floors: every dependency at its pyproject.toml floor in a fresh
## .venv-floors, then the unit tests (the floors must be true, not guesses)
test-floors:
	$(PYTHON) tools/test_floors.py

## make notebooks: re-execute every notebook in place, refreshing stored outputs
notebooks: $(VENV)/.installed-test
	$(BIN)/python tools/run_notebooks.py $(NB)

## make figures: regenerate figures/ from the functions the notebooks call
figures: $(VENV)/.installed-notebooks
	$(BIN)/python -m regkit.course.render figures/

## make lock: re-resolve every dependency from pyproject.toml's floors into
## constraints.txt (then run make clean test test-portable before committing it)
lock:
	bash tools/lock.sh $(PYTHON)

## make bench: the benchmarks of benchmarks/ (medians and ratios)
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .venv-floors .pytest_cache .hypothesis build *.egg-info
