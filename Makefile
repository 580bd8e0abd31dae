# CNN Lessons: `make lab` opens the course, `make test` checks all of it.
# Every target sets up .venv from requirements.lock first (once; later runs reuse it).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told; only pass the flag when we are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

export PYTHONHASHSEED := 0

.PHONY: venv lab test lint execute lock bench clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lab: venv
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=lessons $(ALLOW_ROOT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check cnn_lessons tests benchmarks scripts

test: lint
	@test -x /usr/bin/chromium || echo "NOTE: /usr/bin/chromium not found: the browser tests will be skipped (apt-get install chromium)"
	$(BIN)/python -m pytest

execute: venv
	$(BIN)/python scripts/execute_notebooks.py lessons/*.ipynb

lock: venv
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra test --extra dev --output-file requirements.lock pyproject.toml

bench: venv
	$(BIN)/python benchmarks/conv_speed.py
	$(BIN)/python benchmarks/widget_latency.py
	$(BIN)/python benchmarks/course_time.py

clean:
	rm -rf lessons/outputs .pytest_cache .ruff_cache
