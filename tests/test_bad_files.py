"""Bad files (issue 17, item 4): each gets a message naming the file and the reason, the rest of the batch is kept,
the same content under two names is stored once with both names listed, and `sendqa doctor` agrees. Real files
(PDFs written with PyMuPDF), a real `sendqa ingest` subprocess, a real index."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys

import pytest

NOTE = "Testshire council said the wait for an EHC plan in Testshire is now 18 weeks.\n"


def _cli(args: list[str], home, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sendqa.cli", *args], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, SENDQA_HOME=str(home), **env))


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory):
    import pymupdf

    folder = tmp_path_factory.mktemp("bad-files")
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "A secret SEND report about Bury.")
    doc.save(folder / "encrypted.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u")
    doc = pymupdf.open()
    page = doc.new_page()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), 0)
    pixmap.clear_with(200)
    page.insert_image(page.rect, pixmap=pixmap)  # a page that is only a picture: a scan with no text layer
    doc.save(folder / "scanned.pdf")
    words = ("parents children waiting support plan school health council leaders services autism assessment "
             "transition inspectors partnership improve quality families").split()
    rng = random.Random(7)
    doc = pymupdf.open()
    for _ in range(200):
        page = doc.new_page()
        for line in range(6):
            page.insert_text((72, 72 + 20 * line), " ".join(rng.choice(words) for _ in range(9)).capitalize() + ".")
    doc.save(folder / "long-200-pages.pdf")
    (folder / "zero-pages.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                                           b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4 garbage \x00\x01\x02 not a pdf")
    (folder / "binary renamed.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "Testshire notes.txt").write_text(NOTE, encoding="utf-8")
    shutil.copy(folder / "Testshire notes.txt", folder / "Testshire notes (copy) é.txt")
    return folder


REASONS = {
    "encrypted.pdf": "password-protected",
    "scanned.pdf": "no text layer (scanned?)",
    "zero-pages.pdf": "no pages could be read",
    "corrupt.pdf": "not a readable PDF",
    "binary renamed.txt": "binary file",
    "empty.txt": "the file is empty",
}


def test_each_bad_file_is_named_with_its_reason_and_the_rest_is_kept(bad_folder, tmp_path):
    home = tmp_path / "home"
    run = _cli(["ingest", str(bad_folder)], home)
    assert run.returncode == 1 and "Traceback" not in run.stderr  # 1: something was skipped, and said so
    for name, reason in REASONS.items():
        line = next((l for l in run.stderr.splitlines() if l.startswith(f"skipped {name}:")), None)
        assert line and reason in line, (name, run.stderr)
    assert "2 added" in run.stdout and "1 duplicate" in run.stdout and "6 skipped" in run.stdout
    docs = [json.loads(line) for line in _cli(["docs", "--json"], home).stdout.splitlines()]
    assert sorted(d["doc_id"] for d in docs) == ["long-200-pages", "testshire-notes-copy"]
    twice = next(d for d in docs if d["doc_id"] == "testshire-notes-copy")
    assert twice["source"] == "Testshire notes (copy) é.txt" and twice["also_named"] == "Testshire notes.txt"
    doctor = _cli(["doctor"], home)
    assert doctor.returncode == 0 and "ok: every store agrees" in doctor.stdout
    # again: nothing new, the duplicate still listed once
    again = _cli(["ingest", str(bad_folder)], home)
    assert "0 added" in again.stdout and "2 unchanged" in again.stdout
    docs = [json.loads(line) for line in _cli(["docs", "--json"], home).stdout.splitlines()]
    assert next(d for d in docs if d["doc_id"] == "testshire-notes-copy")["also_named"] == "Testshire notes.txt"
    answer = json.loads(_cli(["ask", "what did Testshire council say?", "--json"], home).stdout)
    first = answer["sentences"][0]
    assert "18 weeks" in first["text"] and answer["citations"][first["citations"][0] - 1]["doc_id"] == "testshire-notes-copy"


def test_a_file_over_the_size_limit_is_named_and_the_batch_goes_on(bad_folder, tmp_path):
    home = tmp_path / "home"
    run = _cli(["ingest", str(bad_folder / "long-200-pages.pdf"), str(bad_folder / "Testshire notes.txt")], home,
               SENDQA_INGEST__MAX_FILE_MB="0.01")
    assert "skipped long-200-pages.pdf: larger than 0.01 MB" in run.stderr and "1 added" in run.stdout
