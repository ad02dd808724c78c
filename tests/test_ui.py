"""The Gradio app in a real browser (Debian chromium driven by Playwright), and its named API through gradio_client."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import CORPUS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE = ("Hostile SEND note about Somerset support services.\n\n"
           "Somerset parents said support services were <script>window.hacked = 1</script> hard to reach, see "
           "[click here](http://evil.example/phish) and ![tracker](http://evil.example/t.png) for details.\n")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from rag.qa import QA
    from sendqa.settings import load_settings
    from ui.app import build

    home = tmp_path_factory.mktemp("ui-home")
    extra = tmp_path_factory.mktemp("ui-docs")
    (extra / "somerset-hostile-note.txt").write_text(HOSTILE, encoding="utf-8")
    settings = load_settings({"home": home})
    index = CorpusIndex(settings)
    ingest_paths([CORPUS, extra], index, progress=False)
    demo = build(QA(settings, index=index))
    demo.queue(default_concurrency_limit=8)
    demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    yield demo.local_url, home
    demo.close()


def _browser(p, width=1280, height=900):
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"])
    return browser, browser.new_page(viewport={"width": width, "height": height})


def _ask(page, question: str, wait_for: str) -> None:
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    page.get_by_text(wait_for).first.wait_for(timeout=90_000)


def test_chat_sources_follow_up_feedback_in_a_browser(app, tmp_path):
    from playwright.sync_api import sync_playwright

    url, home = app
    with sync_playwright() as p:
        browser, page = _browser(p)
        page.goto(url)
        _ask(page, "What weaknesses remain in Somerset?", "disproportionate use of exclusion")
        body = page.inner_text("body")
        assert "council and NHS statement" in body and "Sources" in body
        # The sources panel: the document once (grouped), a badge, and the quote highlighted in its passage.
        panel = page.locator(".sources")
        assert panel.locator("details.source").count() >= 1
        assert panel.locator("mark").count() >= 1 and "council and NHS statement" in panel.inner_text()
        page.screenshot(path=str(tmp_path / "desktop.png"), full_page=True)

        # A follow-up is rewritten with the area of the earlier turn, and the searched question is shown.
        _ask(page, "and what does the council say about inclusion there?", "Searched:")
        assert "in Somerset" in page.inner_text("body")

        # Feedback: thumbs down with a comment, stored in SQLite in the data directory.
        page.get_by_label("Comment for your thumbs").fill("too long")
        page.locator("button[aria-label='Dislike']").last.click()
        page.get_by_text("your feedback was saved").first.wait_for(timeout=30_000)
        rows = sqlite3.connect(home / "feedback.sqlite").execute("SELECT rating, comment, question FROM feedback").fetchall()
        assert rows and rows[-1][0] == "down" and rows[-1][1] == "too long"
        browser.close()
    exported = subprocess.run([sys.executable, "-m", "sendqa.cli", "feedback", "export"], capture_output=True, text=True,
                              env={**os.environ, "SENDQA_HOME": str(home)}, timeout=120)
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert records[-1]["rating"] == "down" and records[-1]["rewritten"] and records[-1]["citations"]


def test_document_text_stays_inert(app):
    from playwright.sync_api import sync_playwright

    url, _ = app
    with sync_playwright() as p:
        browser, page = _browser(p)
        page.goto(url)
        _ask(page, "What did Somerset parents say about support services being hard to reach?", "hard to reach")
        page.wait_for_timeout(500)
        assert page.evaluate("window.hacked === undefined")
        assert page.locator("a[href*='evil.example']").count() == 0
        assert page.locator("img[src*='evil.example']").count() == 0
        browser.close()


def test_briefing_mode_offers_a_download_and_phone_width_does_not_scroll(app, tmp_path):
    from playwright.sync_api import sync_playwright

    url, _ = app
    with sync_playwright() as p:
        browser, page = _browser(p, width=390, height=844)
        page.goto(url)
        page.get_by_text("Mode and filters").click()
        page.get_by_label("Briefing").check()
        _ask(page, "Somerset", "Download briefing")
        # The timeliness chart beside the briefing (matplotlib, rendered as an image).
        page.wait_for_function("[...document.images].some(i => i.naturalWidth > 200)", timeout=30_000)
        assert page.locator("a[download]").count() >= 1 or "briefing-Somerset.md" in page.inner_text("body")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390 + 2, f"horizontal scrolling at phone width ({scroll}px)"
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        browser.close()


def test_named_endpoints_answer_through_gradio_client(app):
    from gradio_client import Client

    url, _ = app
    client = Client(url, verbose=False)
    asked = client.predict("What weaknesses remain in Somerset?", api_name="/ask")
    assert not asked["abstained"] and asked["citations"]
    brief = client.predict("Somerset", api_name="/brief")
    assert brief["briefing"]["area"] == "Somerset"
    compared = client.predict("Bury and Stoke-on-Trent", api_name="/compare")
    assert [a["aspect"] for a in compared["comparison"]["aspects"]][0] == "outcome"
    assert compared["comparison"]["areas"] == ["Bury", "Stoke-on-Trent"]


def test_an_uploaded_document_is_answerable_at_once(app, tmp_path):
    from playwright.sync_api import sync_playwright

    url, _ = app
    note = tmp_path / "rutland-zephyr-note.txt"
    note.write_text("Rutland SEND update\n\nFamilies in Rutland told the council that the Zephyr Pathway team answers "
                    "calls within two days, and that waiting lists for the team have fallen.\n", encoding="utf-8")
    with sync_playwright() as p:
        browser, page = _browser(p)
        page.goto(url)
        page.get_by_role("tab", name="Documents").click()
        page.locator("input[type=file]").last.set_input_files(str(note))
        page.get_by_text("1 added").first.wait_for(timeout=90_000)
        assert "rutland-zephyr-note" in page.inner_text("body")
        page.get_by_role("tab", name="Ask").click()
        _ask(page, "What did families in Rutland say about the Zephyr Pathway team?", "within two days")
        browser.close()


def test_compare_mode_renders_the_table(app):
    from playwright.sync_api import sync_playwright

    url, _ = app
    with sync_playwright() as p:
        browser, page = _browser(p)
        page.goto(url)
        page.get_by_text("Mode and filters").click()
        page.get_by_label("Compare").check()
        _ask(page, "Bury and Stoke-on-Trent", "EHC plan timeliness")
        table = page.locator("table").last
        assert "Stoke-on-Trent" in table.inner_text() and "EHC plan timeliness" in table.inner_text()
        assert "[1]" in page.inner_text("body")
        browser.close()


def test_a_short_load_test_reports_no_errors(app):
    """CI's short version; the full two minutes with 20 users: `python -m ui.loadtest --users 20 --seconds 120`."""
    from ui.loadtest import run_load

    url, _ = app
    result = run_load(url, users=5, seconds=8)
    print("\nload:", result)
    assert result["requests"] >= 5 and result["errors"] == 0, result["first_errors"]
    assert result["p50_ms"] > 0 and result["peak_rss_mb"] > 0
