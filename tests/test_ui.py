"""The Gradio chat in a real browser (Debian chromium driven by Playwright): ask, see the cited answer."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import CORPUS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from rag.qa import QA
    from sendqa.settings import load_settings
    from ui.app import build

    settings = load_settings({"home": tmp_path_factory.mktemp("ui-home")})
    index = CorpusIndex(settings)
    ingest_paths([CORPUS], index, progress=False)
    demo = build(QA(settings, index=index))
    demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    yield demo.local_url
    demo.close()


def test_chat_answers_with_sources_in_a_browser(app_url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.goto(app_url)
        box = page.get_by_role("textbox").first
        box.fill("What weaknesses remain in Somerset?")
        box.press("Enter")
        page.get_by_text("disproportionate use of exclusion").first.wait_for(timeout=60_000)
        body = page.inner_text("body")
        assert "Sources" in body and "somerset-send-revisit-2023-council-statement.txt" in body
        assert "council and NHS statement" in body
        page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
        browser.close()
