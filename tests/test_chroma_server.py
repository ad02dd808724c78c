"""The same ingest and ask against a real Chroma server (`chroma run`) instead of the embedded client."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from rag.index import CorpusIndex
from rag.qa import QA
from sendqa.errors import SendQAError
from sendqa.settings import load_settings
from tests.conftest import CORPUS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(exe).exists():
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_ask_through_a_chroma_server(tmp_path, chroma_server):
    settings = load_settings({"home": tmp_path / "home", "chroma_url": chroma_server})
    index = CorpusIndex(settings)
    report = ingest_paths([CORPUS], index, progress=False)
    assert len(report.added) == 5 and not report.skipped
    assert index.count_chunks() == report.chunks_added
    again = ingest_paths([CORPUS], index, progress=False)
    assert len(again.unchanged) == 5 and index.count_chunks() == report.chunks_added
    answer = QA(settings, index=index).ask("What weaknesses remain in Somerset?")
    assert "disproportionate use of exclusion" in answer.answer
    assert answer.citations[0].doc_id == "somerset-2023-revisit-statement"


def test_unreachable_server_names_the_fix(tmp_path):
    settings = load_settings({"home": tmp_path / "home", "chroma_url": f"http://127.0.0.1:{_free_port()}"})
    with pytest.raises(SendQAError, match="chroma run"):
        CorpusIndex(settings)
