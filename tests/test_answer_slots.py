"""The slot reader: what an answer must hold (a figure, a date, a speaker, a table's subject), learned from the
examples file with thresholds from cross-validation, measured on held-back examples."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from rag.plan import Catalog, plan_question
from rag.understand.slots import EXAMPLES, SLOTS, AnswerSlots, default_slots, load_examples, split_examples
from sendqa.settings import load_settings


@pytest.fixture(scope="module")
def reader():
    return default_slots(load_settings())


def test_every_slot_has_at_least_forty_examples_in_many_registers_and_near_misses():
    examples = load_examples()
    for slot in SLOTS:
        mine = [e for e in examples if slot in e.slots]
        assert len(mine) >= 40, slot
        assert len({e.register for e in mine}) >= 4, slot
    assert sum(not e.slots for e in examples) >= 100  # rows with no slot teach what is not one
    texts = [e.text.strip().lower() for e in examples]
    assert len(texts) == len(set(texts))
    for line in EXAMPLES.read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) <= {"text", "slots", "register"}


def test_held_back_examples_are_never_trained_on():
    train, held = split_examples(load_examples())
    assert held and not {id(e) for e in train} & {id(e) for e in held}


def test_held_back_precision_and_recall(reader):
    ev = reader.evaluation
    precision, recall = ev.macro()
    print(f"held-back macro precision {precision:.3f}, recall {recall:.3f} on {ev.n} examples")
    assert precision >= 0.8 and recall >= 0.85
    assert all(n > 0 for _, _, n in ev.scores.values())  # every slot is measured
    assert all(0.05 <= t <= 0.95 for t in reader.thresholds.values())


@pytest.mark.parametrize("question, wanted, unwanted", [
    ("how many children in Bury have an EHC plan?", {"figure"}, {"when"}),
    ("wen did ofsted last inspect oldham", {"when"}, {"figure"}),
    ("Who is the director of children's services in Somerset?", {"person"}, set()),
    ("what did the council say after the report came out", {"statements"}, {"inspectors"}),
    ("how quickly does leeds issue ehc plans?", {"timeliness"}, {"lowest", "highest"}),
    ("which councils are slowest at getting ehcps out", {"timeliness", "lowest"}, {"highest"}),
    ("when is the next inspection due in medway", {"next_inspection"}, set()),
    ("which areas had systemic failings", {"outcome_failings"}, {"outcome_positive"}),
    ("how long do families wait for an autism assessment in bury", set(), {"timeliness", "figure"}),
])
def test_slots_of_plain_questions(reader, question, wanted, unwanted):
    present = reader.read(question).present
    assert wanted <= present and not unwanted & present, (question, sorted(present))


def test_slots_take_the_questions_vector_when_given(reader):
    from rag.embeddings import get_embedding

    text = "what percentage of plans were late in kent"
    embed = get_embedding(load_settings().retrieval.embedding)
    given = reader.read(text, embed.get_query_embedding(text))
    assert given.present == reader.read(text).present and "figure" in given


def test_the_plan_reads_statistics_topics_from_the_slots():
    catalog = Catalog(areas=["Bury"], languages=[], stat_areas={"bury": "Bury", "leeds": "Leeds"})
    settings = load_settings()
    assert plan_question("how fast r ehcps done in leeds", catalog, settings).stat_topic == "timeliness"
    assert plan_question("when will ofsted be back in bury", catalog, settings).stat_topic == "next"
    # a slot the plan is handed decides, whatever the wording
    fixed = replace(catalog, slots=_Fixed({"timeliness"}))
    assert plan_question("what about leeds?", fixed, settings).stat_topic == "timeliness"


class _Fixed:
    """A slot reader that always reads the same slots (the plan's use of them, apart from the model's)."""

    def __init__(self, present: set[str]):
        self.present = frozenset(present)

    def read(self, text: str, vector=None) -> AnswerSlots:
        return AnswerSlots(self.present)


def test_a_slot_threshold_is_the_middle_of_its_best_f1_plateau():
    """Two cuts give the same best F1 (0.5: both positives and two negatives in; 0.9: one positive alone, 2/3 each):
    the cut is between them, not at whichever comes first, so a few added examples do not swing it from one to the
    other."""
    import numpy as np

    from rag.understand.slots import _best_thresholds

    probs = np.array([0.9, 0.7, 0.6, 0.5, 0.1])[:, None]
    truth = np.array([1, 0, 0, 1, 0], dtype=bool)[:, None]
    assert float(_best_thresholds(probs, truth)[0]) == pytest.approx(0.7)
    assert float(_best_thresholds(probs, np.zeros_like(truth))[0]) == 0.5  # no positives: no evidence either way
