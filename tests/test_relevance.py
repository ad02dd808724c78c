"""The relevance model: fitted on dev pairs, a probability per evidence sentence, its threshold from held-back items."""

from __future__ import annotations

import random

from rag.understand.relevance import FEATURES, default_relevance, fit, held_back


def test_the_shipped_model_reads_the_features_evidence_computes():
    model = default_relevance()
    assert len(model.coefficients) == len(FEATURES) and 0.0 < model.threshold < 1.0
    plain = [0.5, 0.5, 0.4, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    stronger = list(plain)
    stronger[FEATURES.index("score")] = 0.9
    assert model.probability(tuple(stronger)) > model.probability(tuple(plain))  # the old score still counts


def test_held_back_items_are_a_fixed_third():
    ids = [f"item-{i}" for i in range(600)]
    share = sum(map(held_back, ids)) / len(ids)
    assert 0.25 < share < 0.42 and held_back("item-7") == held_back("item-7")


def test_the_threshold_leaves_few_answerable_held_back_questions_with_nothing():
    rng = random.Random(0)
    pairs = []
    for i in range(300):
        for j in range(12):
            relevant = int(j == 0)
            score = rng.uniform(0.3, 0.9) if relevant else rng.uniform(0.0, 0.6)
            features = (score, score, score) + (0.0,) * 7 + (1.0, 1.0, 0.0)
            pairs.append((f"q{i}", features, relevant))
    data, figures = fit(pairs)
    assert figures["false_refusal"] <= 0.05 and figures["held_back_items"] > 50
    assert 0.0 < figures["precision"] <= 1.0 and 0.0 < figures["recall"] <= 1.0
    assert data["features"] == list(FEATURES) and abs(data["threshold"] - figures["threshold"]) < 1e-3
