"""`sendqa bench`: one table of speed and memory on this machine, ours against the naive llama-index baseline.

Rows: ingest throughput against the raw encode-only time of the same chunks, unchanged re-ingest, retrieval
p50/p95, full answer p50/p95 per backend, the first answer in a new process, and peak memory.
"""

from __future__ import annotations

import json
import os
import resource
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
    index.embed_model.encode(texts)
    encode_s = time.perf_counter() - started
    rows["ingest"] = {"documents": len(report.added), "pages": pages, "chunks": report.chunks_added,
                      "seconds": round(ingest_s, 1), "pages_per_s": round(pages / ingest_s, 1),
                      "chunks_per_s": round(report.chunks_added / ingest_s, 1), "encode_only_s": round(encode_s, 1),
                      "ingest_over_encode": round(ingest_s / encode_s, 2)}
    started = time.perf_counter()
    again = ingest_paths(files, index, progress=False)
    rows["reingest_unchanged"] = {"seconds": round(time.perf_counter() - started, 2), "unchanged": len(again.unchanged)}
    if (fetched := _fetch_row(settings)) is not None:
        rows["fetch --all (loopback mirror)"] = fetched

    items = [i for i in load_items() if i.split == "dev" and not i.should_abstain][:questions]
    qa = QA(bench_settings, index=index)
    retrieval = _retrieval_ms(qa, items)
    rows["retrieval"] = {"p50_ms": _pct(retrieval, 0.5), "p95_ms": _pct(retrieval, 0.95), "n": len(retrieval)}
    routing = _router_ms(qa, items, qa.catalog.intent_router(qa.settings).route)
    rows["intent router"] = {"p50_ms": _pct(routing, 0.5), "p95_ms": _pct(routing, 0.95), "n": len(routing)}
    reading = _router_ms(qa, items, qa.catalog.slot_reader(qa.settings).read)
    rows["slot reader"] = {"p50_ms": _pct(reading, 0.5), "p95_ms": _pct(reading, 0.95), "n": len(reading)}
    for spec in backends:
        answering = QA(backend_settings(bench_settings, spec), index=index)
        timings = [answering.ask(item.question).timings_ms for item in items]
        times = [t["total"] for t in timings]
        # the first shown sentence (the lead, or the first verified rewrite): what a reader waits for
        firsts = [t.get("first_sentence", t["total"]) for t in timings]
        rows[f"answer: {spec}"] = {"p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95),
                                   "first_sentence_p50_ms": _pct(firsts, 0.5),
                                   "first_sentence_p95_ms": _pct(firsts, 0.95), "n": len(times)}
    # after the answers, whose timings must not gain from the caches it warms
    scoring = _relevance_ms(qa, items)
    rows["relevance model"] = {"p50_ms": _pct(scoring, 0.5), "p95_ms": _pct(scoring, 0.95), "n": len(scoring)}
    rows["first answer in a new process"] = new_process_answer(home, items[0].question)
    rows["peak memory"] = {"rss_mb": _rss_mb(), "new_process_rss_mb": rows["first answer in a new process"]["rss_mb"]}

    if baseline:
        canonical_texts.cache_clear()
        started = time.perf_counter()
        texts_by_doc = canonical_texts()  # the baseline needs the documents' text too: its parse time counts
        rows["baseline"] = _baseline_rows(texts_by_doc, index.embed_model, home / "baseline", items,
                                          parse_s=time.perf_counter() - started)
    result = {"meta": {"settings_fingerprint": bench_settings.fingerprint(), "embedding": bench_settings.retrieval.embedding,
                       "questions": len(items), "home": str(home), "cpus": os.cpu_count()},
              "rows": rows, "comparison": _comparison(rows, backends[0]) if baseline else []}
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "bench.json").write_text(json.dumps(result, indent=1))
        (out_dir / "bench.md").write_text(markdown(result))
    return result


