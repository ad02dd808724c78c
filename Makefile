# Two commands for a newcomer on a fresh machine:  `make run`  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run test eval eval-gate compare-embeddings clean

$(STAMP): pyproject.toml requirements.lock
	python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch (a local wheel on these machines); anything else pulls GBs of CUDA.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: setup  ## index the bundled corpus on first run and start the chat app on http://127.0.0.1:7860
	$(VENV)/bin/sendqa serve

test: setup  ## the whole test suite (tests needing ../shared skip with a reason when it is absent)
	$(PY) -m pytest -q

eval: setup  ## the full eval set, ours and the naive baseline, with report and chart in evals/out/
	$(VENV)/bin/sendqa eval

compare-embeddings: setup
	$(PY) -m evals.compare_embeddings

clean:
	rm -rf $(VENV) .pytest_cache evals/out
