"""The same ingest and ask against a real Chroma server (`chroma run`) instead of the embedded client."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest_paths
from rag.index import CorpusIndex
from rag.qa import QA
from sendqa.chroma_server import free_port
from sendqa.errors import SendQAError
from sendqa.settings import load_settings
from tests.conftest import CORPUS


@pytest.fixture
def chroma_server(tmp_path):
    from sendqa.chroma_server import chroma_executable, chroma_server as running

    if chroma_executable() is None:
        pytest.skip("the chroma CLI is not installed")
    with running(tmp_path / "server-data") as url:
        yield url


def test_ingest_and_ask_through_a_chroma_server(tmp_path, chroma_server):
    settings = load_settings({"home": tmp_path / "home", "chroma_url": chroma_server})
    index = CorpusIndex(settings)
    report = ingest_paths([CORPUS], index, progress=False)
    assert len(report.added) == 6 and not report.skipped
    assert index.count_chunks() == report.chunks_added
    again = ingest_paths([CORPUS], index, progress=False)
    assert len(again.unchanged) == 6 and index.count_chunks() == report.chunks_added
    answer = QA(settings, index=index).ask("What weaknesses remain in Somerset?")
    assert "disproportionate use of exclusion" in answer.answer
    assert answer.citations[0].doc_id == "somerset-2023-revisit-statement"


def test_unreachable_server_names_the_fix(tmp_path):
    settings = load_settings({"home": tmp_path / "home", "chroma_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(SendQAError, match="chroma run"):
        CorpusIndex(settings)