def new_process_answer(home: Path, question: str, chroma_url: str | None = None) -> dict:
    """`sendqa ask --json` in a fresh process: wall time and that process's peak memory."""
    env = {**_env(), "SENDQA_HOME": str(home)} | ({"SENDQA_CHROMA_URL": chroma_url} if chroma_url else {})
    return _child([sys.executable, "-m", "sendqa.cli", "ask", question, "--json"], env)


# Runs a module as `python -m` would and reports the process's own peak memory on the way out. VmHWM belongs to
# the new program's address space; getrusage's ru_maxrss would also count the forked copy of this (large) process.
_PEAK_WRAPPER = """
import atexit, runpy, sys
def _peak():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            sys.stderr.write('\\nPEAK_RSS_KB ' + line.split()[1] + '\\n')
atexit.register(_peak)
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)
"""


def _child(command: list[str], env: dict) -> dict:
    """Run `python -m MODULE ARGS` (command[1:] = ["-m", MODULE, *ARGS]): wall time, peak memory, success."""
    started = time.perf_counter()
    run = subprocess.run([command[0], "-c", _PEAK_WRAPPER, *command[2:]], capture_output=True, text=True, env=env,
                         timeout=600)
    seconds = time.perf_counter() - started
    peak = [line.split()[1] for line in run.stderr.splitlines() if line.startswith("PEAK_RSS_KB ")]
    return {"seconds": round(seconds, 2), "rss_mb": round(int(peak[-1]) / 1024, 1) if peak else None,
            "ok": run.returncode == 0, **({"error": run.stderr[-500:]} if run.returncode else {})}


def _baseline_rows(texts: dict, embed_model, persist_dir: Path, items, parse_s: float) -> dict:
    """The naive llama-index pipeline on the same documents and model: build, retrieval, answer, new process."""
    from evals.baseline import NaiveBaseline

    started = time.perf_counter()
    naive = NaiveBaseline(texts, embed_model, persist_dir)
    build_s = time.perf_counter() - started + parse_s
    retriever = naive.engine.retriever
    retriever.retrieve(items[0].question)
    retrieval, answers = [], []
    for item in items:
        started = time.perf_counter()
        retriever.retrieve(item.question)
        retrieval.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        naive.ask(item.question)
        answers.append((time.perf_counter() - started) * 1000)
    child = _child([sys.executable, "-m", "evals.baseline", str(persist_dir), items[0].question], _env())
    return {"build_s": round(build_s, 1), "retrieval_p50_ms": _pct(retrieval, 0.5),
            "retrieval_p95_ms": _pct(retrieval, 0.95), "p50_ms": _pct(answers, 0.5), "p95_ms": _pct(answers, 0.95),
            "new_process_s": child["seconds"], "new_process_rss_mb": child["rss_mb"], "new_process_ok": child["ok"]}


def _comparison(rows: dict, backend: str) -> list[dict]:
    """Ours against the baseline, row by row (lower is better everywhere; ratio < 1 means we are faster)."""
    base = rows["baseline"]
    pairs = [
        ("ingest (s)", rows["ingest"]["seconds"], base["build_s"]),
        # The naive pipeline has no change detection: running it again rebuilds the index.
        ("re-ingest, nothing changed (s)", rows["reingest_unchanged"]["seconds"], base["build_s"]),
        ("retrieval p50 (ms)", rows["retrieval"]["p50_ms"], base["retrieval_p50_ms"]),
        ("retrieval p95 (ms)", rows["retrieval"]["p95_ms"], base["retrieval_p95_ms"]),
        (f"answer p50, {backend} (ms)", rows[f"answer: {backend}"]["p50_ms"], base["p50_ms"]),
        (f"answer p95, {backend} (ms)", rows[f"answer: {backend}"]["p95_ms"], base["p95_ms"]),
        ("first answer in a new process (s)", rows["first answer in a new process"]["seconds"], base["new_process_s"]),
        ("new process peak memory (MB)", rows["first answer in a new process"]["rss_mb"], base["new_process_rss_mb"]),
    ]
    return [{"measure": name, "ours": ours, "baseline": theirs,
             "ours_over_baseline": round(ours / theirs, 2) if ours is not None and theirs else None}
            for name, ours, theirs in pairs]


