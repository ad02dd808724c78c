"""The eval set is well-formed, the metrics can fail, and the CI gate subset clears its thresholds."""

from __future__ import annotations

from evals.check_quotes import problems
from evals.dataset import KINDS, load_items
from evals.harness import GATE_THRESHOLDS, gate_failures, run_items, summarise
from evals.metrics import critical_error, faithfulness, score_item
from tests.conftest import needs_shared


def test_eval_set_shape():
    items = load_items()
    assert len(items) >= 150
    counts = {k: sum(i.kind == k for i in items) for k in KINDS}
    assert all(counts.values()), counts
    assert counts["refuse"] >= 30
    assert 35 <= sum(i.gate for i in items) <= 50


@needs_shared
def test_every_gold_quote_is_verbatim_and_all_documents_are_covered():
    assert problems() == []
    covered = {s.doc_id for i in load_items() for s in i.gold_sources}
    assert len(covered) == 49  # 46 documents and the 3 statistics tables


def test_metrics_catch_bad_answers():
    quote = "There are widespread and/or systemic failings leading to significant concerns."
    cites = [{"n": 1, "doc_id": "d", "quote": quote}]
    assert faithfulness(f"{quote} [1]", cites) == 1.0
    # A number or name not in the cited quote makes the sentence unsupported.
    assert faithfulness("There are 12 failings in Leeds [1]", cites) == 0.0
    assert faithfulness("Uncited claim.", cites) == 0.0
    # Stating an outcome the report does not give is a critical error; so is an Ofsted grade asserted as fact.
    outcome_of = {"d": "positive"}.get
    assert critical_error(f"{quote} [1]", cites, outcome_of, abstained=False)
    assert critical_error("Bury was rated inadequate.", [], outcome_of, abstained=False)
    assert not critical_error("Area SEND inspections do not give grades such as inadequate.", [], outcome_of, abstained=True)


def test_gate_failures_report_each_missed_threshold():
    perfect = {"hit@1": 1.0, "hit@5": 1.0, "key_fact_recall": 1.0, "citation_validity": 1.0, "abstention": 1.0,
               "false_refusal": 0.0, "critical_errors": 0}
    assert gate_failures(perfect) == []
    worse = dict(perfect, key_fact_recall=0.2, critical_errors=1)
    assert len(gate_failures(worse)) == 2
    assert all(limit != 0 or op == "<=" for op, limit in GATE_THRESHOLDS.values())


@needs_shared
def test_ci_gate_subset(full_qa):
    items = [i for i in load_items() if i.gate]
    outcomes = {d.doc_id: d.outcome for d in full_qa.index.documents()}
    scores = run_items(full_qa.ask, items, full_qa.index.document_text, outcomes.get, progress=False)
    overall = summarise({"sendqa": scores})["sendqa"]["overall"]
    print("\nCI gate:", {k: overall[k] for k in ("n", *GATE_THRESHOLDS, "latency_p50_ms", "latency_p95_ms")})
    assert gate_failures(overall) == []


def test_score_item_contract_fields():
    item = load_items()[0]
    contract = {"answer": "x [1]", "abstained": False, "backend": "extractive", "timings_ms": {"total": 5.0},
                "citations": [{"n": 1, "doc_id": item.gold_sources[0].doc_id, "quote": "x"}]}
    score = score_item(item, contract, [], lambda d: "x y z", lambda d: None)
    assert score.hit1 == 1.0 and score.citation_validity == 1.0 and score.latency_ms == 5.0
