"""The Gradio app in a real browser (Debian chromium driven by Playwright), and its named API through gradio_client."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT, openai_settings

# Screenshots are kept as test artefacts (CI collects this folder).
ARTIFACTS = Path(os.environ.get("SENDQA_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts")
HOSTILE = ("Hostile SEND note about Somerset support services.\n\n"
           "Somerset parents said support services were <script>window.hacked = 1</script> hard to reach, see "
           "[click here](http://evil.example/phish) and ![tracker](http://evil.example/t.png) for details, "
           "[or here](javascript:window.hacked=2) and <a href=\"javascript:window.hacked=3\">here</a> "
           "<img src=x onerror=\"window.hacked=4\">.\n")


APP_QA: dict = {}  # the app's QA, for a test that changes how many key points it shows


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from rag.qa import QA
    from sendqa.settings import load_settings
    from ui.app import launch

    home = tmp_path_factory.mktemp("ui-home")
    extra = tmp_path_factory.mktemp("ui-docs")
    (extra / "somerset-hostile-note.txt").write_text(HOSTILE, encoding="utf-8")
    settings = load_settings({"home": home})
    index = CorpusIndex(settings)
    ingest_paths([CORPUS, extra], index, progress=False)
    qa = QA(settings, index=index)
    APP_QA["qa"] = qa
    demo = launch(qa, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    yield demo.local_url, home
    demo.close()


def _browser(p, url, width=1280, height=900):
    from ui.timing import open_page

    return open_page(p, url, width, height)


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _ask(page, question: str, wait_for: str) -> None:
    """Ask, see `wait_for`, then wait for the whole answer: the sources panel is refilled only when it is in."""
    shown = "document.querySelector('#sources-panel .sources, #sources-panel .sources-empty')"
    before = page.evaluate(f"() => {shown}?.outerHTML ?? ''")
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    page.get_by_text(wait_for).first.wait_for(timeout=90_000)
    page.wait_for_function(f"before => ({shown}?.outerHTML ?? before) !== before", arg=before, timeout=90_000)


def test_chat_sources_follow_up_feedback_in_a_browser(app):
    from playwright.sync_api import sync_playwright

    url, home = app
    with sync_playwright() as p:
        browser, page = _browser(p, url)
        _ask(page, "What weaknesses remain in Somerset?", "disproportionate use of exclusion")
        body = page.inner_text("body")
        # Words used here: each term's plain meaning on hover, from the glossary.
        words = page.locator("abbr.word-used").evaluate_all("els => els.map(e => [e.innerText, e.title])")
        assert words and all(term and meaning.endswith(".") for term, meaning in words), words
        assert "council and NHS statement" in body and "Sources" in body
        # The sources panel: the document once (grouped), a badge, and the quote highlighted in its passage.
        panel = page.locator(".sources")
        assert panel.locator("details.source").count() >= 1
        assert panel.locator("mark").count() >= 1 and "council and NHS statement" in panel.inner_text()
        # One entry per passage: no stretch of a document is shown twice, and every [n] cited has its mark.
        shown = panel.locator(".passage blockquote").all_inner_texts()
        assert shown and len(shown) == len(set(shown)), shown
        cited = page.locator("[data-testid=bot] a.cite-link").last.get_attribute("href")[1:]
        assert panel.locator(f"[id='{cited}']").count() == 1
        # the answer from its first line (the chat scrolls to its end as it fills)
        page.evaluate("""() => { let el = [...document.querySelectorAll('[data-testid=bot]')].pop();
            while (el && !(el.scrollHeight > el.clientHeight + 4 && getComputedStyle(el).overflowY !== 'visible'))
                el = el.parentElement;
            if (el) el.scrollTop = el.scrollHeight - el.clientHeight - [...el.querySelectorAll('[data-testid=bot]')].pop().offsetHeight; }""")
        _screenshot(page, "desktop-answer-with-sources.png")
        # [n] in the answer is a link that opens source n in the panel, without leaving the page.
        link = page.locator("[data-testid=bot] a.cite-link").last
        target = link.get_attribute("href")[1:]
        link.click()
        page.wait_for_function("""id => { const c = document.getElementById(id); const r = c && c.getBoundingClientRect();
            return r && r.top >= 0 && r.bottom <= innerHeight; }""", arg=target, timeout=10_000)
        assert page.url.rstrip("/") == url.rstrip("/") and len(page.context.pages) == 1
        # Screen readers hear the text shown, not Markdown escapes or link markup.
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=bot]')].pop()"
                               ".getAttribute('aria-label').startsWith('Answer: ')", timeout=10_000)
        label = page.locator("[data-testid=bot]").last.get_attribute("aria-label")
        assert "\\" not in label and "<a " not in label and "disproportionate" in label, label[:200]

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


def test_key_points_past_the_first_few_wait_behind_show_more(app):
    from playwright.sync_api import sync_playwright

    url, _ = app
    qa = APP_QA["qa"]
    qa.settings.answer.max_points = 1  # the bundled corpus has no answer of more than five points
    try:
        with sync_playwright() as p:
            browser, page = _browser(p, url)
            _ask(page, "What weaknesses remain in Somerset?", "disproportionate use of exclusion")
            bot = page.locator("[data-testid=bot]").last
            # a plain heading over the points shown, and again inside "Show more" over the one held back
            assert bot.locator("strong:not(details strong)", has_text="What the council and NHS say").count() == 1
            more = bot.locator("details.more-points")
            held = more.locator("li").count()
            assert more.count() == 1 and held >= 1
            assert more.locator("summary").inner_text().startswith(f"Show {held} more point")
            hidden = more.locator("li").first
            assert not hidden.is_visible()
            more.locator("summary").click()
            hidden.wait_for(state="visible", timeout=10_000)
            assert hidden.locator("a.cite-link").count() >= 1  # cited like every other point
            browser.close()
    finally:
        qa.settings.answer.max_points = 5


def test_document_text_stays_inert(app):
    from playwright.sync_api import sync_playwright

    url, _ = app
    with sync_playwright() as p:
        browser, page = _browser(p, url)
        _ask(page, "What did Somerset parents say about support services being hard to reach?", "hard to reach")
        assert page.evaluate("window.hacked === undefined")
        assert page.locator("a[href*='evil.example']").count() == 0
        assert page.locator("img[src*='evil.example']").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0 and page.locator("img[onerror]").count() == 0
        for link in page.locator("#sources-panel a").all():  # links the app makes, clicked: none runs the note
            link.click(modifiers=["Control"])
        assert page.evaluate("window.hacked === undefined")
        browser.close()


def test_briefing_mode_offers_a_download_and_phone_width_does_not_scroll(app):
    from playwright.sync_api import sync_playwright

    url, _ = app
    with sync_playwright() as p:
        browser, page = _browser(p, url, width=390, height=844)
        page.get_by_text("Mode and filters").click()
        page.get_by_label("Briefing").check()
        _ask(page, "Somerset", "Download briefing")
        # The timeliness chart beside the briefing (matplotlib, rendered as an image).
        page.wait_for_function("[...document.images].some(i => i.naturalWidth > 200)", timeout=30_000)
        assert page.locator("a[download]").count() >= 1 or "briefing-Somerset.md" in page.inner_text("body")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390 + 2, f"horizontal scrolling at phone width ({scroll}px)"
        _screenshot(page, "phone-390px-briefing.png")
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
        browser, page = _browser(p, url)
        page.get_by_role("tab", name="Documents").click()
        page.locator("input[type=file]").last.set_input_files(str(note))
        page.get_by_text("1 added").first.wait_for(timeout=90_000)
        assert "rutland-zephyr-note" in page.inner_text("body")
        assert {"area", "outcome", "inspection dates", "pages", "chunks"} <= set(
            page.locator("th").evaluate_all("hs => hs.map(h => h.innerText.trim())"))
        # A name with `../`, spaces and accents, about a place no list knows, asked without a SEND word.
        page.locator("input[type=file]").last.set_input_files(
            {"name": "../../Zorbleton notes é.txt", "mimeType": "text/plain",
             "buffer": "Zorbleton family hub\n\nParents praised the Zorbleton Otter Club, which runs every Tuesday "
                       "evening in the library.\n".encode()})
        page.get_by_text("Zorbleton notes").first.wait_for(timeout=90_000)
        page.get_by_role("tab", name="Ask").click()
        _ask(page, "What did families in Rutland say about the Zephyr Pathway team?", "within two days")
        _ask(page, "When does the Zorbleton Otter Club meet?", "every Tuesday")
        browser.close()
    _, home = app
    stored = sorted(p.name for p in (home / "uploads").iterdir() if p.is_file())
    assert "Zorbleton notes é.txt" in stored  # its last part only, kept readable
    assert not list(home.parent.glob("Zorbleton*")) and not list(home.glob("Zorbleton*"))  # nothing climbed out


def test_compare_mode_renders_the_table(app):
    from playwright.sync_api import sync_playwright

    url, _ = app
    with sync_playwright() as p:
        browser, page = _browser(p, url)
        page.get_by_text("Mode and filters").click()
        page.get_by_label("Compare").check()
        _ask(page, "Bury and Stoke-on-Trent", "EHC plan timeliness")
        table = page.locator("table").last
        assert "Stoke-on-Trent" in table.inner_text() and "EHC plan timeliness" in table.inner_text()
        assert "[1]" in page.inner_text("body")
        browser.close()


def test_a_short_load_test_reports_no_errors(app):
    """CI's short version; the full two minutes with 20 users and a 10-minute soak at 5: `python -m ui.loadtest
    --users 20 --seconds 120 --soak-users 5 --soak-seconds 600`."""
    from ui.loadtest import run_load, run_soak

    url, _ = app
    result = run_load(url, users=5, seconds=8)
    print("\nload:", result)
    assert result["requests"] >= 5 and result["errors"] == 0, result["first_errors"]
    assert result["p50_ms"] > 0 and result["peak_rss_mb"] > 0
    # and a short soak: memory sampled as it runs (the full one: --soak-users 5 --soak-seconds 600)
    soak = run_soak(url, users=3, seconds=12, sample_every=4)
    print("soak:", soak)
    assert soak["errors"] == 0 and len(soak["samples"]) >= 2 and all(s["rss_mb"] > 0 for s in soak["samples"])
    assert soak["growth_pct"] is not None and soak["growth_pct"] < 10


def test_an_area_filter_scopes_the_answer_and_the_page_works_by_keyboard(app):
    from playwright.sync_api import sync_playwright

    url, _ = app
    with sync_playwright() as p:
        browser, page = _browser(p, url)
        # Keyboard only: Tab reaches the question box.
        box = page.get_by_label("Your question")
        box.wait_for()
        for _ in range(40):
            page.keyboard.press("Tab")
            if box.evaluate("e => e === document.activeElement"):
                break
        else:
            raise AssertionError("Tab never reached the question box")
        page.get_by_text("Mode and filters").click()
        area = page.get_by_role("listbox", name="Area").or_(page.locator("input[aria-label='Area']")).first
        area.click()
        area.fill("Stoke")
        page.get_by_role("option", name="Stoke-on-Trent").click()
        _ask(page, "what did inspectors find?", "Stoke-on-Trent ·")
        # (the glossary's "words used here" explain the answer's words; they are no evidence about an area)
        cited = page.locator(".sources details.source:not([data-type=glossary])").evaluate_all(
            "ds => ds.map(d => d.dataset.area)")
        assert cited and set(cited) == {"Stoke-on-Trent"}, cited
        browser.close()


# --- the app over a language model: a real llama.cpp server behind the openai backend ---------------------------
@pytest.fixture(scope="module")
def llm_app(corpus_home, models_dir, server):
    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from rag.qa import QA
    from ui.app import launch

    qa = QA(openai_settings(corpus_home, models_dir, server, parallel=1))
    demo = launch(qa, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    yield demo.local_url, qa
    demo.close()


def test_the_first_sentence_streams_before_the_answer_ends(llm_app):
    from playwright.sync_api import sync_playwright

    from ui.timing import time_answer

    url, _ = llm_app
    with sync_playwright() as p:
        browser, page = _browser(p, url)
        timed = time_answer(page, "What weaknesses remain in Somerset?")
        print("\nLLM answer in the browser:", {k: v for k, v in timed.items() if k != "answer"})
        assert timed["streamed"], "the answer arrived all at once"
        assert timed["first_ms"] < timed["total_ms"]
        assert timed["first_text"].rstrip(" …") in timed["answer"]  # the streamed sentence stays in the answer
        _screenshot(page, "desktop-llm-answer.png")
        browser.close()


def test_a_waiting_user_sees_the_queue_and_quotes_do_not_wait(llm_app):
    from gradio_client import Client
    from playwright.sync_api import sync_playwright

    url, qa = llm_app
    slots = qa.backend.slots
    release, held = threading.Event(), threading.Event()

    def another_generation() -> None:  # the model's only slot, busy with someone else's answer
        with slots.hold():
            held.set()
            release.wait(120)

    holder = threading.Thread(target=another_generation)
    holder.start()
    assert held.wait(10)
    waiting = [threading.Thread(target=lambda: Client(url, verbose=False).predict(
        "What does Birmingham need to improve?", False, api_name="/ask")) for _ in range(3)]
    try:
        for thread in waiting:
            thread.start()
        with sync_playwright() as p:
            browser, page = _browser(p, url)
            page.get_by_label("Your question").fill("What weaknesses remain in Somerset?")
            page.get_by_label("Your question").press("Enter")
            page.get_by_text("Queued:").first.wait_for(timeout=60_000)
            assert "ahead of yours" in page.locator("[data-testid=bot]").last.inner_text()
            _screenshot(page, "desktop-queued-for-the-model.png")

            # Quotes need no slot: answered at once while four answers wait for the model.
            started = time.perf_counter()
            quotes = Client(url, verbose=False).predict("What weaknesses remain in Somerset?", True, api_name="/ask")
            quick = time.perf_counter() - started
            assert quotes["citations"] and quotes["backend"] == "extractive"
            assert slots.busy == 1 and slots.ahead() >= 4, "the waiting answers went somewhere"
            print(f"\nquotes answered in {quick:.2f} s with {slots.ahead() - 1} answers waiting for the model")

            release.set()
            page.wait_for_function("() => !document.querySelector('[data-testid=bot]:last-of-type')"
                                   " || !/Queued:|…$/.test([...document.querySelectorAll('[data-testid=bot]')]"
                                   ".pop().innerText.trim())", timeout=240_000)
            assert "Somerset" in page.locator("[data-testid=bot]").last.inner_text()
            browser.close()
    finally:
        release.set()
        holder.join(10)
        for thread in waiting:
            thread.join(300)
