"""The eval reads answers as a person does: without [n] marks and source labels, scored by textstat."""

from evals.dataset import EvalItem
from evals.metrics import aggregate, readable_sentences, reading, score_item


def _contract(answer: str) -> dict:
    return {"answer": answer, "citations": [], "abstained": False, "backend": "extractive", "sentences": []}


def test_what_a_person_reads_leaves_out_citation_marks_and_source_labels():
    contract = _contract("[Bury · Ofsted/CQC report] Families wait too long for help. [1]\nLeaders know this. [2][3]")
    assert readable_sentences(contract) == ["Families wait too long for help.", "Leaders know this."]
    ease, words = reading(readable_sentences(contract))
    assert words == 9 and ease > 60  # short plain sentences read easily


def test_each_item_of_a_list_is_read_as_its_own_sentence():
    items = ["Leaders should improve:", "the quality of plans;", "waiting times for help;", "how they talk to families"]
    as_lines, as_one = reading(items), reading(["Leaders should improve the quality of plans, waiting times for help, "
                                                "how they talk to families."])
    assert as_lines[1] == as_one[1] and as_lines[0] > as_one[0]


def test_the_gold_fact_early_counts_only_the_first_two_sentences():
    item = EvalItem(id="x", kind="fact", question="q", split="dev", gold_answer="g", key_facts=["40 weeks"],
                    gold_sources=[])
    late = score_item(item, _contract("One. Two. Waits are up to 40 weeks."), [], lambda d: None, lambda d: None)
    early = score_item(item, _contract("Waits are up to 40 weeks. Two."), [], lambda d: None, lambda d: None)
    assert (late.gold_early, early.gold_early) == (0.0, 1.0) and late.key_fact_recall == 1.0
    summary = aggregate([late, early])
    assert summary["gold_early"] == 0.5 and summary["words_p50"] > 0 and summary["reading_ease_p50"] is not None
