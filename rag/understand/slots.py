"""What a question's answer must hold, learned from labelled example questions (slot_examples.jsonl beside this file).

The router says what kind of answer is wanted; the slots say what it must contain or which table answers it: a
figure, a date, a person's name, what the council said, EHC plan timeliness, the next inspection, a ranking's
direction, one of the three outcome labels, what is being done about it (not what must be done), what the press (not the council) reported, how long
a wait or a process takes. A question can carry several slots or none.

One binary logistic regression per slot over the router's features (the question's sentence embedding, its TF-IDF
words and character n-grams, so "wen is the nxt ofsted" reads as "when is the next inspection"). Each slot's
threshold is the one that maximises F1 on out-of-fold predictions (5-fold cross-validation over the training part),
and precision and recall are reported on held-back examples the model never saw (`python -m rag.understand.slots`).
Adding a wording is adding a row to the examples file: the next process refits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import numpy as np

from rag.understand.router import HOLDOUT_EVERY, _Features, _read_cache, _Scorer, _write_cache, once_per_model

EXAMPLES = Path(__file__).with_name("slot_examples.jsonl")
SLOTS = ("figure", "when", "person", "called", "statements", "inspectors", "timeliness", "wsoa", "progress",
         "next_inspection", "outcome", "earlier", "lowest", "highest", "neighbours", "which_inspected", "method",
         "outcome_positive", "outcome_inconsistent", "outcome_failings", "action_taken", "press", "duration")
# The outcome labels a question can name, as the statistics and the document table spell them.
OUTCOME_SLOTS = {"outcome_positive": "positive", "outcome_inconsistent": "inconsistent",
                 "outcome_failings": "widespread and/or systemic failings"}
FOLDS = 5
_C = 8.0
_VERSION = "2"  # bump when the model or its features change, so cached fits are not reused

Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class SlotExample:
    text: str
    slots: frozenset[str]
    register: str = ""


@dataclass(frozen=True)
class AnswerSlots:
    """The slots one question carries, with each slot's probability."""

    present: frozenset[str] = frozenset()
    probabilities: dict[str, float] = field(default_factory=dict)

    def __contains__(self, slot: str) -> bool:
        return slot in self.present

    def lowest_first(self) -> bool:
        """A ranking's direction: lowest first unless highest is read, or read as the likelier of the two."""
        if ("lowest" in self) != ("highest" in self):
            return "lowest" in self
        return self.probabilities.get("lowest", 0.0) >= self.probabilities.get("highest", 0.0)

    def outcomes_named(self) -> list[str]:
        """The outcome labels the question names ("which areas had systemic failings?": the failings label), or
        ranks by ("which areas are best for SEND?": with no figure asked about, the one ranking every area has is its
        inspection outcome, so best is the positive label and worst the failings label)."""
        named = [label for slot, label in OUTCOME_SLOTS.items() if slot in self.present]
        if named or {"timeliness", "figure"} & self.present or not {"highest", "lowest"} & self.present:
            return named
        return [OUTCOME_SLOTS["outcome_failings" if self.lowest_first() else "outcome_positive"]]


def load_examples(path: Path = EXAMPLES) -> list[SlotExample]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = [SlotExample(r["text"], frozenset(r["slots"]), r.get("register", "")) for r in rows]
    unknown = sorted({s for e in examples for s in e.slots} - set(SLOTS))
    if unknown:
        raise ValueError(f"{path.name}: unknown slots {unknown}")
    return examples


def split_examples(examples: list[SlotExample]) -> tuple[list[SlotExample], list[SlotExample]]:
    """(train, held back): every HOLDOUT_EVERY-th example in file order is held back."""
    held = [e for i, e in enumerate(examples, 1) if i % HOLDOUT_EVERY == 0]
    return [e for i, e in enumerate(examples, 1) if i % HOLDOUT_EVERY], held


@dataclass
class SlotEvaluation:
    """Per slot on the held-back examples: (precision, recall, positives)."""

    scores: dict[str, tuple[float, float, int]]
    n: int

    def macro(self) -> tuple[float, float]:
        rows = [(p, r) for p, r, n in self.scores.values() if n]
        return float(np.mean([p for p, _ in rows])), float(np.mean([r for _, r in rows]))


@dataclass
class _FittedSlots:
    scorer: _Scorer
    thresholds: np.ndarray  # per slot, in scorer.classes order
    evaluation: SlotEvaluation


def _truth(examples: list[SlotExample]) -> np.ndarray:
    return np.array([[slot in e.slots for slot in SLOTS] for e in examples], dtype=bool)


def _fit(x, truth: np.ndarray):
    """One logistic regression per slot, stacked as a multi-class-shaped model (so _Scorer reads it as it reads the
    router): coef_ is slots x features."""
    from sklearn.linear_model import LogisticRegression

    coefs, intercepts = [], []
    for column in truth.T:
        if column.all() or not column.any():  # a slot with no positives (or no negatives) here is never (always) set
            coefs.append(np.zeros(x.shape[1]))
            intercepts.append(20.0 if column.all() else -20.0)
            continue
        # liblinear: a quarter of lbfgs's time on these small binary problems, with the same held-back scores
        model = LogisticRegression(C=_C, solver="liblinear", class_weight="balanced").fit(x, column)
        coefs.append(model.coef_[0])
        intercepts.append(float(model.intercept_[0]))
    return SimpleNamespace(coef_=np.array(coefs), intercept_=np.array(intercepts), classes_=list(SLOTS))


def _probabilities(model, x) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(x @ model.coef_.T + model.intercept_)))


