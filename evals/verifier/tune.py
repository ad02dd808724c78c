"""Tune the verifier on the labelled pairs' tune split and report it on the holdout split.

    python -m evals.verifier.tune            # prints the chosen thresholds and precision/recall of "unsupported"

Pairs are (claim, cited passages, label) from evals/verifier/pairs.jsonl; passages are exact quotes of the eval
documents, which are parsed (not embedded) to know each passage's area, kind, language and report outcome.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from rag.sentences import Sentence
from rag.verify import Thresholds, decide, features
from sendqa.types import Evidence

PAIRS = Path(__file__).with_name("pairs.jsonl")


@dataclass
class Pair:
    id: str
    claim: str
    passages: list[Sentence]
    unsupported: bool
    perturbation: str
    split: str


def load_pairs() -> tuple[list[Pair], dict[str, str | None]]:
    from evals.sources import eval_files
    from ingest.prepare import file_sha256, prepare

    records, texts = {}, {}
    for path in eval_files():
        document, record = prepare(path, sha256=file_sha256(path))
        records[record.doc_id], texts[record.doc_id] = record, document.text
    pairs = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        doc_ids = raw.get("doc_ids") or [raw["doc_id"]] * len(raw["passages"])
        if any(d not in records for d in doc_ids):
            continue  # a report from ../shared that is absent here
        passages = []
        for doc_id, quote in zip(doc_ids, raw["passages"]):
            record, start = records[doc_id], texts[doc_id].index(quote)
            ev = Evidence(chunk_id=f"{doc_id}::pair", doc_id=doc_id, text=quote, start=start, end=start + len(quote),
                          page=None, section=None, score=0.0, source=record.source, title=record.title,
                          area=record.area, kind=record.kind, speaker=record.speaker, language=record.language)
            passages.append(Sentence(quote, start, start + len(quote), ev, 0))
        pairs.append(Pair(raw["id"], raw["claim"], passages, raw["label"] == "unsupported", raw["perturbation"],
                          raw["split"]))
    return pairs, {d: r.outcome for d, r in records.items()}


def scores(predicted: list[bool], actual: list[bool]) -> dict:
    tp = sum(p and a for p, a in zip(predicted, actual))
    fp = sum(p and not a for p, a in zip(predicted, actual))
    fn = sum(a and not p for p, a in zip(predicted, actual))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "n": len(actual)}


def main() -> int:
    from rag.embeddings import get_embedding
    from sendqa.settings import load_settings

    settings = load_settings()
    pairs, outcomes = load_pairs()
    encode = get_embedding(settings.retrieval.embedding).encode
    rows = []
    for pair in pairs:
        vectors = encode([pair.claim] + [p.text for p in pair.passages], False)
        similarity = float((vectors[1:] @ vectors[0]).max())
        rows.append((pair, features(pair.claim, pair.passages, outcomes.get), similarity))
    tune = [r for r in rows if r[0].split == "tune"]
    holdout = [r for r in rows if r[0].split == "holdout"]

    def evaluate(subset, thresholds: Thresholds) -> dict:
        predicted = [not decide(f, sim, thresholds).supported for _, f, sim in subset]
        return scores(predicted, [p.unsupported for p, _, _ in subset])

    grid = [Thresholds(s / 100, c / 100, neg) for s in range(0, 90, 2) for c in range(0, 100, 5) for neg in (True, False)]
    # Best F1 on the tune split; ties go to higher precision (a dropped true sentence costs less than a shown false one
    # only up to a point: dropped rewrites fall back to their quotes).
    best = max(grid, key=lambda t: (evaluate(tune, t)["f1"], evaluate(tune, t)["precision"]))
    current = load_settings().answer.verify
    configured = Thresholds(current.min_similarity, current.min_coverage, current.check_negation)
    report = {"pairs": len(rows), "best_on_tune": best.__dict__, "tune": evaluate(tune, best),
              "holdout": evaluate(holdout, best), "configured": configured.__dict__,
              "configured_holdout": evaluate(holdout, configured), "holdout_recall_by_perturbation": {}}
    for kind in sorted({p.perturbation for p, _, _ in holdout if p.unsupported}):
        subset = [r for r in holdout if r[0].perturbation == kind]
        report["holdout_recall_by_perturbation"][kind] = evaluate(subset, configured)["recall"]
    wrongly_rejected = [r for r in holdout if not r[0].unsupported and not decide(r[1], r[2], configured).supported]
    report["holdout_false_rejections_by_perturbation"] = {
        k: sum(r[0].perturbation == k for r in wrongly_rejected) for k in sorted({r[0].perturbation for r in wrongly_rejected})}
    print(json.dumps(report, indent=1))
    if "--explain" in sys.argv:
        for pair, f, sim in tune:
            verdict = decide(f, sim, configured)
            if verdict.supported == pair.unsupported:
                print(pair.id, pair.perturbation, "| claim:", pair.claim, "| reasons:", verdict.reasons, "| sim", round(sim, 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