def run_scale(settings, scale: int, questions: int = 20, out_dir: Path | None = None, progress: bool = False,
              server: bool = True) -> dict:
    """Grow a fresh index to 10x, 100x ... `scale` x the eval corpus; at each size time ingest and retrieval (also
    through a real `chroma run` server on the same data when `server`), a new process's first answer and memory,
    and score key-fact recall on the original (gate) questions."""
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
        added_s, added_docs, added_chunks = first_s, base_docs, index.count_chunks()
        if size > 1:
            folder = home / f"copies-{size}"
            made = replicate(texts, records, size - 1 - copies_done, folder, seed=size, first=copies_done + 1)
            started = time.perf_counter()
            report = ingest_paths([folder], index, progress=progress)
            added_s, added_docs, added_chunks = time.perf_counter() - started, made, report.chunks_added
            assert not report.skipped and len(report.added) == made, (report.skipped[:3], len(report.added), made)
            copies_done = size - 1
        qa = QA(bench_settings, index=index)
        retrieval = _retrieval_ms(qa, timed)
        outcomes = {d.doc_id: d.outcome for d in index.documents()}
        overall = summarise({"s": run_items(qa.ask, gate, index.document_text, outcomes.get, progress=False)})["s"]["overall"]
        fresh = new_process_answer(home, timed[0].question)
        point = {"size": size, "documents": len(index.documents()), "chunks": index.count_chunks(),
                 "ingest_docs_per_s": round(added_docs / added_s, 2),
                 "ingest_chunks_per_s": round(added_chunks / added_s, 1),
                 "retrieval_p50_ms": _pct(retrieval, 0.5), "retrieval_p95_ms": _pct(retrieval, 0.95),
                 "answer_p50_ms": overall["latency_p50_ms"], "new_process_s": fresh["seconds"],
                 "new_process_rss_mb": fresh["rss_mb"], "bench_rss_mb": _current_rss_mb(),
                 "key_fact_recall": overall["key_fact_recall"], "hit@1": overall["hit@1"]}
        if server:
            point |= _server_point(bench_settings, home, timed)
        points.append(point)
        print(json.dumps(point), file=sys.stderr, flush=True)  # a long run shows each size as it completes
    result = {"meta": {"scale": scale, "home": str(home)}, "points": points}
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "scale.json").write_text(json.dumps(result, indent=1))
        _scale_chart(points, out_dir / "scale.png")
    return result


def _server_point(bench_settings, home: Path, items) -> dict:
    """Retrieval through a Chroma server serving the same collection the embedded client wrote."""
    from rag.index import CorpusIndex
    from rag.qa import QA
    from sendqa.chroma_server import chroma_server
    from sendqa.settings import load_settings

    with chroma_server(home / "chroma") as url:
        served = load_settings(bench_settings.model_dump() | {"chroma_url": url})
        times = _retrieval_ms(QA(served, index=CorpusIndex(served)), items)
        fresh = new_process_answer(home, items[0].question, chroma_url=url)
    return {"server_retrieval_p50_ms": _pct(times, 0.5), "server_retrieval_p95_ms": _pct(times, 0.95),
            "server_new_process_s": fresh["seconds"]}


