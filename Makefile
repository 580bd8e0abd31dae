# CNN Lessons: `make lab` opens the course, `make test` checks all of it.
# Every target sets up .venv from requirements.lock first (once; later runs reuse it).
# Pick another interpreter with PYTHON=..., for example `make lab PYTHON=python3.12`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# uv installs the lock in seconds; it is taken from PyPI into .tools/ when it is not on the PATH
# (the version pinned in requirements.lock), and plain pip is the fallback when it cannot be had.
TOOLS      := .tools
UV_VERSION := $(shell sed -n 's/^uv==\([0-9.]*\).*/\1/p' requirements.lock)
UV         := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/$(TOOLS)/bin/uv)
# JupyterLab refuses to start as root unless told; only pass the flag when we are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
# No news or update pop-ups on the first start (also switched off in the venv's settings).
QUIET_LAB  := --LabApp.news_url= --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate
PYTEST_ARGS ?=

export PYTHONHASHSEED := 0

# Before a venv exists, check the interpreter: one sentence, and nothing else, outside 3.10-3.13.
ifeq ($(wildcard $(STAMP)),)
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),venv)),)
PYTHON_PROBLEM := $(shell $(PYTHON) -c "import sys; v = sys.version_info[:2]; print('' if (3, 10) <= v <= (3, 13) else '$(PYTHON) is Python %d.%d' % v)" 2>/dev/null || echo "$(PYTHON) was not found")
ifneq ($(PYTHON_PROBLEM),)
$(error CNN Lessons needs Python 3.10 to 3.13, but $(PYTHON_PROBLEM); install one of those and choose it with, for example, make lab PYTHON=python3.12)
endif
endif
endif

.PHONY: venv lab student handout test test-python lint execute lock bench site clean

venv: $(STAMP)

# Re-entrant: an interrupted install leaves no stamp, and the next run repairs the venv in place.
# Bytecode is compiled at install (as pip does): with PYTHONDONTWRITEBYTECODE set, or a read-only
# venv, Python would otherwise compile TensorFlow's sources again on every import (9 s, not 5 s).
$(STAMP): requirements.lock pyproject.toml
	@$(BIN)/python -c "" 2>/dev/null || rm -rf $(VENV)
	@[ -x "$(UV)" ] || $(PYTHON) -m pip install --quiet --disable-pip-version-check \
	    --target $(TOOLS) "uv==$(UV_VERSION)" >/dev/null 2>&1 || true
	@if [ -x "$(UV)" ]; then \
	  echo "Installing requirements.lock into $(VENV) with uv"; \
	  "$(UV)" venv --quiet --allow-existing --python "$$(command -v $(PYTHON))" $(VENV) && \
	  "$(UV)" pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock && \
	  "$(UV)" pip install --quiet --python $(BIN)/python --no-deps -e . ; \
	else \
	  echo "uv is not available: installing requirements.lock into $(VENV) with pip (a few minutes)"; \
	  $(PYTHON) -m venv $(VENV) && \
	  $(BIN)/python -m pip install --quiet -r requirements.lock && \
	  $(BIN)/python -m pip install --quiet --no-deps -e . ; \
	fi
	@mkdir -p $(VENV)/etc/jupyter/labconfig
	@echo '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}' \
	  > $(VENV)/etc/jupyter/labconfig/page_config.json
	@touch $(STAMP)

# JupyterLab opens on your own copies (my-work/); the reference lessons are in lessons/.
lab: student
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=. \
		--FileContentsManager.preferred_dir=my-work --LabApp.default_url=/lab/tree/my-work \
		$(QUIET_LAB) $(ALLOW_ROOT)

# Your copies of the lessons (no outputs, no solutions); a copy you changed is never overwritten.
student: venv
	@$(BIN)/python -m cnn_lessons.student --lessons lessons --out my-work

# The same solution-free notebooks, as a folder an instructor hands out.
handout: venv
	@$(BIN)/python -m cnn_lessons.student --lessons lessons --out handout

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check cnn_lessons tests benchmarks scripts site

test: lint
	@test -x /usr/bin/chromium || echo "NOTE: /usr/bin/chromium not found: the browser tests will be skipped (apt-get install chromium)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The unit tests and every lesson under nbval on another Python, in its own venv, e.g.
#   make test-python PYTHON=python3.13 VENV=.venv-3.13
test-python: venv
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

execute: venv
	$(BIN)/python scripts/execute_notebooks.py lessons/*.ipynb

# A universal lock: one file for Python 3.10-3.13 on Linux, macOS and Windows, with environment
# markers where a pin differs; existing pins are kept unless pyproject.toml needs a change.
lock: venv
	"$(UV)" pip compile --quiet --universal --python-version 3.10 --strip-extras \
		--no-emit-index-url --extra test --extra dev --extra site --output-file requirements.lock \
		pyproject.toml
	@for platform in x86_64-manylinux_2_28 aarch64-manylinux_2_28 aarch64-apple-darwin \
	    x86_64-pc-windows-msvc; do for version in 3.10 3.11 3.12 3.13; do \
	  "$(UV)" pip compile --quiet --no-deps --only-binary :all: --python-platform $$platform \
	    --python-version $$version --output-file /dev/null requirements.lock \
	  || { echo "requirements.lock lacks wheels for Python $$version on $$platform"; exit 1; }; \
	done; done; echo "requirements.lock has wheels for Python 3.10-3.13 on every platform"

# The course as a static website, from the stored outputs (nothing is executed, nothing is
# downloaded) in site/_build/html/: python3 -m http.server -b 127.0.0.1 -d site/_build/html
site: venv
	$(BIN)/python site/build.py

bench: venv
	$(BIN)/python benchmarks/conv_speed.py
	$(BIN)/python benchmarks/widget_latency.py
	$(BIN)/python benchmarks/browser_latency.py
	$(BIN)/python benchmarks/course_time.py

clean:
	rm -rf lessons/outputs .pytest_cache .ruff_cache
