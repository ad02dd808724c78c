"""`sendqa bench`: one table of speed and memory on this machine, ours against the naive llama-index baseline.

Rows: ingest throughput against the raw encode-only time of the same chunks, unchanged re-ingest, retrieval
p50/p95, full answer p50/p95 per backend, the first answer in a new process, and peak memory.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _pct(values: list[float], p: float) -> float | None:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))], 1) if values else None


def _rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(own / 1024, 1)  # Linux reports KiB


def run_bench(settings, questions: int = 40, backends: tuple[str, ...] = ("extractive",), baseline: bool = True,
              out_dir: Path | None = None, progress: bool = False) -> dict:
    """Measure everything in a fresh data directory (the user's index is never touched)."""
    from evals.dataset import load_items
    from evals.harness import backend_settings
    from evals.sources import canonical_texts, eval_files
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from rag.qa import QA
    from sendqa.settings import load_settings

    home = Path(tempfile.mkdtemp(prefix="sendqa-bench-"))
    bench_settings = load_settings(settings.model_dump() | {"home": home})
    rows: dict[str, dict] = {}

    index = CorpusIndex(bench_settings)
    files = eval_files()
    started = time.perf_counter()
    report = ingest_paths(files, index, progress=progress)
    ingest_s = time.perf_counter() - started
    pages = sum(_pages(f) for f in files)
    texts = [node.text for node in index.all_nodes()]
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        index.embed_model.encode(texts[i:i + 32], False)
    encode_s = time.perf_counter() - started
    rows["ingest"] = {"documents": len(report.added), "pages": pages, "chunks": report.chunks_added,
                      "seconds": round(ingest_s, 1), "pages_per_s": round(pages / ingest_s, 1),
                      "chunks_per_s": round(report.chunks_added / ingest_s, 1), "encode_only_s": round(encode_s, 1),
                      "ingest_over_encode": round(ingest_s / encode_s, 2)}
    started = time.perf_counter()
    again = ingest_paths(files, index, progress=False)
    rows["reingest_unchanged"] = {"seconds": round(time.perf_counter() - started, 2), "unchanged": len(again.unchanged)}

    items = [i for i in load_items() if i.split == "dev" and not i.should_abstain][:questions]
    qa = QA(bench_settings, index=index)
    retrieval = _retrieval_ms(qa, items)
    rows["retrieval"] = {"p50_ms": _pct(retrieval, 0.5), "p95_ms": _pct(retrieval, 0.95), "n": len(retrieval)}
    for spec in backends:
        answering = QA(backend_settings(bench_settings, spec), index=index)
        times = [answering.ask(item.question).timings_ms["total"] for item in items]
        rows[f"answer: {spec}"] = {"p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95), "n": len(times)}
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "sendqa.cli", "ask", items[0].question, "--json"], capture_output=True,
                         text=True, env={**_env(), "SENDQA_HOME": str(home)}, timeout=600)
    rows["first answer in a new process"] = {"seconds": round(time.perf_counter() - started, 2),
                                             "ok": run.returncode == 0}
    rows["peak memory"] = {"rss_mb": _rss_mb()}

    if baseline:
        from evals.baseline import NaiveBaseline

        started = time.perf_counter()
        naive = NaiveBaseline(canonical_texts(), index.embed_model, home / "baseline")
        build_s = time.perf_counter() - started
        times = []
        for item in items:
            started = time.perf_counter()
            naive.ask(item.question)
            times.append((time.perf_counter() - started) * 1000)
        rows["baseline"] = {"build_s": round(build_s, 1), "p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95),
                            "ingest_over_ours": round(build_s / ingest_s, 2),
                            "answer_p50_ours_over_baseline": round(rows[f"answer: {backends[0]}"]["p50_ms"]
                                                                   / max(statistics.median(times), 0.001), 2)}
    result = {"meta": {"settings_fingerprint": bench_settings.fingerprint(), "embedding": bench_settings.retrieval.embedding,
                       "questions": len(items), "home": str(home)}, "rows": rows}
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "bench.json").write_text(json.dumps(result, indent=1))
        (out_dir / "bench.md").write_text(markdown(result))
    return result


