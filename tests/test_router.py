"""The intent router: learned from the examples file, calibrated on held-back examples, general when unsure."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.understand.router import (EXAMPLES, INTENTS, IntentRouter, default_router, load_examples,
                                   split_examples)
from sendqa.settings import load_settings


@pytest.fixture(scope="module")
def router():
    return default_router(load_settings())


def test_every_intent_has_at_least_forty_examples_in_many_registers():
    examples = load_examples()
    for intent in INTENTS:
        mine = [e for e in examples if e.intent == intent]
        assert len(mine) >= 40, intent
        assert len({e.register for e in mine}) >= 4, intent
    texts = [e.text.strip().lower() for e in examples]
    assert len(texts) == len(set(texts))  # no example twice


def test_held_back_examples_are_never_trained_on_by_the_scout():
    train, held = split_examples(load_examples())
    assert held and not {id(e) for e in train} & {id(e) for e in held}
    assert {e.intent for e in held} == set(INTENTS)


def test_held_back_accuracy_and_the_calibrated_threshold(router):
    ev = router.evaluation
    print(f"held-back accuracy {ev.accuracy:.3f}, above threshold {ev.confident_accuracy:.3f} "
          f"on {ev.coverage:.0%} (threshold {router.threshold:.2f}, strict {router.strict_threshold:.2f})")
    assert ev.accuracy >= 0.75
    assert ev.confident_accuracy >= 0.85 and ev.coverage >= 0.5
    assert router.strict_threshold >= router.threshold
    assert sum(sum(row.values()) for row in ev.confusion.values()) == ev.n


def test_a_question_below_the_threshold_takes_the_general_path(router):
    route = router.route("bury")  # a bare name says nothing of what is asked
    assert route.intent == "general" or route.confidence >= router.threshold
    assert abs(sum(route.probabilities.values()) - 1.0) < 1e-6


@pytest.mark.parametrize("question, intent", [
    ("What does Bury need to improve?", "improve"),
    ("What is Oldham doing well for children with SEND?", "strengths"),
    ("what did inspectors find in bury?", "briefing"),
    ("What's the weather going to be like in Leeds on Saturday?", "out_of_scope"),
    ("Will Surrey pass its next SEND inspection?", "prediction"),
])
def test_clear_questions_are_routed(router, question, intent):
    assert router.route(question).intent == intent


def test_cue_words_are_what_is_asked_not_what_about(router):
    cues = router.cue_words("improve")
    assert "improve" in cues and "bury" not in cues and "autism" not in cues


def test_a_new_example_row_changes_the_router_without_code(tmp_path):
    rows = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["intent"] in ("improve", "strengths", "general")][:150]
    path = tmp_path / "examples.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    rng = np.random.default_rng(0)
    table = {}

    def encode(texts):  # a fixed random vector per text: only the data decides
        return np.stack([table.setdefault(t, rng.normal(size=16)) for t in texts]).astype(np.float32)

    router = IntentRouter(encode, "test", None, examples=path)
    assert set(router.classes) == {"improve", "strengths", "general"}


def test_the_numpy_scorer_equals_the_fitted_scikit_learn_model():
    from rag.understand.router import _Features, _fit, _Scorer

    examples = load_examples()[::7]
    texts = [e.text for e in examples]
    vectors = np.random.default_rng(1).normal(size=(len(texts), 8)).astype(np.float32)
    features = _Features(texts)
    model = _fit(features(vectors, texts), [e.intent for e in examples])
    scorer = _Scorer.of(features, model)
    probes = texts[:20] + ["a question with words never seen zzzz", "", "wat r u  4 x", "strenghts   of\tbury"]
    probe_vectors = np.random.default_rng(2).normal(size=(len(probes), 8)).astype(np.float32)
    expected = model.decision_function(features(probe_vectors, probes))
    got = np.stack([scorer.logits(v, t) for v, t in zip(probe_vectors, probes)])
    assert scorer.classes == list(model.classes_)
    assert np.allclose(got, expected, atol=1e-4)
