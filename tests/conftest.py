"""Shared fixtures: SENDQA_HOME always points at a temporary folder; a real index is built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REPORTS = SHARED / "reports"
CORPUS = ROOT / "corpus"

needs_shared = pytest.mark.skipif(not any(REPORTS.glob("*.pdf")) if REPORTS.is_dir() else True,
                                  reason="../shared/reports is absent: the 40 inspection report PDFs are needed")


@pytest.fixture(scope="session")
def models_cache(tmp_path_factory) -> Path:
    """One cache of the question models fitted from the packaged examples, shared by every test's home: a fit
    (about 30 s on 2 cores) depends on the examples and the embedding model only. The fit itself still runs once a
    session, in the first test that needs it, and test_router also fits one from an examples file of its own."""
    return tmp_path_factory.mktemp("models-cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch, models_cache):
    """No test ever touches ~/.sendqa; tests that want a built index switch SENDQA_HOME themselves."""
    for key in [k for k in os.environ if k.startswith("SENDQA_")]:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SENDQA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SENDQA_MODELS_CACHE", str(models_cache))
    yield


@pytest.fixture(scope="session")
def full_home(tmp_path_factory) -> Path:
    """A real index of corpus/ plus ../shared/reports, built once for the session."""
    if not REPORTS.is_dir() or not any(REPORTS.glob("*.pdf")):
        pytest.skip("../shared/reports is absent: the 40 inspection report PDFs are needed")
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from sendqa.settings import load_settings

    home = tmp_path_factory.mktemp("full-home")
    index = CorpusIndex(load_settings({"home": home}))
    report = ingest_paths([CORPUS, REPORTS], index, progress=False)
    assert not report.skipped, report.skipped
    assert len(report.added) == 46
    return home


@pytest.fixture(scope="session")
def full_qa(full_home):
    from rag.qa import QA
    from sendqa.settings import load_settings

    return QA(load_settings({"home": full_home}))


@pytest.fixture
def use_full_home(full_home, monkeypatch) -> Path:
    monkeypatch.setenv("SENDQA_HOME", str(full_home))
    return full_home


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the bundled corpus (with its manifest)."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


# --- a real llama.cpp OpenAI-compatible server, shared by the LLM and app tests ---------------------------------
MODEL = "qwen2.5-coder-0.5b"  # the smallest packaged instruct model that follows the rewrite prompt


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory):
    """A real index of the bundled corpus/ only (no ../shared needed)."""
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from sendqa.settings import load_settings

    home = tmp_path_factory.mktemp("corpus-home")
    report = ingest_paths([CORPUS], CorpusIndex(load_settings({"home": home})), progress=False)
    assert len(report.added) == 6 and not report.skipped
    return home


def llm_settings(home, models_dir, **answer):
    from sendqa.settings import load_settings

    local = {"model": MODEL, "models_dir": str(models_dir), "context": 2048}
    return load_settings({"home": home, "answer": {"local": local, **answer}})


def openai_settings(home, models_dir, server, **llm):
    return llm_settings(home, models_dir, backend="openai",
                        llm={"base_url": server.base_url, "model": MODEL, "timeout_s": 120, **llm})


@pytest.fixture(scope="session")
def server(corpus_home, models_dir):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: run `make setup-llm`")
    from rag.backends.llama_server import start_server

    running = start_server(llm_settings(corpus_home, models_dir))
    yield running
    running.stop()