F1_PLATEAU = 0.01  # cuts whose F1 is this close to the best are as good: the cut is the middle of them


def _best_thresholds(probs: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per slot, the probability cut in the middle of those with (near) the best F1 on these (out-of-fold)
    predictions; 0.5 where no positives. F1 is flat over a wide range of cuts: its single best moved from 0.62 to
    0.46 for "what is being done" when six examples were added, and "any outstanding concerns about speech therapy"
    (0.47) began to read as asking what is being done."""
    cuts = []
    for p, t in zip(probs.T, truth.T):
        if not t.any():
            cuts.append(0.5)
            continue
        candidates = np.unique(np.clip(p, 0.05, 0.95))
        f1 = np.array([2 * (t & (p >= c)).sum() / max(1, (p >= c).sum() + t.sum()) for c in candidates])
        cuts.append(float(np.median(candidates[f1 >= f1.max() - F1_PLATEAU])))
    return np.array(cuts)


def _fit_slots(examples: list[SlotExample], vectors: np.ndarray) -> _FittedSlots:
    """Thresholds from 5-fold cross-validation on the training part; precision and recall on the held-back part
    (with a scout fitted on the training part); the model in use fitted on all."""
    train, held = split_examples(examples)
    row = {id(e): i for i, e in enumerate(examples)}
    train_texts, held_texts = [e.text for e in train], [e.text for e in held]
    train_vecs, held_vecs = vectors[[row[id(e)] for e in train]], vectors[[row[id(e)] for e in held]]
    truth = _truth(train)
    out_of_fold = np.zeros(truth.shape)
    for fold in range(FOLDS):
        inside = np.array([i % FOLDS != fold for i in range(len(train))])
        texts_in = [t for t, keep in zip(train_texts, inside) if keep]
        features = _Features(texts_in)
        model = _fit(features(train_vecs[inside], texts_in), truth[inside])
        texts_out = [t for t, keep in zip(train_texts, inside) if not keep]
        out_of_fold[~inside] = _probabilities(model, features(train_vecs[~inside], texts_out))
    thresholds = _best_thresholds(out_of_fold, truth)
    scout_features = _Features(train_texts)
    scout = _fit(scout_features(train_vecs, train_texts), truth)
    held_probs = _probabilities(scout, scout_features(held_vecs, held_texts))
    held_truth = _truth(held)
    scores = {}
    for j, slot in enumerate(SLOTS):
        said, true = held_probs[:, j] >= thresholds[j], held_truth[:, j]
        precision = float((said & true).sum() / said.sum()) if said.any() else 0.0
        recall = float((said & true).sum() / true.sum()) if true.any() else 0.0
        scores[slot] = (precision, recall, int(true.sum()))
    texts = [e.text for e in examples]
    features = _Features(texts)
    model = _fit(features(vectors, texts), _truth(examples))
    return _FittedSlots(_Scorer.of(features, model), thresholds, SlotEvaluation(scores, len(held)))


class SlotReader:
    """Fitted once (then read from the models cache); `read(text)` costs a few small dot products."""

    def __init__(self, encode: Encoder, model_id: str, cache_dir: Path | None = None, examples: Path = EXAMPLES,
                 query: Callable[[str], list[float]] | None = None):
        from importlib.metadata import version

        self._encode, self._query = encode, query
        self.examples = load_examples(examples)
        stamp = f"{_VERSION}:{model_id}:{version('scikit-learn')}".encode()
        digest = hashlib.sha256(stamp + examples.read_bytes()).hexdigest()[:16]
        cache = cache_dir / f"slots-{model_id}-{digest}.pkl" if cache_dir else None
        fitted = _read_cache(cache, _FittedSlots)
        if fitted is None:
            vectors = np.asarray(encode([e.text for e in self.examples]), dtype=np.float32)
            fitted = _fit_slots(self.examples, vectors)
            _write_cache(cache, fitted)
        self._fitted = fitted
        self.evaluation = fitted.evaluation
        self.thresholds = dict(zip(SLOTS, fitted.thresholds))

    def read(self, text: str, vector: np.ndarray | None = None) -> AnswerSlots:
        if vector is None:
            vector = self._query(text) if self._query else np.asarray(self._encode([text]), dtype=np.float32)[0]
        probs = 1.0 / (1.0 + np.exp(-self._fitted.scorer.logits(vector, text)))
        present = frozenset(s for s, p, cut in zip(SLOTS, probs, self._fitted.thresholds) if p >= cut)
        return AnswerSlots(present, {s: float(p) for s, p in zip(SLOTS, probs)})


_READERS: dict[str, SlotReader] = {}


def default_slots(settings) -> SlotReader:
    """The slot reader for the settings' embedding model, loaded once per process."""
    return once_per_model(settings, SlotReader, _READERS)


def main() -> None:
    """`python -m rag.understand.slots`: each slot's threshold, precision and recall on held-back examples."""
    from sendqa.settings import load_settings

    reader = default_slots(load_settings())
    ev = reader.evaluation
    precision, recall = ev.macro()
    print(f"{len(reader.examples)} examples, {ev.n} held back; macro precision {precision:.3f}, recall {recall:.3f}")
    print("slot".ljust(22) + "threshold  precision  recall  held-back positives")
    for slot in SLOTS:
        p, r, n = ev.scores[slot]
        print(f"{slot.ljust(22)}{reader.thresholds[slot]:9.2f}  {p:9.3f}  {r:6.3f}  {n:5d}")


if __name__ == "__main__":
    main()
