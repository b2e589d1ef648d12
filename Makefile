# The course in two commands:  make lab   /   make test
# Windows (no make): see README "conda path".
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
TOKEN  ?=
LAB_ROOT ?= work
LAB_START ?= $(if $(filter work,$(LAB_ROOT)),01_audio_basics.ipynb,notebooks)
STAMP  := $(VENV)/.installed
# The versions tested on this Python, if the course ships them (CONSTRAINTS= installs the newest).
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
CONSTRAINTS ?= $(wildcard constraints/py$(PYVER).txt)

ifeq ($(shell id -u),0)
ROOT_FLAG := --allow-root
endif

.PHONY: lab lab-instructor test test-real test-colab test-compat test-browser notebooks data bench clean help

help:
	@echo "make lab    - install (first time), prepare the synthetic data, start JupyterLab on"
	@echo "              your own copies of the lessons in work/ (solutions are not served)"
	@echo "make lab-instructor - the same on the whole repository, solutions included"
	@echo "make test   - install (first time) and run the whole test suite in FAST mode"
	@echo "make test-real - the lessons (FAST) on a folder of real recordings built from ../shared/data"
	@echo "make test-browser - run the lessons in JupyterLab in headless Chromium (installs Chromium)"
	@echo "make test-colab   - lessons 01, 07, 08 on Colab's own versions (Python 3.13, constraints/colab.txt)"
	@echo "make test-compat  - unit tests and one lesson under Python 3.10, 3.12 and 3.13 (one venv each)"
	@echo "variables: PORT=$(PORT) TOKEN=<token> LAB_ROOT=$(LAB_ROOT) PYTHON=$(PYTHON)"

# Re-install only when the project's dependency list or the tested versions change.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,lab]" $(if $(CONSTRAINTS),-c $(CONSTRAINTS))
	@touch $(STAMP)

data: $(STAMP)
	$(PY) -m course_utils data synth

# A learner's server: its root is work/ (git-ignored), which holds the learner's own copies
# of the student notebooks (made on first use; edited copies are kept), so solutions/ is not
# served and `git pull` never clashes with answers. An instructor's server (lab-instructor)
# serves the whole repository. TOKEN empty means no login.
JUPYTER_LAB = $(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
	    --IdentityProvider.token='$(TOKEN)' $(ROOT_FLAG)

lab: $(STAMP) data
	@$(PY) -m course_utils notebooks copy work
	$(JUPYTER_LAB) --ServerApp.root_dir='$(LAB_ROOT)' --LabApp.default_url=/lab/tree/$(LAB_START)

lab-instructor: $(STAMP) data
	$(JUPYTER_LAB) --ServerApp.root_dir='.' --LabApp.default_url=/lab/tree/solutions

# The browser tests need Chromium and a running JupyterLab: only make test-browser runs them.
# Unit tests run on every core (one test file per worker); the lessons run one after another,
# in order, because later lessons reuse the runs earlier ones trained.
test: $(STAMP)
	$(PY) -m course_utils notebooks build --check
	COURSE_FAST=1 TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest -m "not browser" tests \
	    -n auto --dist loadfile --durations=15
	COURSE_FAST=1 TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest -m "not browser" solutions notebooks \
	    --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    --nbval-cell-timeout=900 \
	    --durations=15

# The lessons on real recordings: the real GTZAN clips of ../shared/data cut into 5-s pieces
# (tests/real_fixture.py) in a folder named gtzan outside the data root, every solution under
# nbval in FAST mode with COURSE_DATASET pointing at it, in a fresh runs and cache folder. A
# smoke test (pieces of one song can sit on both sides of a split): it fails if a lesson
# stops on real data. Skipped, saying why, where ../shared/data is absent.
# Colab's own stack: a Python 3.13 venv with constraints/colab.txt (Colab's published versions),
# the course installed as the lessons' first cell does (a wheel, --no-deps, then colab.setup),
# a stand-in google.colab, and lessons 01, 07 and 08 under nbval (tests/colab_stack.py).
test-colab: $(STAMP)
	$(PY) tests/colab_stack.py

REAL_DIR ?= .real-music
test-real: $(STAMP)
	@rm -rf $(REAL_DIR)
	@if $(PY) tests/real_fixture.py $(REAL_DIR)/gtzan; then \
	  COURSE_FAST=1 TF_CPP_MIN_LOG_LEVEL=2 COURSE_DATASET="$(abspath $(REAL_DIR))/gtzan" \
	  COURSE_RUNS_DIR="$(abspath $(REAL_DIR))/runs" COURSE_CACHE_DIR="$(abspath $(REAL_DIR))/cache" \
	  $(PY) -m pytest -m "not browser" solutions --nbval-lax --nbval-current-env \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900 \
	    -p no:cacheprovider --durations=5; \
	else echo "test-real skipped: no real clips to build the folder from (see above)"; fi

# One venv per other Python (found under pyenv or on the PATH; a clear skip where absent),
# pinned by constraints/py3.X.txt. CI runs `tests/compat.py --ends --unit-only`.
test-compat:
	$(PYTHON) tests/compat.py

test-browser: $(STAMP)
	bash tests/browser/setup.sh
	COURSE_FAST=1 $(PY) -m pytest tests/browser -m browser -p no:cacheprovider

bench: $(STAMP)
	$(PY) bench/feature_extraction.py

clean:
	$(PY) -m course_utils data clean
