"""Faults a deployment meets, each made real here and broken by the test: an ingest killed mid-batch, the index
deleted or damaged under a running app, a Chroma server stopped mid-session, a disk that fills during ingest.
In each the user gets a clear message, nothing already indexed is lost, and the service recovers without a restart.
(A language model server that is slow or killed mid-answer is tried in test_llm.py.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sendqa.chroma_server import free_port
from tests.conftest import CORPUS, REPORTS, ROOT, needs_shared

QUESTION = "What weaknesses remain in Somerset?"
SOMERSET_FACT = "disproportionate use of exclusion"


def sendqa(*args: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sendqa.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "SENDQA_HOME": str(home)}, timeout=timeout)


def documents_in(home: Path) -> list[tuple[str, int]]:
    """(doc_id, n_chunks) rows of the document table, read directly, as another process would."""
    db = home / "indexes" / "use-multilingual" / "documents.sqlite"
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return list(conn.execute("SELECT doc_id, n_chunks FROM documents ORDER BY doc_id"))
    except sqlite3.Error:  # not created yet
        return []


@needs_shared
def test_ingest_killed_with_sigkill_mid_batch_then_rerun_misses_and_duplicates_nothing(tmp_path):
    home = tmp_path / "home"
    reports = sorted(REPORTS.glob("*.pdf"))[:10]
    run = subprocess.Popen([sys.executable, "-m", "sendqa.cli", "ingest", *map(str, reports), "--quiet"], cwd=ROOT,
                           env={**os.environ, "SENDQA_HOME": str(home)}, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not documents_in(home) and time.time() < deadline and run.poll() is None:
        time.sleep(0.1)
    time.sleep(0.5)  # the first batch is recorded and the next is being chunked, embedded and written
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    recorded = documents_in(home)
    assert 0 < len(recorded) < len(reports), "the kill did not land mid-run; the test proves nothing"
    assert sendqa("doctor", home=home).returncode == 0  # what a killed run recorded is whole

    again = sendqa("ingest", *map(str, reports), "--quiet", home=home)
    assert again.returncode == 0, again.stderr
    assert f"{len(recorded)} unchanged" in again.stdout and f"{len(reports) - len(recorded)} added" in again.stdout
    doctor = sendqa("doctor", home=home)
    assert doctor.returncode == 0 and "ok: every store agrees" in doctor.stdout, doctor.stdout
    rows = documents_in(home)
    assert len(rows) == len(reports) and all(n > 0 for _, n in rows)  # none listed without its chunks
    total = sum(n for _, n in rows)
    assert f"table {total}, lexical {total}, Chroma {total}" in doctor.stdout  # nothing stored twice


@pytest.fixture
def served(tmp_path):
    """`sendqa serve` in its own process on the bundled corpus, and a gradio_client on it."""
    from gradio_client import Client

    home = tmp_path / "home"
    assert sendqa("ingest", str(CORPUS), "--quiet", home=home).returncode == 0
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    app = subprocess.Popen([sys.executable, "-m", "sendqa.cli", "serve", "--port", str(port)], cwd=ROOT,
                           env={**os.environ, "SENDQA_HOME": str(home)}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    client = None
    while client is None:
        try:
            client = Client(url, verbose=False)
        except Exception:
            if app.poll() is not None or time.time() > deadline:
                pytest.fail("sendqa serve did not start: " + (tmp_path / "serve.log").read_text()[-2000:])
            time.sleep(1)
    yield client, home
    app.terminate()
    app.wait(timeout=30)


def _ask(client, question: str = QUESTION) -> dict:
    return client.predict(question, False, api_name="/ask")


def test_index_deleted_or_damaged_while_the_app_serves_is_reported_and_rebuilt_without_a_restart(served, tmp_path):
    client, home = served
    assert SOMERSET_FACT in _ask(client)["answer"]

    shutil.rmtree(home / "chroma")  # someone deletes the vectors under the running app
    with pytest.raises(Exception, match=r"was deleted\. Run `sendqa ingest --rebuild`") as deleted:
        _ask(client)
    assert "Traceback" not in str(deleted.value)
    assert sendqa("ingest", "--rebuild", "--quiet", home=home).returncode == 0
    assert SOMERSET_FACT in _ask(client)["answer"]  # the same app process, no restart

    sqlite = home / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(b"\0" * 4096 + sqlite.read_bytes()[4096:])  # damaged in place
    with pytest.raises(Exception, match=r"is damaged\. Run `sendqa ingest --rebuild`"):
        _ask(client)
    assert sendqa("ingest", "--rebuild", "--quiet", home=home).returncode == 0
    assert SOMERSET_FACT in _ask(client)["answer"]

    # Another process adds a document: the running app answers from it at once.
    note = tmp_path / "wessex-note.txt"
    note.write_text("Wessex SEND update\n\nParents in Wessex said the Kestrel outreach team visits every school "
                    "within ten days of a request.\n", encoding="utf-8")
    assert sendqa("ingest", str(note), "--quiet", home=home).returncode == 0
    answer = _ask(client, "How soon does the Kestrel outreach team visit a school in Wessex?")
    assert "within ten days" in answer["answer"] and answer["citations"][0]["source"] == "wessex-note.txt"


def test_a_chroma_server_stopped_mid_session_is_named_and_answers_resume_when_it_is_back(tmp_path):
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from rag.qa import QA
    from sendqa.chroma_server import chroma_executable, chroma_server
    from sendqa.errors import SendQAError
    from sendqa.settings import load_settings

    if chroma_executable() is None:
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    with chroma_server(tmp_path / "server-data", port=port) as url:
        settings = load_settings({"home": tmp_path / "home", "chroma_url": url})
        index = CorpusIndex(settings)
        ingest_paths([CORPUS], index, progress=False)
        qa = QA(settings, index=index)
        assert SOMERSET_FACT in qa.ask(QUESTION).answer
    with pytest.raises(SendQAError, match=f"Chroma server at {url} is not answering"):
        qa.ask(QUESTION)
    with chroma_server(tmp_path / "server-data", port=port):  # restarted on its data: the same QA carries on
        assert SOMERSET_FACT in qa.ask(QUESTION).answer


def _small_disk(path: Path, megabytes: int) -> bool:
    """A tmpfs of this size mounted at `path` (root only; False where the machine does not allow it)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)],
                          capture_output=True)
    return made.returncode == 0


