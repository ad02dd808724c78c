"""The CLI as users and evaluations call it: real subprocesses, real index."""

from __future__ import annotations

import json
import shutil
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS, needs_shared

CONTRACT_KEYS = {"question", "answer", "abstained", "citations", "backend", "timings_ms", "sentences", "verification", "notice",
                 "rewritten", "comparison", "briefing", "reports_to_fetch", "glossary", "lead", "points"}  # fields are only ever added
CITATION_KEYS = {"n", "doc_id", "source", "title", "area", "page", "section", "quote", "citation_type", "publication",
                 "table", "year", "row", "licence"}


def sendqa(*args: str, home: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, SENDQA_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "sendqa.cli", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


@needs_shared
def test_ask_json_prints_exactly_the_contract(use_full_home):
    run = sendqa("ask", "What weaknesses remain in Somerset?", "--json", home=use_full_home)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)  # exactly one JSON object on stdout, nothing else
    assert set(data) == CONTRACT_KEYS
    assert data["abstained"] is False and data["backend"] == "extractive"
    assert data["citations"] and all(set(c) == CITATION_KEYS for c in data["citations"])
    assert data["citations"][0]["source"] == "somerset-send-revisit-2023-council-statement.txt"
    assert [c["n"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))
    assert "total" in data["timings_ms"]


@needs_shared
def test_ask_with_filters_and_docs_table(use_full_home):
    run = sendqa("ask", "What are the waiting times like?", "--area", "Bury", "--kind", "inspection report", "--json",
                 home=use_full_home)
    data = json.loads(run.stdout)
    evidence = [c for c in data["citations"] if c["citation_type"] != "glossary"]  # (words used here)
    assert evidence and {c["area"] for c in evidence} == {"Bury"}
    docs = sendqa("docs", "--outcome", "widespread", "--json", home=use_full_home)
    rows = [json.loads(line) for line in docs.stdout.splitlines()]
    assert {"Bury", "Oldham", "Suffolk"} <= {r["area"] for r in rows}
    assert all(r["outcome"] == "widespread and/or systemic failings" for r in rows)


def test_first_run_indexes_the_bundled_corpus_and_ingest_reports_bad_files(tmp_path):
    home = tmp_path / "fresh"
    run = sendqa("ask", "What weaknesses remain in Somerset?", "--json", home=home)
    assert run.returncode == 0, run.stderr
    assert "First run: indexing the bundled corpus" in run.stderr
    data = json.loads(run.stdout)
    assert "somerset-2023-revisit-statement" in {c["doc_id"] for c in data["citations"]}

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    again = sendqa("ingest", str(CORPUS), str(bad), "--quiet", home=home)
    assert again.returncode == 1
    assert "skipped bad.pdf" in again.stderr and "6 unchanged" in again.stdout

    removed = sendqa("remove", "birmingham-statement", home=home)
    assert removed.returncode == 0 and "removed: birmingham-statement" in removed.stdout
    listing = sendqa("docs", "--json", home=home)
    assert "birmingham-statement" not in listing.stdout and "somerset-2023-revisit-statement" in listing.stdout


def test_bad_settings_give_a_clear_error(tmp_path):
    env_home = tmp_path / "h"
    env = dict(os.environ, SENDQA_HOME=str(env_home), SENDQA_RETRIEVAL__EMBEDDING="no-such-model")
    run = subprocess.run([sys.executable, "-m", "sendqa.cli", "ask", "anything", "--json"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert run.returncode == 2 and "unknown embedding 'no-such-model'" in run.stderr and not run.stdout


def test_ask_streams_sentences_and_names_its_backend(tmp_path):
    home = tmp_path / "stream"
    run = sendqa("ask", "What weaknesses remain in Somerset?", "--stream", home=home)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("[Somerset · council and NHS statement]") and lines[0].rstrip().endswith("]")
    assert any(line.startswith("[1] ") for line in lines)  # the citation list follows the streamed sentences
    # passages of one document in a row are listed under its title, named once
    sources = lines[next(i for i, line in enumerate(lines) if line.startswith("[1] ")) - 1:]
    titled = [line for line in sources if "somerset-send-revisit-2023-council-statement.txt" in line]
    assert len(titled) == 1, sources
    data = json.loads(sendqa("ask", "What weaknesses remain in Somerset?", "--json", "--backend", "extractive",
                             home=home).stdout)
    assert data["backend"] == "extractive" and data["verification"] == {"sentences": 0, "supported": 0, "dropped": 0,
                                                                         "replaced": 0}
    # nothing generated: quotes and table rows, each cited (a lead such as "the official statistics show:" is a message)
    assert all(s["origin"] in ("quote", "statistic") and s["citations"] or s["origin"] == "message"
               for s in data["sentences"]) and data["sentences"][0]["origin"] == "quote"
    unknown = sendqa("ask", "anything about Bury", "--backend", "no-such-backend", home=home)
    assert unknown.returncode == 2 and "unknown answer backend 'no-such-backend'" in unknown.stderr


def test_lost_or_damaged_vectors_are_detected_and_rebuilt(tmp_path):
    home = tmp_path / "stores"
    assert sendqa("ingest", str(CORPUS), "--quiet", home=home).returncode == 0
    assert "ok: every store agrees" in sendqa("doctor", home=home).stdout

    shutil.rmtree(home / "chroma")  # a user deletes the vectors
    ask = sendqa("ask", "What weaknesses remain in Somerset?", home=home)
    assert ask.returncode == 2 and "sendqa ingest --rebuild" in ask.stderr and "Traceback" not in ask.stderr
    doctor = sendqa("doctor", home=home)
    assert doctor.returncode == 1 and "problem: somerset-2023-revisit-statement" in doctor.stdout
    again = sendqa("ingest", str(CORPUS), "--quiet", home=home)  # files are not "unchanged" while chunks are missing
    assert "6 replaced" in again.stdout and "0 unchanged" in again.stdout
    assert sendqa("doctor", home=home).returncode == 0

    sqlite = home / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(b"\0" * 4096 + sqlite.read_bytes()[4096:])  # damage the Chroma database
    broken = sendqa("ask", "What weaknesses remain in Somerset?", home=home)
    assert broken.returncode == 2 and "sendqa ingest --rebuild" in broken.stderr and "Traceback" not in broken.stderr
    rebuilt = sendqa("ingest", "--rebuild", "--quiet", home=home)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "rebuilt: 0 added, 6 replaced" in rebuilt.stdout
    assert sendqa("doctor", home=home).returncode == 0
    fixed = json.loads(sendqa("ask", "What weaknesses remain in Somerset?", "--json", home=home).stdout)
    assert "disproportionate use of exclusion" in fixed["answer"]


@needs_shared
def test_ask_shows_five_key_points_and_all_of_them_with_all(use_full_home):
    question = "What does Bury need to improve?"
    short = sendqa("ask", question, home=use_full_home)
    assert short.returncode == 0, short.stderr
    assert "What needs to get better:" in short.stdout and "more points: add --all to see them" in short.stdout
    every = sendqa("ask", question, "--all", home=use_full_home)
    assert every.returncode == 0, every.stderr
    assert "add --all" not in every.stdout
    assert "strategic approach to high-quality transitions" in every.stdout
    assert "strategic approach to high-quality transitions" not in short.stdout
