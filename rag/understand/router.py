"""What a question asks for, learned from labelled example questions (intent_examples.jsonl beside this file).

A logistic regression over the question's sentence embedding (the same embedding retrieval uses, so it is computed
once per question) and its TF-IDF words and word pairs gives a probability per intent (the words add what a
multilingual sentence embedding blurs: held-back accuracy 0.75 with the embedding alone, 0.82 with the words, 0.86 with character n-grams too, on the
same examples). The probabilities are calibrated on held-back examples (temperature scaling) and two
thresholds are chosen on held-back examples, so that "confident" means right at least `TARGET_PRECISION` of the
time: below the answer threshold a question takes the general path (retrieve, then select by relevance); the
intents that lead to no retrieval at all (out of scope, a prediction, a personal case) need a stricter one. Adding a
wording is adding a row to the examples file: no code changes, and the next process refits.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

EXAMPLES = Path(__file__).with_name("intent_examples.jsonl")
INTENTS = ("experience", "outcome", "improve", "strengths", "briefing", "definition", "statistic", "compare",
           "topic_across_areas", "explain_simply", "prediction", "personal_case", "out_of_scope", "false_premise",
           "general")
# Intents whose answer retrieves nothing: a wrong one hides the reports, so they must be surer.
NO_RETRIEVAL = frozenset({"out_of_scope", "prediction", "personal_case"})
# ...and those that must be as sure: a false premise ("why was Kent rated inadequate?") is answered by correcting
# the question, which would be wrong to say to an ordinary one ("are reviews outstanding in Kent?").
STRICT = NO_RETRIEVAL | {"false_premise"}
TARGET_PRECISION = 0.9
STRICT_PRECISION = 0.97
# Intents whose answer path reads the section the question asks for, so the words asking it are not its subject.
CUED = frozenset({"experience", "outcome", "improve", "strengths", "briefing"})
HOLDOUT_EVERY = 5  # every fifth example of each intent is held back to calibrate and measure
_VERSION = "10"  # bump when the model or its features change, so cached fits are not reused

Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    register: str = ""


@dataclass(frozen=True)
class Route:
    """The router's reading of one question."""

    intent: str  # the intent acted on: "general" when the router is not confident
    predicted: str  # the most probable intent, confident or not
    confidence: float  # its calibrated probability
    probabilities: dict[str, float] = field(default_factory=dict)


def load_examples(path: Path = EXAMPLES) -> list[Example]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = [Example(r["text"], r["intent"], r.get("register", "")) for r in rows]
    unknown = sorted({e.intent for e in examples} - set(INTENTS))
    if unknown:
        raise ValueError(f"{path.name}: unknown intents {unknown}")
    return examples


def split_examples(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, held back): every HOLDOUT_EVERY-th example of each intent, in file order, is held back."""
    seen: dict[str, int] = {}
    train, held = [], []
    for e in examples:
        seen[e.intent] = seen.get(e.intent, 0) + 1
        (held if seen[e.intent] % HOLDOUT_EVERY == 0 else train).append(e)
    return train, held


class _Features:
    """The sentence embedding beside TF-IDF unigrams and bigrams of the words, and TF-IDF character 2- to 5-grams
    within words, which still match a misspelt or text-speak word ("strenghts", "improvment", "wat")."""

    def __init__(self, texts: list[str]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True).fit(texts)

    def __call__(self, vectors: np.ndarray, texts: list[str]):
        from scipy.sparse import csr_matrix, hstack

        return hstack([csr_matrix(np.asarray(vectors, dtype=np.float32)), self.words.transform(texts),
                       self.chars.transform(texts)]).tocsr()


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern, so the two transforms agree
CHAR_NGRAMS = (2, 5)


def _word_grams(text: str) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def _char_grams(text: str) -> list[str]:
    """scikit-learn's char_wb analyzer: n-grams of each space-padded word, none crossing a word boundary."""
    grams = []
    for word in re.sub(r"\s\s+", " ", text.lower()).split():
        word = f" {word} "
        for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
            grams += [word[i:i + n] for i in range(max(1, len(word) - n + 1))]
            if n >= len(word):  # a word no longer than n counts once, as scikit-learn counts it
                break
    return grams


