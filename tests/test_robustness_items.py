"""The wording-robustness variants (evals/items_robustness/): three per test item, each with its original's gold,
loaded only when asked, and reported per style beside the original test items."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from evals.check_quotes import robustness_problems
from evals.dataset import ROBUSTNESS_DIR, STYLES, load_items, load_robustness_items
from evals.harness import group_scores, robustness_summary, summarise, write_report
from evals.metrics import ItemScore
from evals.report import robustness_table


@pytest.fixture(scope="module")
def originals():
    return {i.id: i for i in load_items()}


@pytest.fixture(scope="module")
def variants():
    return load_robustness_items()


def test_every_item_has_exactly_the_three_variants(originals, variants):
    assert sum(item.split == "test" for item in originals.values()) == 139
    styles = {}
    for v in variants:
        styles.setdefault(v.variant_of, []).append(v.style)
    assert set(styles) == set(originals)
    assert all(sorted(s) == sorted(STYLES) for s in styles.values())
    assert len(variants) == 3 * len(originals)


def test_each_variant_keeps_its_originals_gold(originals, variants):
    for v in variants:
        original = originals[v.variant_of]
        assert v.gold() == original.gold(), v.id
        # The gold fields the brief names, spelled out.
        assert (v.key_facts, v.gold_sources, v.should_abstain, v.kind, v.turns) == \
               (original.key_facts, original.gold_sources, original.should_abstain, original.kind, original.turns)
        assert v.id == f"{original.id}~{v.style}"


def test_ids_are_unique_across_items_and_variants(originals, variants):
    counts = Counter([*originals, *(v.id for v in variants)])
    assert [i for i, n in counts.items() if n > 1] == []


def test_every_variant_stays_in_its_originals_split(originals, variants):
    """Test variants are only reported; dev variants are what wording problems are diagnosed and tuned on."""
    assert {v.split for v in variants} == {"test", "dev"}
    assert all(originals[v.variant_of].split == v.split for v in variants)
    assert all(v.variant_of in originals for v in variants)


def test_every_variant_is_reworded(originals, variants):
    for v in variants:
        assert v.question.strip() != originals[v.variant_of].question.strip(), v.id


def test_context_variants_are_longer_and_typo_variants_follow_the_style(originals, variants):
    for v in variants:
        original = originals[v.variant_of].question
        if v.style == "context":
            assert len(v.question) > len(original), v.id
        if v.style == "typo":
            assert v.question == v.question.lower() and v.question[-1] not in ".?!", v.id


def test_check_quotes_checks_the_variants(originals, variants):
    items = list(originals.values())
    assert robustness_problems(items, variants) == []
    broken = [v.model_copy(update={"key_facts": ["something else"]}) if n == 0 else v for n, v in enumerate(variants)]
    assert any("gold differs" in p for p in robustness_problems(items, broken))
    missing = variants[1:]
    assert any("needs exactly one variant per style" in p for p in robustness_problems(items, missing))


def test_loader_returns_the_variants_only_when_asked(variants):
    plain = load_items()
    assert all(i.variant_of is None and i.style is None for i in plain)
    assert not any("~" in i.id for i in plain)
    both = load_items(robustness=True)
    assert len(both) == len(plain) + len(variants)
    assert {i.id for i in both if i.variant_of} == {v.id for v in variants}
    # The folder is separate from evals/items, so globbing the ordinary items never finds it.
    assert ROBUSTNESS_DIR.name == "items_robustness" and list(ROBUSTNESS_DIR.glob("*.jsonl"))


def _score(item_id: str, kind: str, recall: float | None, abstained: bool = False, should_abstain: bool = False):
    return ItemScore(id=item_id, kind=kind, backend="extractive", should_abstain=should_abstain, abstained=abstained,
                     hit1=None if should_abstain else 1.0, hit5=None if should_abstain else 1.0,
                     rr10=None if should_abstain else 1.0, key_fact_recall=recall, citation_validity=1.0,
                     faithfulness=1.0, critical_error=False, latency_ms=1.0)


def test_report_has_one_row_per_style_beside_the_originals(originals, variants, tmp_path):
    dev = next(i for i in originals.values() if i.split == "dev" and not i.should_abstain)
    test = next(i for i in originals.values() if i.split == "test" and not i.should_abstain)
    mine = [v for v in variants if v.variant_of == test.id]
    items = [dev, test, *mine]
    run = [_score(dev.id, dev.kind, 1.0), _score(test.id, test.kind, 1.0)]
    run += [_score(v.id, v.kind, 0.5 if v.style == "typo" else 1.0, abstained=v.style == "officer") for v in mine]
    scores = group_scores({"extractive": run}, items, ("dev", "test"))
    assert list(scores) == ["extractive [dev]", "extractive [test]", "extractive [test~typo]",
                            "extractive [test~context]", "extractive [test~officer]"]
    assert [s.id for s in scores["extractive [test]"]] == [test.id]  # the originals' row is unchanged
    summary = summarise(scores)
    robust = robustness_summary(summary)
    rows = robust["extractive [test]"]
    assert list(rows) == ["original", *STYLES]
    assert rows["typo"]["key_fact_recall"] == 0.5 and rows["typo"]["delta"]["key_fact_recall"] == -0.5
    assert rows["officer"]["false_refusal"] == 1.0 and rows["officer"]["delta"]["false_refusal"] == 1.0
    assert rows["context"]["delta"]["key_fact_recall"] == 0.0
    text = robustness_table(robust)
    assert "| extractive [test] | typo |" in text and "(-0.500)" in text
    pytest.importorskip("matplotlib")
    path = write_report(summary, scores, {"items": 2}, tmp_path, robustness=robust)
    markdown = path.read_text(encoding="utf-8")
    assert "## Wording robustness" in markdown and "## Overall" in markdown and "## By kind" in markdown
    payload = json.loads((tmp_path / "eval.json").read_text())
    assert payload["robustness"]["extractive [test]"]["officer"]["false_refusal"] == 1.0
    assert "extractive [test~typo]" in payload["summary"]


def test_report_without_robustness_is_unchanged(originals, tmp_path):
    pytest.importorskip("matplotlib")
    test = next(i for i in originals.values() if i.split == "test" and not i.should_abstain)
    scores = group_scores({"extractive": [_score(test.id, test.kind, 1.0)]}, [test], ("dev", "test"))
    assert list(scores) == ["extractive [test]"]
    summary = summarise(scores)
    assert robustness_summary(summary) == {}
    path = write_report(summary, scores, {"items": 1}, tmp_path)
    assert "Wording robustness" not in path.read_text(encoding="utf-8")
    assert "robustness" not in json.loads((tmp_path / "eval.json").read_text())


def test_a_variant_row_holds_only_its_own_wording(tmp_path, monkeypatch):
    import evals.dataset as dataset

    row = {"id": "x~typo", "question": "q", "variant_of": "nope", "style": "typo"}
    (tmp_path / "v.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    monkeypatch.setattr(dataset, "ROBUSTNESS_DIR", tmp_path)
    with pytest.raises(ValueError, match="is no item"):
        dataset.load_robustness_items()
    (tmp_path / "v.jsonl").write_text(json.dumps(row | {"key_facts": ["a"]}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="belong to the original"):
        dataset.load_robustness_items()
