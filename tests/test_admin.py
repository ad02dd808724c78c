"""A safe multi-user app (issue 17, item 6): on loopback it is as it was; on any other address only the admin token
changes the index, everyone can ask; uploads land under $SENDQA_HOME within the size limit; feedback can be kept
without what was typed. The app is a real Gradio server, driven through gradio_client."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sendqa.errors import SendQAError
from tests.conftest import CORPUS
from ui.admin import AdminGate, is_loopback, safe_name, store_upload
from ui.feedback import FeedbackStore


def test_loopback_is_only_this_machine():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3") and not is_loopback("sendqa.council.gov.uk")


def test_the_gate_opens_on_loopback_or_with_the_token_only():
    assert AdminGate("127.0.0.1", None).allows(None)
    closed = AdminGate("0.0.0.0", None)
    assert not closed.enabled and not closed.allows("anything")
    with pytest.raises(SendQAError, match="SENDQA_UI__ADMIN_TOKEN"):
        closed.check("anything")
    gate = AdminGate("0.0.0.0", "s3cret")
    assert gate.allows("s3cret") and not gate.allows("s3cre") and not gate.allows("") and not gate.allows(None)


@pytest.mark.parametrize("typed, safe", [
    ("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("Bury report 2024.pdf", "Bury report 2024.pdf"),
    ("Relazione è città.txt", "Relazione è città.txt"), ("..", "upload"), ("a\x00b\x1b.txt", "ab.txt"),
])
def test_upload_names_stay_plain(typed, safe):
    assert safe_name(typed) == safe


def test_uploads_are_written_under_the_home_within_the_limit(tmp_path):
    source = tmp_path / "incoming.txt"
    source.write_text("Bury support note.\n" * 100, encoding="utf-8")
    home = tmp_path / "home"
    stored = store_upload(source, "../../../outside.txt", home, max_mb=1)
    assert stored == (home / "uploads" / "outside.txt").resolve() and stored.read_text().startswith("Bury")
    assert not (tmp_path / "outside.txt").exists()
    with pytest.raises(SendQAError, match="incoming.txt: larger than 0.001 MB"):
        store_upload(source, "incoming.txt", home, max_mb=0.001)


def test_feedback_can_be_kept_without_the_question(tmp_path):
    answer = {"question": "my son's name is Sam, what help is there in Bury?", "rewritten": "what help in Bury?",
              "answer": "quotes", "citations": [], "backend": "extractive"}
    kept = FeedbackStore(tmp_path / "kept.sqlite")
    kept.add("up", answer)
    assert kept.rows()[0]["question"].startswith("my son's name is Sam")
    private = FeedbackStore(tmp_path / "private.sqlite", store_questions=False)
    private.add("down", answer, comment="too long")
    row = private.rows()[0]
    assert row["question"] is None and row["rewritten"] is None and row["comment"] == "too long"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app on every address (0.0.0.0), as a council would serve it to its staff, with an admin token."""
    from gradio_client import Client

    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from rag.qa import QA
    from sendqa.settings import load_settings
    from ui.app import launch

    home = tmp_path_factory.mktemp("served")
    settings = load_settings({"home": home, "ui": {"admin_token": "s3cret", "store_questions": False}})
    index = CorpusIndex(settings)
    ingest_paths([CORPUS], index, progress=False)
    port = _free_port()
    demo = launch(QA(settings, index=index), "0.0.0.0", port, prevent_thread_lock=True, quiet=True)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False), index, home
    demo.close()


def test_anyone_asks_but_only_the_admin_token_removes(served):
    client, index, home = served
    answer = client.predict("What weaknesses remain in Somerset?", api_name="/ask")
    assert not answer["abstained"] and "Somerset" in answer["answer"]
    doc_id = "somerset-2023-revisit-statement"
    assert index.document(doc_id) is not None
    for token in ("", "wrong"):
        _, status = client.predict(doc_id, token, api_name="/remove_document")
        assert "needs the admin token" in status and index.document(doc_id) is not None
    _, status = client.predict(doc_id, "s3cret", api_name="/remove_document")
    assert status == "Removed." and index.document(doc_id) is None


def test_an_upload_needs_the_token_and_lands_under_the_home(served, tmp_path):
    from gradio_client import handle_file

    client, index, home = served
    note = tmp_path / "Testshire SEND note.txt"
    note.write_text("Testshire council said its SEND transport review ends in May.\n", encoding="utf-8")
    _, status = client.predict([handle_file(str(note))], "", api_name="/add_documents")
    assert "needs the admin token" in status and index.document("testshire-send-note") is None
    _, status = client.predict([handle_file(str(note))], "s3cret", api_name="/add_documents")
    assert "1 added" in status and index.document("testshire-send-note") is not None
    assert (home / "uploads" / "Testshire SEND note.txt").is_file()
    incoming = Path(home / "uploads" / ".incoming")
    assert incoming.is_dir() and any(incoming.rglob("*.txt"))  # Gradio's own copy is in the home too
