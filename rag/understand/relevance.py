"""How likely an evidence sentence is to answer the question: one calibrated probability per sentence.

A logistic regression over the features build_context computes (dense similarity, word overlap, the hand-weighted
score, section, speaker, retrieval rank, language, area), trained on dev items only: a sentence holding a gold quote
is relevant, every other sentence gathered for the question is not. Its threshold is chosen on held-back dev items
so that at most TARGET_FALSE_REFUSAL of answerable questions are left with no relevant sentence. The fitted numbers
live in relevance.json beside this file; `python -m rag.understand.relevance` refits them from a full index
(SENDQA_HOME holding corpus/ and ../shared/reports) and prints precision and recall on the held-back pairs
(`--off-topic-only` recalibrates only the level that confirms the router's off-topic readings).
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("relevance.json")
FEATURES = ("semantic", "lexical", "score", "fragment", "furniture", "admin", "speaker_asked", "sections",
            "retrieved", "figure", "english", "named_area", "no_area")
TARGET_FALSE_REFUSAL = 0.05
OFF_TOPIC_DECLINED = 0.95
HELD_BACK_EVERY = 3  # dev items whose id hashes to 0 mod 3 are held back to choose the threshold and report


@dataclass(frozen=True)
class RelevanceModel:
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float  # a sentence at or above it may answer; a question with none is not answered from documents
    # A question the router reads as off topic is refused unless some sentence reaches this: the level below which
    # OFF_TOPIC_DECLINED of the router's labelled out-of-scope examples fall (their best evidence sentence).
    off_topic: float = 0.0

    def probability(self, features: tuple[float, ...]) -> float:
        z = self.intercept + sum(c * f for c, f in zip(self.coefficients, features))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def default_relevance() -> RelevanceModel:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{MODEL_FILE.name} was fitted on other features: run python -m rag.understand.relevance")
    return RelevanceModel(tuple(data["coefficients"]), float(data["intercept"]), float(data["threshold"]),
                          float(data.get("off_topic", data["threshold"])))


def best_relevance(qa, question: str) -> float | None:
    """The highest relevance of any sentence gathered for a question answered from documents (None otherwise)."""
    from dataclasses import replace

    from rag.evidence import build_context
    from rag.plan import plan_question
    from rag.retrieve import gather

    plan = plan_question(question, qa.catalog, qa.settings)
    if (plan.refuse and plan.refuse != "off-topic") or plan.mode != "answer":
        return None
    plan.refuse, plan.check = None, replace(plan.check, refuse=None)
    evidence = gather(plan, qa.retriever, qa.catalog.languages, qa.settings.retrieval.area_mode)
    context = build_context(plan.query, plan.check, plan.areas, evidence, qa.index, qa.glossary_phrases())
    return max(context.relevance.values(), default=0.0)


def fit_off_topic(qa) -> tuple[float, dict]:
    """The off-topic level from the router's out-of-scope examples, and how dev's answerable questions fare at it."""
    from evals.dataset import load_items
    from rag.understand.router import load_examples

    off = sorted(b for e in load_examples() if e.intent == "out_of_scope"
                 if (b := best_relevance(qa, e.text)) is not None)
    level = off[min(len(off) - 1, int(OFF_TOPIC_DECLINED * len(off)))]
    dev = [b for i in load_items() if i.split == "dev" and not i.should_abstain and not i.turns
           if (b := best_relevance(qa, i.question)) is not None]
    return level, {"off_topic": level, "out_of_scope_examples": len(off),
                   "answerable_dev_below": round(sum(b < level for b in dev) / max(1, len(dev)), 3)}


def held_back(item_id: str) -> bool:
    return zlib.crc32(item_id.encode()) % HELD_BACK_EVERY == 0


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def gather_pairs(qa, items) -> list[tuple[str, tuple[float, ...], int]]:
    """(item id, features, relevant?) for every sentence gathered for each answerable dev item with gold quotes."""
    from rag.evidence import build_context
    from rag.plan import plan_question
    from rag.retrieve import gather

    pairs = []
    for item in items:
        plan = plan_question(item.question, qa.catalog, qa.settings)
        if plan.refuse or plan.mode != "answer":
            continue  # refused, compared or briefed before any sentence is scored
        quotes = [_normal(g.quote) for g in item.gold_sources]
        evidence = gather(plan, qa.retriever, qa.catalog.languages, qa.settings.retrieval.area_mode)
        context = build_context(plan.query, plan.check, plan.areas, evidence, qa.index, qa.glossary_phrases())
        for sid, sentence in context.sentences.items():
            text = _normal(sentence.text)
            relevant = any(q in text or (len(text) > 30 and text in q) for q in quotes)
            pairs.append((item.id, context.features[sid], int(relevant)))
    return pairs


def fit(pairs) -> tuple[dict, dict]:
    """(the model file's contents, held-back figures)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    train = [(f, y) for i, f, y in pairs if not held_back(i)]
    model = LogisticRegression(C=1.0, max_iter=2000)  # unweighted, so its probabilities keep the base rate
    model.fit(np.array([f for f, _ in train]), np.array([y for _, y in train]))
    fitted = RelevanceModel(tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]), 0.5)
    by_item: dict[str, list[tuple[float, int]]] = {}
    for i, f, y in pairs:
        if held_back(i):
            by_item.setdefault(i, []).append((fitted.probability(f), y))
    answerable = [scored for scored in by_item.values() if any(y for _, y in scored)]
    # The highest threshold that leaves at most TARGET_FALSE_REFUSAL of answerable held-back questions with nothing.
    best = sorted(max(p for p, _ in scored) for scored in answerable)
    threshold = best[int(math.floor(TARGET_FALSE_REFUSAL * len(best)))] if best else 0.5
    held = [(p, y) for scored in by_item.values() for p, y in scored]
    kept = [y for p, y in held if p >= threshold]
    positives = sum(y for _, y in held)
    figures = {"held_back_items": len(by_item), "held_back_pairs": len(held), "positives": positives,
               "threshold": round(threshold, 4),
               "precision": round(sum(kept) / len(kept), 3) if kept else 0.0,
               "recall": round(sum(kept) / positives, 3) if positives else 0.0,
               "false_refusal": round(sum(b < threshold for b in best) / len(best), 3) if best else 0.0}
    data = {"features": list(FEATURES), "coefficients": list(fitted.coefficients), "intercept": fitted.intercept,
            "threshold": threshold, "held_back": figures}
    return data, figures


def main() -> None:
    from evals.dataset import load_items
    from rag.qa import QA
    from sendqa.settings import load_settings

    import sys

    qa = QA(load_settings())
    if "--off-topic-only" in sys.argv:  # keep the fitted model, recalibrate only the off-topic level
        data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        figures = {}
    else:
        items = [i for i in load_items() if i.split == "dev" and not i.should_abstain and i.gold_sources
                 and i.kind != "followup"]  # a follow-up needs its earlier turns
        data, figures = fit(gather_pairs(qa, items))
        MODEL_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        default_relevance.cache_clear()
    data["off_topic"], off_figures = fit_off_topic(qa)
    MODEL_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    default_relevance.cache_clear()
    print(json.dumps(figures | off_figures))


if __name__ == "__main__":
    main()
