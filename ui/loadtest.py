"""A bounded load test: N gradio_client users on loopback asking questions for S seconds against one app.

    python -m ui.loadtest --users 20 --seconds 120      # the full run (index of SENDQA_HOME, or corpus/ on first run)

Reports requests, errors, latency p50/p95 and the app process's memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from pathlib import Path

QUESTIONS = [
    "What weaknesses remain in Somerset?",
    "How long are waits for autism assessment in Bury?",
    "How quickly does Leeds issue EHC plans?",
    "What is an EHC plan?",
    "What did the council say in Birmingham?",
    "Which areas had widespread and/or systemic failings?",
]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run_load(url: str, users: int, seconds: float, questions: list[str] = QUESTIONS) -> dict:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def user(n: int) -> None:
        client = Client(url, verbose=False)
        i = n
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                answer = client.predict(questions[i % len(questions)], api_name="/ask")
                ok = isinstance(answer, dict) and "answer" in answer
            except Exception as exc:  # a failed request is counted, not fatal
                ok, answer = False, f"{exc.__class__.__name__}: {exc}"
            with lock:
                (latencies if ok else errors).append(time.perf_counter() - started if ok else str(answer)[:200])
            i += users

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    pct = (lambda p: round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)) if ordered else (lambda p: None)
    return {"users": users, "seconds": seconds, "requests": len(latencies) + len(errors), "errors": len(errors),
            "p50_ms": pct(0.5), "p95_ms": pct(0.95),
            "mean_ms": round(statistics.mean(latencies) * 1000, 1) if latencies else None,
            "peak_rss_mb": _rss_mb(), "first_errors": errors[:3]}


def main() -> None:
    from sendqa.app import open_qa
    from sendqa.settings import load_settings
    from ui.app import build

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    demo = build(open_qa(load_settings()))
    demo.queue(default_concurrency_limit=8)
    demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        print(json.dumps(run_load(demo.local_url, args.users, args.seconds), indent=1))
    finally:
        demo.close()


if __name__ == "__main__":
    main()