def run_scale(settings, scale: int, questions: int = 20, out_dir: Path | None = None, progress: bool = False) -> dict:
    """Grow a fresh index to 10x, 100x ... `scale` x the eval corpus; at each size time ingest and retrieval, read
    memory, and score key-fact recall on the original (gate) questions."""
    from evals.dataset import load_items
    from evals.harness import run_items, summarise
    from evals.scale import replicate
    from evals.sources import canonical_texts, eval_files
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from rag.qa import QA
    from sendqa.settings import load_settings

    home = Path(tempfile.mkdtemp(prefix="sendqa-scale-"))
    bench_settings = load_settings(settings.model_dump() | {"home": home})
    index = CorpusIndex(bench_settings)
    started = time.perf_counter()
    ingest_paths(eval_files(), index, progress=progress)
    first_s = time.perf_counter() - started
    records = {r.doc_id: r.model_dump() for r in index.documents()}
    texts = canonical_texts()
    base_docs = len(records)
    gate = [i for i in load_items() if i.gate]
    timed = [i for i in load_items() if i.split == "dev" and not i.should_abstain][:questions]
    sizes = sorted({1, *[s for s in (10, 100, 1000) if s < scale], scale})
    points, copies_done = [], 0
    for size in sizes:
        added_s, added_docs = first_s, base_docs
        if size > 1:
            folder = home / f"copies-{size}"
            made = replicate(texts, records, size - 1 - copies_done, folder, seed=size)
            started = time.perf_counter()
            report = ingest_paths([folder], index, progress=progress)
            added_s, added_docs = time.perf_counter() - started, made
            assert not report.skipped, report.skipped[:3]
            copies_done = size - 1
        qa = QA(bench_settings, index=index)
        retrieval = _retrieval_ms(qa, timed)
        outcomes = {d.doc_id: d.outcome for d in index.documents()}
        overall = summarise({"s": run_items(qa.ask, gate, index.document_text, outcomes.get, progress=False)})["s"]["overall"]
        points.append({"size": size, "documents": len(index.documents()), "chunks": index.count_chunks(),
                       "ingest_docs_per_s": round(added_docs / added_s, 2), "retrieval_p50_ms": _pct(retrieval, 0.5),
                       "retrieval_p95_ms": _pct(retrieval, 0.95), "answer_p50_ms": overall["latency_p50_ms"],
                       "rss_mb": _current_rss_mb(), "key_fact_recall": overall["key_fact_recall"],
                       "hit@1": overall["hit@1"]})
    result = {"meta": {"scale": scale, "home": str(home)}, "points": points}
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "scale.json").write_text(json.dumps(result, indent=1))
        _scale_chart(points, out_dir / "scale.png")
    return result


def _retrieval_ms(qa, items) -> list[float]:
    """Plan + retrieve time per question, after one warm-up answer (caches as a running app has them)."""
    from rag.plan import plan_question
    from rag.retrieve import gather

    qa.ask(items[0].question)
    times = []
    for item in items:
        plan = plan_question(item.question, qa.catalog, qa.settings)
        started = time.perf_counter()
        gather(plan, qa.retriever, qa.catalog.languages)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return _rss_mb()


def _scale_chart(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    docs = [p["documents"] for p in points]
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.2))
    for ax, key, title in zip(axes, ("ingest_docs_per_s", "retrieval_p50_ms", "rss_mb", "key_fact_recall"),
                              ("ingest (docs/s)", "retrieval p50 (ms)", "memory (MB RSS)", "key-fact recall (gate)")):
        ax.plot(docs, [p[key] for p in points], marker="o")
        ax.set_xscale("log")
        ax.set_title(title)
        ax.set_xlabel("documents")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def scale_markdown(result: dict) -> str:
    keys = list(result["points"][0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(p[k]) for k in keys) + " |" for p in result["points"]]
    return "\n".join(lines) + "\n"


def markdown(result: dict) -> str:
    lines = ["| measure | figures |", "|---|---|"]
    for name, figures in result["rows"].items():
        lines.append(f"| {name} | " + ", ".join(f"{k} {v}" for k, v in figures.items()) + " |")
    return "\n".join(lines) + "\n"


def _pages(path: Path) -> int:
    if path.suffix.lower() != ".pdf":
        return 1
    import fitz  # pymupdf

    with fitz.open(path) as pdf:
        return pdf.page_count


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("SENDQA_")} | {"HF_HUB_OFFLINE": "1"}