def _report_text(paragraphs: int) -> str:
    import random

    words = (CORPUS / "sendqa-send-glossary.md").read_text(encoding="utf-8").split()
    pick = random.Random(7)
    return "Wessex local area SEND review\n\n" + "".join(
        " ".join(pick.choice(words) for _ in range(40)) + ".\n\n" for _ in range(paragraphs))


def test_a_full_disk_during_ingest_is_named_and_the_index_is_kept(tmp_path):
    home = tmp_path / "home"
    if not _small_disk(home, 32):  # room for the corpus, its caches and the review once space is freed
        pytest.skip("cannot mount a small tmpfs here (needs root); the disk-full path is not tried")
    try:
        assert sendqa("ingest", str(CORPUS), "--quiet", home=home).returncode == 0
        # The first question writes the statistics tables and the fitted models' caches.
        assert SOMERSET_FACT in json.loads(sendqa("ask", QUESTION, "--json", home=home).stdout)["answer"]
        big = tmp_path / "wessex-review.txt"
        big.write_text(_report_text(600), encoding="utf-8")
        filler = home / "filler"

        def leave_free(n: int) -> None:
            filler.unlink(missing_ok=True)
            subprocess.run(["fallocate", "-l", str(shutil.disk_usage(home).free - n), str(filler)], check=True)

        leave_free(400_000)  # surely too little: refused before anything is written
        refused = sendqa("ingest", str(big), "--quiet", home=home)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert "has too little space for wessex-review.txt" in refused.stderr, refused.stderr
        assert "ok: every store agrees" in sendqa("doctor", home=home).stdout

        leave_free(5_000_000)  # enough to start, too little to finish: the write itself fails
        full = sendqa("ingest", str(big), "--quiet", home=home)
        assert full.returncode == 2 and "Traceback" not in full.stderr
        assert "ran out of space while ingesting wessex-review.txt" in full.stderr, full.stderr
        assert "Free some space and run the same command again" in full.stderr
        still_full = sendqa("doctor", home=home)  # Chroma may need room even to open: then it says so
        assert still_full.returncode == 0 or ("is full" in still_full.stderr and "free some space" in still_full.stderr
                                              and "Traceback" not in still_full.stderr), still_full.stderr

        filler.unlink()  # the user frees space
        doctor = sendqa("doctor", home=home)
        problems = [line for line in doctor.stdout.splitlines() if line.startswith("problem:")]
        # Taken back where the full disk allowed; at most a part of the failed file is left, named with its fix.
        assert all(line.startswith("problem: wessex-review: ") and "ingest the file again" in line
                   for line in problems), doctor.stdout + doctor.stderr
        assert "6 documents" in doctor.stdout or "7 documents" in doctor.stdout
        assert SOMERSET_FACT in json.loads(sendqa("ask", QUESTION, "--json", home=home).stdout)["answer"]
        # ...and runs the same command again
        again = sendqa("ingest", str(big), "--quiet", home=home)
        assert again.returncode == 0 and "1 added" in again.stdout, again.stderr
        assert "ok: every store agrees" in sendqa("doctor", home=home).stdout
        answer = json.loads(sendqa("ask", "What does the Wessex review say?", "--json", home=home).stdout)
        assert answer["citations"] and answer["citations"][0]["source"] == "wessex-review.txt"
    finally:
        subprocess.run(["umount", "-l", str(home)], capture_output=True)
