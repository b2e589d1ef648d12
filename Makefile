# The course in two commands:  make lab   /   make test
# Windows (no make): see README "conda path".
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
TOKEN  ?=
STAMP  := $(VENV)/.installed

ifeq ($(shell id -u),0)
ROOT_FLAG := --allow-root
endif

.PHONY: lab test test-unit test-notebooks test-browser notebooks data bench clean help

help:
	@echo "make lab    - install (first time), prepare the synthetic data, start JupyterLab"
	@echo "make test   - install (first time) and run the whole test suite in FAST mode"
	@echo "variables: PORT=$(PORT) TOKEN=<token> PYTHON=$(PYTHON)"

# Re-install only when the project's dependency list changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

data: $(STAMP)
	$(PY) -m course_utils data synth

lab: $(STAMP) data
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
	    --ServerApp.token='$(TOKEN)' --notebook-dir=. $(ROOT_FLAG) notebooks/

test: $(STAMP)
	COURSE_FAST=1 $(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/feature_extraction.py

clean:
	$(PY) -m course_utils data clean
