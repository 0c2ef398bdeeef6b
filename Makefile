# Two commands on a fresh machine: `make up` runs the suite, `make test` runs the tests.
# Both create the virtual environment and install the pinned dependencies on first use.
VENV ?= .venv
PYTHON ?= python3
ARGS ?=

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[broker,test]'
	# bytecode for the checkout's own packages, made once: a process of the suite then reads it
	# instead of compiling every module at each start (where PYTHONDONTWRITEBYTECODE is set)
	$(VENV)/bin/python -m compileall -q shared services gateway registration-svc inspection-svc subsidy-svc training-svc
	touch $@

.PHONY: install up test chaos bench audit
install: $(VENV)/.installed

up: $(VENV)/.installed
	$(VENV)/bin/tuoyu up $(ARGS)

test: $(VENV)/.installed
	$(VENV)/bin/pytest $(ARGS)

# The fault scenarios (broker, services, database, poison) with their sent/received/lost table.
chaos: $(VENV)/.installed
	$(VENV)/bin/tuoyu chaos $(ARGS)

# The suite against bare baselines (propagation, throughput, gateway, catch-up, reports, memory):
# one table of ratios, also written to bench/results/ as JSON and SVG. ARGS="--backend postgresql".
bench: $(VENV)/.installed
	$(VENV)/bin/tuoyu bench $(ARGS)

# Known vulnerabilities in the pinned dependencies (needs the PyPI JSON API or OSV to be reachable).
audit: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet pip-audit==2.10.1
	$(VENV)/bin/pip freeze --exclude-editable > $(VENV)/requirements.lock
	$(VENV)/bin/pip-audit --strict -r $(VENV)/requirements.lock
