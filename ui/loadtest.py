"""A bounded load test: N gradio_client users on loopback asking questions for S seconds against one app.

    python -m ui.loadtest --users 20 --seconds 120 --soak-users 5 --soak-seconds 600
                                                        # the full run: a 2-minute burst, then a 10-minute soak
    SENDQA_ANSWER__BACKEND=local python -m ui.loadtest --users 20 --llm-users 2 --seconds 120
                                                        # 2 users wait for the language model, 18 ask for quotes

Reports requests, errors, latency p50/p95 (for each group of users) and the app process's memory; the soak samples
the resident memory each minute and reports its growth from the first sample to the last (it should stay under 10%).
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


def _rss_mb(field: str = "VmHWM") -> float:
    """The app process's memory from /proc: its peak (VmHWM) or, with field="VmRSS", what it holds now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    if not ordered:
        return {"answers": 0, "p50_ms": None, "p95_ms": None, "mean_ms": None}
    pct = lambda p: round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)  # noqa: E731
    return {"answers": len(ordered), "p50_ms": pct(0.5), "p95_ms": pct(0.95),
            "mean_ms": round(statistics.mean(ordered) * 1000, 1)}


def run_load(url: str, users: int, seconds: float, llm_users: int = 0, questions: list[str] = QUESTIONS) -> dict:
    """`users` clients ask in a loop until `seconds` pass; the first `llm_users` of them answer with the app's backend
    (a language model, if one is configured), the others ask for quotes only. Latency is reported per group."""
    from gradio_client import Client

    latencies: dict[str, list[float]] = {"quotes": [], "llm": []}
    errors: list[str] = []
    fallbacks: list[str] = []  # language-model answers shown as quotes (the model failed or its queue timed out)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def user(n: int) -> None:
        client = Client(url, verbose=False)
        group = "llm" if n < llm_users else "quotes"
        i = n
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                answer = client.predict(questions[i % len(questions)], group == "quotes", api_name="/ask")
                ok = isinstance(answer, dict) and "answer" in answer
                if ok and group == "llm" and "report passages instead" in (answer.get("notice") or ""):
                    with lock:
                        fallbacks.append(answer["notice"])
            except Exception as exc:  # a failed request is counted, not fatal
                ok, answer = False, f"{exc.__class__.__name__}: {exc}"
            with lock:
                if ok:
                    latencies[group].append(time.perf_counter() - started)
                else:
                    errors.append(str(answer)[:200])
            i += users

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = latencies["quotes"] + latencies["llm"]
    return {"users": users, "llm_users": llm_users, "seconds": seconds, "requests": len(everything) + len(errors),
            "errors": len(errors), **{k: v for k, v in _summary(everything).items() if k != "answers"},
            "quotes": _summary(latencies["quotes"]), "llm": {**_summary(latencies["llm"]), "fell_back": len(fallbacks)},
            "peak_rss_mb": _rss_mb(), "first_errors": errors[:3]}


def run_soak(url: str, users: int, seconds: float, sample_every: float = 60.0) -> dict:
    """`users` clients asking for `seconds`, the app's resident memory sampled after every `sample_every` seconds of
    load; growth is from the first sample (after the first stretch, once caches are warm) to the last."""
    samples, requests, errors, latencies = [], 0, 0, {"p50_ms": [], "p95_ms": []}
    started = time.perf_counter()
    while (left := seconds - (time.perf_counter() - started)) > 0.5:
        part = run_load(url, users, min(sample_every, left))
        requests, errors = requests + part["requests"], errors + part["errors"]
        for key in latencies:
            if part[key] is not None:
                latencies[key].append(part[key])
        samples.append({"at_s": round(time.perf_counter() - started), "rss_mb": _rss_mb("VmRSS"),
                        "requests": part["requests"], "errors": part["errors"]})
    first, last = samples[0]["rss_mb"], samples[-1]["rss_mb"]
    return {"users": users, "seconds": seconds, "requests": requests, "errors": errors,
            "p50_ms": statistics.median(latencies["p50_ms"]) if latencies["p50_ms"] else None,
            "p95_ms": max(latencies["p95_ms"]) if latencies["p95_ms"] else None,
            "samples": samples, "growth_pct": round(100 * (last - first) / first, 1) if first else None}


def main() -> None:
    from sendqa.app import open_qa
    from sendqa.settings import load_settings
    from ui.app import launch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--llm-users", type=int, default=0, help="users answered by the configured backend")
    parser.add_argument("--soak-users", type=int, default=0, help="then a soak with this many users")
    parser.add_argument("--soak-seconds", type=float, default=600)
    parser.add_argument("--sample-seconds", type=float, default=60, help="memory sampled this often in the soak")
    args = parser.parse_args()
    qa = open_qa(load_settings())
    demo = launch(qa, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    if qa.backend.can_invent and args.llm_users:
        qa.ask(QUESTIONS[0])  # the model is loaded (as the app starts it) before the clock starts
    try:
        result = {"burst": run_load(demo.local_url, args.users, args.seconds, args.llm_users)}
        if args.soak_users:
            result["soak"] = run_soak(demo.local_url, args.soak_users, args.soak_seconds, args.sample_seconds)
        print(json.dumps(result, indent=1))
    finally:
        demo.close()


if __name__ == "__main__":
    main()
