"""`sendqa eval`: run eval items through the same path as `sendqa ask --json` and score them."""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from evals.dataset import STYLES, EvalItem, load_items
from evals.metrics import ItemScore, aggregate, reading, score_item
from evals.report import ROBUSTNESS_COLUMNS as ROBUSTNESS_METRICS
from sendqa.types import Answer

# Set from the gate subset's measured numbers (USE-multilingual, extractive: hit@1 0.974, hit@5 1.0, key-fact
# recall 0.816, citation validity 1.0, abstention 1.0, false refusals 0.0) minus a small margin.
GATE_THRESHOLDS = {
    "hit@1": (">=", 0.90),
    "hit@5": (">=", 0.95),
    "key_fact_recall": (">=", 0.75),
    "citation_validity": (">=", 0.98),
    "abstention": (">=", 0.80),
    "false_refusal": ("<=", 0.10),
    "critical_errors": ("<=", 0),
}


def run_items(ask: Callable[[str], Answer], items: list[EvalItem], doc_text, doc_outcome,
              progress: bool = True, label: str = "", session: Callable[[], object] | None = None) -> list[ItemScore]:
    """session: makes a conversation (rag.understand.conversation.Session) for follow-up items; without one (the baseline) the
    follow-up is asked on its own, as a stateless system would."""
    scores = []
    for item in tqdm(items, desc=f"Evaluating {label}".strip(), unit="q", disable=not progress):
        if item.turns and session is not None:
            conversation = session()
            for earlier in item.turns:
                conversation.ask(earlier)
            answer = conversation.ask(item.question)
        else:
            answer = ask(item.question)
        scores.append(score_item(item, answer.contract(), answer.retrieved_doc_ids, doc_text, doc_outcome))
    return scores


def summarise(scores_by_config: dict[str, list[ItemScore]]) -> dict:
    summary: dict = {}
    for config, scores in scores_by_config.items():
        kinds = sorted({s.kind for s in scores})
        summary[config] = {"overall": aggregate(scores), "by_kind": {k: aggregate([s for s in scores if s.kind == k]) for k in kinds}}
    return summary


def variant_config(name: str, split: str, style: str) -> str:
    """The summary key of one backend's robustness variants of one style: "extractive [test~typo]"."""
    return f"{name} [{split}~{style}]"


def group_scores(runs: dict[str, list[ItemScore]], items: list[EvalItem],
                 splits: tuple[str, ...]) -> dict[str, list[ItemScore]]:
    """Scores per configuration: "<backend> [<split>]" for the original items (as before), then, where robustness
    variants were run, "<backend> [<split>~<style>]" for each style."""
    split_of = {i.id: i.split for i in items}
    style_of = {i.id: i.style for i in items if i.style}
    scores: dict[str, list[ItemScore]] = {}
    for name, run in runs.items():
        for split in splits:
            own = [s for s in run if split_of[s.id] == split and s.id not in style_of]
            if own:
                scores[f"{name} [{split}]"] = own
        for split in splits:
            for style in STYLES:
                variants = [s for s in run if split_of[s.id] == split and style_of.get(s.id) == style]
                if variants:
                    scores[variant_config(name, split, style)] = variants
    return scores


def robustness_summary(summary: dict) -> dict:
    """Per backend and split: the original items' metrics, and each style's with its change from them."""
    out: dict = {}
    for config, parts in summary.items():
        name, _, split = config.rpartition(" [")
        split = split.rstrip("]")
        if "~" in split or not any(variant_config(name, split, style) in summary for style in STYLES):
            continue
        original = {m: parts["overall"].get(m) for m in ROBUSTNESS_METRICS}
        rows = {"original": original}
        for style in STYLES:
            variant = summary.get(variant_config(name, split, style))
            if variant is None:
                continue
            metrics = {m: variant["overall"].get(m) for m in ROBUSTNESS_METRICS}
            metrics["delta"] = {m: _delta(metrics[m], original[m]) for m in ROBUSTNESS_METRICS if m != "n"}
            rows[style] = metrics
        out[config] = rows
    return out


def _delta(value, base):
    if value is None or base is None:
        return None
    return round(value - base, 3) if isinstance(value, float) or isinstance(base, float) else value - base


def gate_failures(overall: dict, thresholds: dict = GATE_THRESHOLDS) -> list[str]:
    """The gate metrics that miss their threshold, as readable lines (empty when the gate passes)."""
    failures = []
    for metric, (op, limit) in thresholds.items():
        value = overall.get(metric)
        ok = value is not None and (value >= limit if op == ">=" else value <= limit)
        if not ok:
            failures.append(f"{metric} = {value} (needs {op} {limit})")
    return failures


def sampled(items: list[EvalItem], per_split: int) -> list[EvalItem]:
    """`per_split` original items of each split, evenly spaced through the item files (every kind of question and
    every file is reached, with no choice made by looking at answers), each with its rewordings if any were loaded."""
    chosen: set[str] = set()
    for split in dict.fromkeys(i.split for i in items):
        originals = [i for i in items if i.split == split and not i.style]
        step = max(1.0, len(originals) / per_split)
        chosen |= {originals[int(k * step)].id for k in range(min(per_split, len(originals)))}
    return [i for i in items if (i.variant_of or i.id) in chosen]


def available_items(items: list[EvalItem], known_doc_ids: set[str]) -> tuple[list[EvalItem], int]:
    """Items whose gold documents are all indexed (the shared reports may be absent)."""
    usable = [i for i in items if all(s.doc_id in known_doc_ids for s in i.gold_sources)]
    return usable, len(items) - len(usable)