def _fetch_row(settings) -> dict | None:
    """`sendqa fetch --all` from a loopback mirror of the official links into a fresh home, against ingesting the
    same files from disk into another: what downloading and checking adds. None without ../shared/reports."""
    from evals.mirror import mirror_of
    from evals.sources import shared_reports_dir
    from ingest.fetch import ReportFetcher, report_links
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from sendqa.settings import load_settings

    reports = shared_reports_dir()
    if reports is None:
        return None
    mirror = mirror_of(reports, settings).start()
    try:
        fetch_home = Path(tempfile.mkdtemp(prefix="sendqa-bench-fetch-"))
        fetching = load_settings(settings.model_dump() | {"home": fetch_home, "fetch": {"pause_s": 0, "retries": 0}})
        fetcher = ReportFetcher(fetching, base_url=mirror.base_url)
        started = time.perf_counter()
        held = [link for link in report_links(fetching) if link.url.rsplit("/", 1)[1] in mirror.files]
        report = fetcher.fetch(held, resume=True, progress=False)
        fetch_s = time.perf_counter() - started
        disk_home = Path(tempfile.mkdtemp(prefix="sendqa-bench-disk-"))
        on_disk = load_settings(settings.model_dump() | {"home": disk_home})
        files = sorted((fetch_home / "reports").glob("*.pdf"))
        started = time.perf_counter()
        ingest_paths(files, CorpusIndex(on_disk), progress=False)
        ingest_s = time.perf_counter() - started
        repeat = fetcher.fetch(held, progress=False)
    finally:
        mirror.stop()
    return {"reports": len(report.of("fetched")), "failed": len(report.of("failed")), "seconds": round(fetch_s, 1),
            "ingest_same_files_s": round(ingest_s, 1), "overhead_pct": round(100 * (fetch_s - ingest_s) / ingest_s, 1),
            "repeat_fetched": len(repeat.of("fetched"))}


def _router_ms(qa, items, read) -> list[float]:
    """What reading a question adds (the intent router's or the slot reader's scoring), the question's embedding
    being computed once for retrieval anyway (it is cached here first, as the pipeline has it by then)."""
    from rag.understand.normalise import normalise_question

    times = []
    for item in items:
        query = normalise_question(item.question, qa.catalog.vocabulary)
        qa.index.embed_model.get_query_embedding(query)
        started = time.perf_counter()
        read(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _relevance_ms(qa, items) -> list[float]:
    """What the relevance model adds to a question: one probability for every evidence sentence gathered (the
    features are computed for the hand-weighted score anyway)."""
    from rag.evidence import build_context
    from rag.plan import plan_question
    from rag.retrieve import gather
    from rag.understand.relevance import default_relevance

    model = default_relevance()
    times = []
    for item in items:
        plan = plan_question(item.question, qa.catalog, qa.settings)
        evidence = gather(plan, qa.retriever, qa.catalog.languages)
        context = build_context(plan.query, plan.check, plan.areas, evidence, qa.index, qa.glossary_phrases())
        started = time.perf_counter()
        for features in context.features.values():
            model.probability(features)
        times.append((time.perf_counter() - started) * 1000)
    return times


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
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.4))
    panels = (("ingest (chunks/s)", ["ingest_chunks_per_s"]),
              ("retrieval p50 (ms)", ["retrieval_p50_ms", "server_retrieval_p50_ms"]),
              ("memory (MB)", ["new_process_rss_mb", "bench_rss_mb"]),
              ("key-fact recall (gate)", ["key_fact_recall"]))
    for ax, (title, keys) in zip(axes, panels):
        for key in keys:
            if all(key in p for p in points):
                ax.plot(docs, [p[key] for p in points], marker="o", label=key)
        if len(keys) > 1:
            ax.legend(fontsize=7)
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
    if result.get("comparison"):
        lines += ["", "| measure | sendqa | naive llama-index | sendqa / naive |", "|---|---|---|---|"]
        lines += [f"| {r['measure']} | {r['ours']} | {r['baseline']} | {r['ours_over_baseline']} |"
                  for r in result["comparison"]]
    return "\n".join(lines) + "\n"


def _pages(path: Path) -> int:
    if path.suffix.lower() != ".pdf":
        return 1
    import fitz  # pymupdf

    with fitz.open(path) as pdf:
        return pdf.page_count


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("SENDQA_")} | {"HF_HUB_OFFLINE": "1"}
