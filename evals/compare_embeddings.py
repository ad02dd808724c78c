"""Compare embedding set-ups on retrieval: gold-document hit rate, cross-lingual retrieval, ingest and query speed.

    python -m evals.compare_embeddings [--models e5-small minilm use-multilingual] [--out evals/out/embeddings.json]

Each model gets its own temporary index of corpus/ plus ../shared/reports.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from evals.dataset import load_items
from evals.sources import eval_files


def _rank(doc_ids: list[str], gold: set[str]) -> int | None:
    for i, doc_id in enumerate(doc_ids[:10]):
        if doc_id in gold:
            return i + 1
    return None


def evaluate_model(model: str) -> dict:
    from ingest.pipeline import ingest_paths
    from rag.areas import find_areas
    from rag.index import CorpusIndex
    from rag.retrieve import Filters, HybridRetriever
    from sendqa.settings import load_settings

    home = Path(tempfile.mkdtemp(prefix=f"sendqa-emb-{model}-"))
    settings = load_settings({"home": home, "retrieval": {"embedding": model}})
    index = CorpusIndex(settings)
    report = ingest_paths(eval_files(), index, progress=False)
    retriever = HybridRetriever(index)
    areas = sorted({d.area for d in index.documents() if d.area})
    items = [i for i in load_items() if not i.should_abstain]
    rows = []
    for item in items:
        gold = {s.doc_id for s in item.gold_sources}
        named = find_areas(item.question, areas).in_corpus
        for mode in ("dense", "hybrid", "hybrid+area"):
            filters = Filters(areas=tuple(named)) if mode == "hybrid+area" and len(named) == 1 else Filters()
            t = time.perf_counter()
            if mode == "dense":
                hits = retriever._vectors.as_retriever(similarity_top_k=10).retrieve(item.question)
                doc_ids = list(dict.fromkeys(h.node.metadata.get("doc_id") for h in hits))
            else:
                doc_ids = list(dict.fromkeys(e.doc_id for e in retriever.retrieve(item.question, filters)))
            rows.append({"id": item.id, "kind": item.kind, "mode": mode, "rank": _rank(doc_ids, gold),
                         "ms": (time.perf_counter() - t) * 1000})
    summary: dict = {"model": model, "ingest_seconds": round(report.seconds, 1), "chunks": index.count_chunks(),
                     "documents": len(index.documents())}
    for mode in ("dense", "hybrid", "hybrid+area"):
        for subset in ("all", "crosslingual"):
            sel = [r for r in rows if r["mode"] == mode and (subset == "all" or r["kind"] == subset)]
            if not sel:
                continue
            summary[f"{mode}/{subset}"] = {
                "n": len(sel),
                "hit@1": round(sum(r["rank"] == 1 for r in sel) / len(sel), 3),
                "hit@5": round(sum(bool(r["rank"]) and r["rank"] <= 5 for r in sel) / len(sel), 3),
                "mrr@10": round(sum(1 / r["rank"] for r in sel if r["rank"]) / len(sel), 3),
                "query_ms_p50": round(sorted(r["ms"] for r in sel)[len(sel) // 2], 1),
            }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", nargs="+", default=["e5-small", "minilm", "use-multilingual"])
    parser.add_argument("--out", default="evals/out/embeddings.json")
    args = parser.parse_args()
    results = []
    for model in args.models:
        result = evaluate_model(model)
        print(json.dumps(result, indent=1), flush=True)
        results.append(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
