"""`sendqa fetch` against a real loopback mirror of files.ofsted.gov.uk (tests/mirror.py) that serves the
../shared/reports PDFs at the table's links, and the faults a download meets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.fetch import ReportFetcher, links_for, report_links
from rag.index import CorpusIndex
from sendqa.settings import load_settings
from tests.conftest import REPORTS, needs_shared
from evals.mirror import mirror_of

# Areas whose reports are in ../shared/reports, and the fault each one's link meets.
FAULTS = {"Bolton": "redirect", "Bedford": "500-once", "Oldham": "truncated", "Wakefield": "html",
          "Hartlepool": "slow", "Bury": None}


def _env(home: Path) -> dict:
    return dict(os.environ, SENDQA_HOME=str(home), SENDQA_FETCH__PAUSE_S="0", SENDQA_FETCH__TIMEOUT_S="1",
                SENDQA_FETCH__RETRIES="2", SENDQA_FETCH__BACKOFF_S="0.05")


def sendqa(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sendqa.cli", *args], capture_output=True, text=True, env=_env(home),
                          timeout=600)


@pytest.fixture
def mirror():
    served = mirror_of(REPORTS, load_settings()).start()
    ids = {link.area: link.url.rsplit("/", 1)[1] for link in report_links(load_settings())}
    served.faults = {ids[area]: fault for area, fault in FAULTS.items() if fault}
    served.ids = ids
    yield served
    served.stop()


def test_links_come_from_the_bundled_table_and_names_are_read_like_questions():
    links = report_links(load_settings())
    assert len(links) == 72 and all(link.url.startswith("https://files.ofsted.gov.uk/v1/file/") for link in links)
    chosen, unmatched = links_for(["herts", "B&H", "bury", "Zorbleton"], links)
    assert [link.area for link in chosen] == ["Hertfordshire", "Brighton and Hove", "Bury"]
    assert unmatched == ["Zorbleton"]
    assert chosen[2].file_name.startswith(chosen[2].urn + "_bury")
    assert chosen[0].url_at("http://127.0.0.1:1/") == "http://127.0.0.1:1" + chosen[0].url.split(".uk", 1)[1]


@needs_shared
def test_fetch_keeps_only_whole_pdfs_names_each_fault_and_fetches_nothing_twice(tmp_path, mirror):
    home = tmp_path / "home"
    areas = [*FAULTS, "Medway"]  # Medway: in the table, not on the mirror (404)
    run = sendqa("fetch", *areas, "--base-url", mirror.base_url, "-q", home=home)
    assert run.returncode == 1, run.stderr  # some failed
    errors = run.stderr
    assert "failed Oldham" in errors and "connection dropped mid-download" in errors  # the body stopped short
    assert "failed Wakefield" in errors and "not a PDF (the server sent text/html)" in errors
    assert "failed Hartlepool" in errors and "timed out" in errors
    assert "failed Medway" in errors and "HTTP 404" in errors
    assert "3 fetched, 0 unchanged, 4 failed" in run.stdout  # Bury, Bolton (redirected), Bedford (after a 500)
    stored = sorted(p.name for p in (home / "reports").iterdir() if p.suffix == ".pdf")
    assert len(stored) == 3 and not [p for p in (home / "reports").iterdir() if p.name.endswith(".part")]

    doctor = sendqa("doctor", home=home)
    assert doctor.returncode == 0 and "problem:" not in doctor.stdout, doctor.stdout
    docs = [json.loads(line) for line in sendqa("docs", "--json", home=home).stdout.splitlines() if line.strip()]
    fetched = {d["area"]: d for d in docs if d.get("source_url")}
    assert set(fetched) == {"Bury", "Bolton", "Bedford"}
    bury = fetched["Bury"]
    assert bury["source_url"] == f"https://files.ofsted.gov.uk/v1/file/{mirror.ids['Bury']}"
    assert bury["etag"] and bury["last_modified"] and bury["fetched_at"]
    assert bury["kind"] == "inspection report" and bury["outcome"]
    manifest = json.loads((home / "reports" / "manifest.json").read_text())["documents"]
    table = {r.source: r.sha256 for r in CorpusIndex(load_settings({"home": home})).documents()}
    assert all(table[entry["file"]].startswith(entry["sha256"] + ":") for entry in manifest)  # what was ingested

    before = len(mirror.requests)
    again = sendqa("fetch", "Bury", "Bolton", "Bedford", "--base-url", mirror.base_url, "-q", home=home)
    assert again.returncode == 0 and "0 fetched, 3 unchanged, 0 failed" in again.stdout
    conditional = [headers for _, headers in mirror.requests[before:]]
    assert all("If-None-Match" in h or "if-none-match" in {k.lower() for k in h} for h in conditional)

    mirror.ignore_conditional = True  # a server that always sends the whole file: the checksum decides
    third = sendqa("fetch", "Bury", "--base-url", mirror.base_url, "-q", home=home)
    assert "0 fetched, 1 unchanged" in third.stdout and "ingest:" not in third.stdout


def test_without_a_network_fetch_says_so_in_one_line_and_changes_nothing(tmp_path):
    home = tmp_path / "home"
    run = sendqa("fetch", "Bury", "--base-url", "http://127.0.0.1:9", "-q", home=home)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "no network" in run.stderr and "nothing was changed" in run.stderr
    assert not home.exists() or not any(home.iterdir())


@needs_shared
def test_an_interrupted_fetch_all_picks_up_where_it_stopped(tmp_path, mirror):
    settings = load_settings({"home": tmp_path / "home", "fetch": {"pause_s": 0, "retries": 0}})
    links = [link for link in report_links(settings) if link.area in ("Bury", "Bolton", "Bexley", "Brent", "Bedford")]
    mirror.faults = {}
    fetcher = ReportFetcher(settings, base_url=mirror.base_url)

    def stop_after_two(done, total, outcome):
        if done == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the run

    with pytest.raises(KeyboardInterrupt):
        fetcher.fetch(links, resume=True, progress=False, on_progress=stop_after_two)
    left = fetcher.pending()
    assert len(left) == 3 and set(left) == {link.urn for link in links[2:]}
    report = fetcher.fetch(links, resume=True, progress=False)
    assert report.resumed == 3 and {o.link.urn for o in report.outcomes} == set(left)
    assert fetcher.pending() == []


@needs_shared
def test_the_app_gets_a_missing_report_with_one_click_and_answers_again(tmp_path):
    """A parent asks about Bolton, whose report is not held: the answer names no command, a button gets the report
    from the (mirror of the) official link, and the same question is then answered from it."""
    import shutil

    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    from ingest.pipeline import ingest_paths
    from rag.qa import QA
    from tests.conftest import CORPUS
    from ui.app import launch

    served = mirror_of(REPORTS, load_settings()).start()
    settings = load_settings({"home": tmp_path / "home", "fetch": {"base_url": served.base_url, "pause_s": 0}})
    index = CorpusIndex(settings)
    ingest_paths([CORPUS], index, progress=False)
    demo = launch(QA(settings, index=index), "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as p:
            browser, page = _asked(p, demo.local_url, "What did inspectors find in Bolton?")
            page.get_by_text("I don't hold Bolton's inspection report yet").first.wait_for(timeout=90_000)
            assert "sendqa ingest" not in page.inner_text("body") and "sendqa fetch" not in page.inner_text("body")
            button = page.get_by_role("button", name="Get Bolton's report")
            button.wait_for(timeout=30_000)
            button.click()
            page.get_by_text("Ofsted/CQC report").first.wait_for(timeout=180_000)
            assert any(path.startswith("/v1/file/") for path, _ in served.requests)
            # The Documents tab gets a named area's report, with its summary.
            page.get_by_role("tab", name="Documents").click()
            page.get_by_label("Get reports for an area: its name (or several, comma-separated)").fill("Hartlepool")
            page.get_by_role("button", name="Get reports for an area").click()
            # The status still shows Bolton's fetch ("1 fetched ..." too): wait for Hartlepool's row itself.
            deadline = time.time() + 180
            while not _listed(settings, "Hartlepool") and time.time() < deadline:
                time.sleep(0.5)
            page.get_by_text("1 fetched, 0 unchanged, 0 failed").first.wait_for(timeout=30_000)
            browser.close()
    finally:
        demo.close()
        served.stop()
    docs = CorpusIndex(settings).documents()
    bolton = [d for d in docs if d.area == "Bolton" and d.kind == "inspection report"]
    assert bolton and bolton[0].source_url and bolton[0].source_url.startswith("https://files.ofsted.gov.uk/")
    assert any(d.area == "Hartlepool" and d.source_url for d in docs)

    # Started with --offline, the app offers no download, and says why.
    offline = load_settings({"home": tmp_path / "home", "ui": {"offline": True}})
    demo = launch(QA(offline), "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as p:
            browser, page = _asked(p, demo.local_url, "What did inspectors find in Dudley?")
            button = page.locator("#get-report")
            button.wait_for(timeout=90_000)
            assert "--offline" in button.inner_text() and button.is_disabled()
            browser.close()
    finally:
        demo.close()


def _asked(playwright, url: str, question: str):
    """A browser on the app with the question typed and sent."""
    from ui.timing import open_page

    browser, page = open_page(playwright, url, 1280, 900)
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    return browser, page


def _listed(settings, area: str) -> bool:
    """Whether the document table lists a report for the area yet (read as another process would)."""
    import sqlite3

    with sqlite3.connect(settings.index_dir() / "documents.sqlite", timeout=5) as db:
        return bool(db.execute("SELECT 1 FROM documents WHERE area = ?", (area,)).fetchone())
