"""Time from pressing Enter to the first streamed sentence and to the whole answer, in a real browser, per backend.

    python -m ui.timing                                   # extractive, local (llama.cpp) and openai, on SENDQA_HOME
    python -m ui.timing --backend extractive --repeat 3

The browser is Debian's chromium driven by Playwright; the clock is the page's own (performance.now()), started by
the Enter key and stopped by the chat's DOM changing, so it includes the queue, the network and the rendering.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics

QUESTIONS = [
    "What weaknesses remain in Somerset?",
    "how long are waits for autism assessment in bury",
    "What does Oldham need to improve?",
    "What is it like to be a child with SEND in Oldham?",
    "what did inspectors say about ehc plans in stoke on trent",
]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Watches the last bot message: the first time it shows a sentence (not the searched or queued line), and the first
# time it shows sentences without the trailing "…" that marks an answer still streaming.
RESET_JS = """() => {
  window.sendqaTiming = {t0: null, first: null, done: null, partial: false,
                         before: document.querySelectorAll('[data-testid=bot]').length};
  if (window.sendqaObserver) return;
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter' && e.target.tagName === 'TEXTAREA' && window.sendqaTiming.t0 === null)
      window.sendqaTiming.t0 = performance.now();
  }, true);
  window.sendqaObserver = new MutationObserver(() => {
    const t = window.sendqaTiming;
    if (t.t0 === null || t.done !== null) return;
    const bots = document.querySelectorAll('[data-testid=bot]');
    if (bots.length <= t.before) return;
    const text = bots[bots.length - 1].innerText.trim();
    const said = text.split('\\n').map(l => l.trim()).filter(l => l && l !== '…' && !/^(Searched|Queued)/.test(l));
    if (!said.length) return;
    const now = performance.now();
    if (t.first === null) { t.first = now; t.firstText = said[0]; }
    if (text.endsWith('…')) t.partial = true; else t.done = now;
  });
  window.sendqaObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def time_answer(page, question: str, timeout_ms: int = 300_000) -> dict:
    """Ask in the page's chat box and return the first-sentence and whole-answer times (ms) and whether it streamed."""
    page.evaluate(RESET_JS)
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("() => window.sendqaTiming.done !== null", timeout=timeout_ms)
    t = page.evaluate("() => window.sendqaTiming")
    return {"question": question, "first_ms": round(t["first"] - t["t0"]), "total_ms": round(t["done"] - t["t0"]),
            "streamed": bool(t["partial"]), "first_text": t["firstText"], "answer": page.locator("[data-testid=bot]").last.inner_text()}


def open_page(playwright, url: str, width: int = 1280, height: int = 900):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"])
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    return browser, page


def _settings_for(backend: str, base_url: str | None):
    from sendqa.settings import load_settings

    if backend == "openai":
        model = load_settings().answer.local.model
        return load_settings({"answer": {"backend": "openai", "llm": {"base_url": base_url, "model": model}}})
    return load_settings({"answer": {"backend": backend}})


def measure(backend: str, repeat: int, base_url: str | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    from sendqa.app import open_qa
    from ui.app import launch

    qa = open_qa(_settings_for(backend, base_url))
    demo = launch(qa, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    if qa.backend.can_invent:
        qa.ask(QUESTIONS[0])  # warm: the model is loaded (as the app starts it) before the clock starts
    runs = []
    try:
        with sync_playwright() as p:
            browser, page = open_page(p, demo.local_url)
            for _ in range(repeat):
                for question in QUESTIONS:
                    runs.append(time_answer(page, question))
            browser.close()
    finally:
        demo.close()
    first, total = [r["first_ms"] for r in runs], [r["total_ms"] for r in runs]
    return {"backend": backend, "answers": len(runs), "first_sentence_p50_ms": statistics.median(first),
            "first_sentence_max_ms": max(first), "whole_answer_p50_ms": statistics.median(total),
            "whole_answer_max_ms": max(total), "streamed": sum(r["streamed"] for r in runs),
            "runs": [{k: v for k, v in r.items() if k != "answer"} for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=["extractive", "local", "openai"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    results, server = [], None
    try:
        for backend in args.backend or ["extractive", "local", "openai"]:
            if backend == "openai" and server is None:
                # A real OpenAI-compatible endpoint: llama.cpp's server, started here, reached like any other.
                from rag.backends.llama_server import start_server
                from sendqa.settings import load_settings

                server = start_server(load_settings())
            results.append(measure(backend, args.repeat, server.base_url if server else None))
            print(json.dumps({k: v for k, v in results[-1].items() if k != "runs"}), flush=True)
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