def write_report(summary: dict, scores_by_config: dict[str, list[ItemScore]], meta: dict, out_dir: Path,
                 robustness: dict | None = None) -> Path:
    """robustness: robustness_summary(summary), written as its own JSON field and Markdown section when given."""
    from evals.report import write_chart, write_markdown

    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    payload = {"meta": meta | {"created": stamp}, "summary": summary,
               "items": {c: [s.as_dict() for s in scores] for c, scores in scores_by_config.items()}}
    if robustness is not None:
        payload["robustness"] = robustness
    (out_dir / "eval.json").write_text(json.dumps(payload, indent=1))
    # The chart keeps one bar group per configuration of the original items; the variants are in the tables.
    chart = write_chart({c: v for c, v in summary.items() if "~" not in c}, out_dir / "eval.png")
    write_markdown(summary, meta, chart.name, out_dir / "eval.md", robustness=robustness)
    return out_dir / "eval.md"


def backend_settings(settings, spec: str):
    """Settings for a backend spec: "extractive", "local", "local:free", "openai:rewrite", ..."""
    from sendqa.settings import load_settings

    backend, _, mode = spec.partition(":")
    answer = settings.answer.model_dump() | {"backend": backend}
    if mode:
        answer["llm"] = answer["llm"] | {"mode": mode}
    return load_settings(settings.model_dump() | {"answer": answer})


def baseline_model(settings):
    """The same LLM our backend uses, as a plain llama-index LLM for the naive baseline's CitationQueryEngine."""
    from rag.backends import get_backend

    backend = get_backend(settings.answer.backend, settings)
    return backend.client()


def gold_reading_ease(items: list[EvalItem]) -> dict[str, float | None]:
    """Per split, the median reading ease of the report passages items' key facts come from, measured as answers
    are: an answer quoting them verbatim reads about this hard, whatever is chosen around them."""
    by_split: dict[str, list[float]] = {}
    for item in items:
        quotes = [g.quote for g in item.gold_sources if g.quote]
        if quotes and not item.style and not item.should_abstain:
            by_split.setdefault(item.split, []).append(reading(quotes)[0])
    return {split: round(statistics.median(values), 1) for split, values in sorted(by_split.items())}


def run_eval(settings, subset: str = "all", baseline: bool = True, progress: bool = True,
             out_dir: Path | None = None, backends: tuple[str, ...] = ("extractive",),
             splits: tuple[str, ...] = ("dev", "test"), baseline_llm: str | None = None,
             robustness: bool = False, sample: int = 0) -> tuple[dict, dict]:
    """Index the eval documents into their own home, run each backend (and the baseline), write the report.

    Scores are kept per split: tune on dev, only ever report test. With robustness, the reworded variants of the
    selected splits' items (evals/items_robustness/, test only) are run too and reported per style beside them.
    """
    from evals.baseline import NaiveBaseline
    from evals.sources import canonical_texts, eval_files
    from ingest.pipeline import ingest_paths
    from rag.index import CorpusIndex
    from rag.qa import QA
    from rag.understand.conversation import Session
    from sendqa.settings import load_settings

    eval_settings = load_settings(settings.model_dump() | {"home": settings.home_dir / "eval"})
    index = CorpusIndex(eval_settings)
    t = time.perf_counter()
    report = ingest_paths(eval_files(), index, progress=progress)
    ingest_s = time.perf_counter() - t
    items = [i for i in load_items(robustness=robustness) if i.split in splits]
    if subset == "gate":
        items = [i for i in items if i.gate]
    if sample:
        items = sampled(items, sample)
    index.load_statistics()
    known = {d.doc_id for d in index.documents()} | {f"stat:{t}" for t in index.statistics.sources}
    usable, _ = available_items(items, known)
    missing = sum(not i.style for i in items) - sum(not i.style for i in usable)  # original items skipped
    missing_variants = sum(bool(i.style) for i in items) - sum(bool(i.style) for i in usable)
    items = usable
    outcomes = {d.doc_id: d.outcome for d in index.documents()}
    runs: dict[str, list[ItemScore]] = {}
    for spec in backends:
        qa = QA(backend_settings(eval_settings, spec), index=index)
        runs[spec] = run_items(qa.ask, items, index.document_text, outcomes.get, progress, spec,
                               session=lambda qa=qa: Session(qa))
    if baseline:
        llm = baseline_model(backend_settings(eval_settings, baseline_llm)) if baseline_llm else None
        naive = NaiveBaseline(canonical_texts(), index.embed_model, eval_settings.index_dir() / "baseline", llm=llm)
        name = f"baseline+{baseline_llm}" if baseline_llm else "baseline"
        runs[name] = run_items(naive.ask, items, index.document_text, outcomes.get, progress, name)
    scores = group_scores(runs, items, splits)
    summary = summarise(scores)
    variants = sum(bool(i.style) for i in items)
    meta = {"settings_fingerprint": eval_settings.fingerprint(), "embedding": eval_settings.retrieval.embedding,
            "backends": list(backends), "local_model": eval_settings.answer.local.model,
            "subset": subset, "sample_per_split": sample, "splits": list(splits), "items": len(items) - variants,
            "items_missing_documents": missing, "documents": len(index.documents()),
            "ingest": report.summary(), "ingest_seconds": round(ingest_s, 1),
            "gold_passages_reading_ease_p50": gold_reading_ease(items)}
    robust = None
    if robustness:
        robust = robustness_summary(summary)
        meta |= {"robustness": True, "robustness_items": variants, "robustness_styles": list(STYLES),
                 "robustness_items_missing_documents": missing_variants}
    path = write_report(summary, scores, meta, out_dir or Path("evals/out"), robustness=robust)
    info = {"meta": meta, "report": str(path)}
    if robust is not None:
        info["robustness"] = robust
    return summary, info