@dataclass
class _TfidfBlock:
    """One fitted TfidfVectorizer (sublinear tf, l2 norm) and its columns of the model's weights."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray  # classes x vocabulary size

    def logits(self, grams: list[str]) -> np.ndarray | float:
        counts: dict[int, int] = {}
        for gram in grams:
            if (column := self.vocabulary.get(gram)) is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[columns]
        norm = float(np.linalg.norm(values))
        return self.weights[:, columns] @ (values / norm) if norm else 0.0


@dataclass
class _Scorer:
    """The fitted router as plain arrays: routing a question needs numpy only (importing scikit-learn and SciPy
    would add about 1.3 s to every new process). `logits` equals the fitted LogisticRegression's decision_function
    on _Features (tests/test_router.py checks)."""

    classes: list[str]
    dense: np.ndarray  # classes x embedding size
    words: _TfidfBlock
    chars: _TfidfBlock
    intercept: np.ndarray

    @classmethod
    def of(cls, features: _Features, model) -> "_Scorer":
        coef = model.coef_.astype(np.float32)
        n_words, n_chars = len(features.words.vocabulary_), len(features.chars.vocabulary_)
        width = coef.shape[1] - n_words - n_chars
        return cls(list(model.classes_), coef[:, :width],
                   _TfidfBlock(dict(features.words.vocabulary_), features.words.idf_.astype(np.float32),
                               coef[:, width:width + n_words]),
                   _TfidfBlock(dict(features.chars.vocabulary_), features.chars.idf_.astype(np.float32),
                               coef[:, width + n_words:]),
                   model.intercept_.astype(np.float32))

    def logits(self, vector: np.ndarray, text: str) -> np.ndarray:
        return (self.dense @ np.asarray(vector, dtype=np.float32) + self.words.logits(_word_grams(text))
                + self.chars.logits(_char_grams(text)) + self.intercept)


def _fit(features, labels: list[str]):
    """A linear SVM, one against the rest per intent: chosen by 5-fold cross-validation on the training part only
    (accuracy 0.894 against 0.884 for the logistic regression used before, at their best C of those tried); its
    margins are calibrated into probabilities by temperature scaling like any logits."""
    from sklearn.svm import LinearSVC

    return LinearSVC(C=1.0, max_iter=20000).fit(features, labels)


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """Temperature scaling (Guo et al. 2017): the one divisor of the logits that minimises the held-back log loss."""
    from scipy.optimize import minimize_scalar

    def loss(t: float) -> float:
        return -float(np.log(_softmax(logits, t)[np.arange(len(truth)), truth] + 1e-12).mean())

    return float(minimize_scalar(loss, bounds=(0.05, 20.0), method="bounded").x)


def _threshold(confidence: np.ndarray, correct: np.ndarray, precision: float) -> float:
    """The lowest confidence above which the held-back predictions are right at least `precision` of the time."""
    order = np.argsort(-confidence)
    hits = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.nonzero(hits >= precision)[0]
    return float(confidence[order][ok[-1]]) if len(ok) else 1.0


@dataclass
class Evaluation:
    """How the router does on the held-back examples."""

    accuracy: float
    confident_accuracy: float
    coverage: float  # share of held-back questions above the answer threshold
    confusion: dict[str, dict[str, int]]
    n: int


@dataclass
class _Fitted:
    """Everything `route` needs, fitted from the examples (pickled whole into the cache)."""

    scorer: _Scorer
    temperature: float
    threshold: float
    strict_threshold: float  # the highest of strict_thresholds
    evaluation: Evaluation
    strict_thresholds: dict[str, float] = field(default_factory=dict)  # per intent in STRICT


def _fit_router(examples: list[Example], vectors: np.ndarray) -> _Fitted:
    """Calibrate on held-back examples with a scout fitted on the rest, then fit the router in use on all."""
    train, held = split_examples(examples)
    row = {id(e): i for i, e in enumerate(examples)}
    scout_features = _Features([e.text for e in train])
    train_x = scout_features(vectors[[row[id(e)] for e in train]], [e.text for e in train])
    held_x = scout_features(vectors[[row[id(e)] for e in held]], [e.text for e in held])
    scout = _fit(train_x, [e.intent for e in train])
    classes = list(scout.classes_)
    logits = scout.decision_function(held_x)
    temperature = _temperature(logits, np.array([classes.index(e.intent) for e in held]))
    probs = _softmax(logits, temperature)
    predicted = [classes[i] for i in probs.argmax(1)]
    confidence = probs.max(1)
    truth = [e.intent for e in held]
    correct = np.array([p == t for p, t in zip(predicted, truth)], dtype=float)
    threshold = _threshold(confidence, correct, TARGET_PRECISION)
    # The intents that retrieve nothing share one threshold (pooled, their held-back readings are enough to set it);
    # a false premise gets its own: pooled with them, confident out-of-scope readings lowered its bar until "why is
    # support inadequate in oldham" read as one.
    strict_thresholds = {}
    for group in (NO_RETRIEVAL, frozenset({"false_premise"})):
        mine = np.array([p in group for p in predicted])
        level = max(threshold, _threshold(confidence[mine], correct[mine], STRICT_PRECISION) if mine.any() else 1.0)
        strict_thresholds.update({intent: level for intent in group})
    strict_threshold = max(strict_thresholds.values())
    texts = [e.text for e in examples]
    features = _Features(texts)
    model = _fit(features(vectors, texts), [e.intent for e in examples])
    return _Fitted(_Scorer.of(features, model), temperature, threshold, strict_threshold,
                   _evaluate(truth, predicted, confidence, threshold), strict_thresholds)


class IntentRouter:
    """Fitted once (then read from the models cache, so a new process only unpickles arrays); `route(text)`
    costs a few small dot products."""

    def __init__(self, encode: Encoder, model_id: str, cache_dir: Path | None = None, examples: Path = EXAMPLES,
                 query: Callable[[str], list[float]] | None = None):
        from importlib.metadata import version

        self._encode, self._query = encode, query  # query: the pipeline's cached question embedding
        self._cues: dict[str, frozenset[str]] | None = None
        self.examples = load_examples(examples)
        stamp = f"{_VERSION}:{model_id}:{version('scikit-learn')}".encode()
        digest = hashlib.sha256(stamp + examples.read_bytes()).hexdigest()[:16]
        cache = cache_dir / f"router-{model_id}-{digest}.pkl" if cache_dir else None
        fitted = _read_cache(cache)
        if fitted is None:
            vectors = np.asarray(encode([e.text for e in self.examples]), dtype=np.float32)
            fitted = _fit_router(self.examples, vectors)
            _write_cache(cache, fitted)
        self._fitted = fitted
        self.threshold, self.strict_threshold = fitted.threshold, fitted.strict_threshold
        self.evaluation = fitted.evaluation
        self.classes = fitted.scorer.classes

    def cue_words(self, intent: str) -> frozenset[str]:
        """Content words that mark this intent in its examples ("weakness", "improve" for improve): the words that
        say what is asked, not what it is about. A word is a cue where at least 40% of the examples holding it,
        and at least three, are of this intent. Intents answered by subject alone (a figure, a comparison, the
        general path) have none: their words are the subject."""
        return self.frame_words(intent) if intent in CUED else frozenset()

    def frame_words(self, intent: str) -> frozenset[str]:
        """The words that mark any intent (as cue_words counts them): what a follow-up's words only ask, not what
        they are about ("worse", "compare" for compare). A figure's and the general path's words are subjects."""
        if intent in ("statistic", "general"):
            return frozenset()
        if self._cues is None:
            from rag.evidence import content_terms

            counts: dict[str, dict[str, int]] = {}
            for e in self.examples:
                for term in content_terms(e.text, expand=True):
                    counts.setdefault(term, {}).setdefault(e.intent, 0)
                    counts[term][e.intent] += 1
            self._cues = {i: frozenset(t for t, by in counts.items() if by.get(i, 0) >= 3
                                       and by[i] >= 0.4 * sum(by.values())) for i in INTENTS}
        return self._cues.get(intent, frozenset())

    def route(self, text: str, vector: np.ndarray | None = None) -> Route:
        """The intent of one question; `vector` is its embedding when the caller has it already."""
        if vector is None:
            vector = self._query(text) if self._query else np.asarray(self._encode([text]), dtype=np.float32)[0]
        fitted = self._fitted
        probs = _softmax(fitted.scorer.logits(vector, text).reshape(1, -1), fitted.temperature)[0]
        best = int(probs.argmax())
        predicted, confidence = self.classes[best], float(probs[best])
        needed = fitted.strict_thresholds.get(predicted, self.strict_threshold) if predicted in STRICT else self.threshold
        intent = predicted if confidence >= needed else "general"
        return Route(intent, predicted, confidence, {c: float(p) for c, p in zip(self.classes, probs)})


def _evaluate(truth: list[str], predicted: list[str], confidence: np.ndarray, threshold: float) -> Evaluation:
    confusion = {t: {p: 0 for p in INTENTS} for t in INTENTS}
    for t, p in zip(truth, predicted):
        confusion[t][p] += 1
    sure = confidence >= threshold
    right = np.array([t == p for t, p in zip(truth, predicted)])
    return Evaluation(accuracy=float(right.mean()), confident_accuracy=float(right[sure].mean()) if sure.any() else 0.0,
                      coverage=float(sure.mean()), confusion=confusion, n=len(truth))


def _read_cache(path: Path | None, kind: type | None = None):
    """The fitted model pickled at `path` (of `kind`, the router's by default), or None to fit again."""
    kind = kind or _Fitted
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            fitted = pickle.load(handle)  # written by this code into the user's own data directory
        return fitted if isinstance(fitted, kind) else None
    except Exception:  # a cache from another version or a half-written file: fit again
        return None


def _write_cache(path: Path | None, fitted) -> None:
    if path is None:
        return
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            pickle.dump(fitted, handle)
        tmp.replace(path)
    except OSError:  # a full or read-only disk: the fit is in hand, only the next process fits again
        tmp.unlink(missing_ok=True)


_ROUTERS: dict[str, IntentRouter] = {}


def default_router(settings) -> IntentRouter:
    """The router for the settings' embedding model, loaded once per process (fitted once, cached in the models
    cache)."""
    return once_per_model(settings, IntentRouter, _ROUTERS)


def once_per_model(settings, kind, loaded: dict):
    """One `kind` (a model over question embeddings: IntentRouter, SlotReader) per embedding model per process,
    built on that model's encoder and its cached question embedding, with its fit cached in the settings'
    models_cache_dir (SENDQA_HOME/cache unless SENDQA_MODELS_CACHE names a shared one)."""
    from rag.embeddings import get_embedding

    embedding_id = settings.retrieval.embedding
    if embedding_id not in loaded:
        embed = get_embedding(embedding_id)
        loaded[embedding_id] = kind(lambda texts: embed.encode(texts, True), embedding_id, settings.models_cache_dir,
                                    query=embed.get_query_embedding)
    return loaded[embedding_id]


def main() -> None:
    """`python -m rag.understand.router`: held-back accuracy, thresholds and the confusion matrix."""
    from sendqa.settings import load_settings

    router = default_router(load_settings())
    ev = router.evaluation
    print(f"held-back examples: {ev.n}; accuracy {ev.accuracy:.3f}; above the threshold ({router.threshold:.2f}): "
          f"accuracy {ev.confident_accuracy:.3f} on {ev.coverage:.0%} of them; strict threshold "
          f"{router.strict_threshold:.2f}")
    short = {i: i[:6] for i in INTENTS}
    print("true \\ predicted".ljust(20) + " ".join(short[i].rjust(6) for i in INTENTS))
    for t in INTENTS:
        print(t.ljust(20) + " ".join(str(ev.confusion[t][p] or ".").rjust(6) for p in INTENTS))


if __name__ == "__main__":
    main()
