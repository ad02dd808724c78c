"""The verifier: single cases that must fail, and its precision/recall on the labelled pairs' holdout split."""

from __future__ import annotations

import pytest

from rag.sentences import Sentence
from rag.verify import Thresholds, Verifier
from sendqa.settings import load_settings
from sendqa.types import Evidence
from tests.conftest import needs_shared


def passage(text: str, area="Bury", kind="inspection report", language="en", doc_id="bury-report",
            speaker="Ofsted/CQC") -> Sentence:
    ev = Evidence(chunk_id=f"{doc_id}::0", doc_id=doc_id, text=text, start=0, end=len(text), page=1, section=None,
                  score=0.0, source="x.pdf", title=f"Area SEND inspection of {area}", area=area, kind=kind,
                  speaker=speaker, language=language)
    return Sentence(text, 0, len(text), ev, 0)


@pytest.fixture(scope="module")
def verifier():
    from rag.embeddings import get_embedding

    settings = load_settings()
    v = settings.answer.verify
    outcomes = {"bury-report": "widespread and/or systemic failings"}
    return Verifier(get_embedding(settings.retrieval.embedding).encode, outcomes.get,
                    Thresholds(v.min_similarity, v.min_coverage, v.check_negation))


WAITS = passage("The average waiting time for speech and language therapy is 75 weeks for an initial appointment "
                "post-triage, and the average waiting time for a community paediatric assessment is 39 weeks.")
OUTCOME = passage("There are widespread and/or systemic failings leading to significant concerns about the experiences "
                  "and outcomes of children and young people with SEND.")


STATEMENT = passage("Inspectors agreed that seven out of the nine former areas of significant weakness have improved.",
                    area="Somerset", kind="council or NHS statement", doc_id="somerset-statement",
                    speaker="council and NHS")
VOICE = passage("We are pleased that the re-visit letter recognised many of the improvements to SEND services in "
                "Somerset.", area="Somerset", kind="council or NHS statement", doc_id="somerset-statement",
                speaker="council and NHS")


@pytest.mark.parametrize("claim, passages", [
    ("Inspectors found that the average wait for speech and language therapy is 75 weeks.", [WAITS]),
    ("The council and NHS are pleased that the revisit letter recognised many improvements to SEND services in "
     "Somerset.", [VOICE]),  # a statement's own voice is its speaker's
])
def test_who_acted_or_spoke_may_be_named_when_the_passage_or_its_speaker_says_so(verifier, claim, passages):
    verdict = verifier.check(claim, passages)
    assert verdict.supported, verdict.reasons


@pytest.mark.parametrize("claim", [
    "Children in Bury wait 75 weeks for speech and language therapy and 39 weeks for a community paediatric assessment.",
    "The average wait for speech and language therapy is 75 weeks.",
])
def test_supported_rewrites_pass(verifier, claim):
    verdict = verifier.check(claim, [WAITS])
    assert verdict.supported, verdict.reasons


@pytest.mark.parametrize("claim, passages, why", [
    ("Children in Bury wait 57 weeks for speech and language therapy.", [WAITS], "numbers"),
    ("Children in Oldham wait 75 weeks for speech and language therapy.", [WAITS], "names"),
    ("Bury's inspection found positive experiences and outcomes for children with SEND.", [OUTCOME], "outcome"),
    ("Bury was rated inadequate by Ofsted.", [OUTCOME], "grade"),
    ("Bury has the longest waits for speech and language therapy in England.", [WAITS], "compares"),
    ("The new Bury Sensory Hub cut waits for speech and language therapy to 75 weeks.", [WAITS], "names"),
    ("Children in Bury wait 75 weeks for speech therapy.", [], "cites no passage"),
    ("The council says the average wait for speech and language therapy is 75 weeks.", [WAITS], "acting or speaking"),
    ("The council and NHS agreed that seven of the nine former areas of weakness have improved.", [STATEMENT],
     "acting or speaking"),
])
def test_unsupported_rewrites_fail_with_a_reason(verifier, claim, passages, why):
    verdict = verifier.check(claim, passages)
    assert not verdict.supported
    assert any(why in reason for reason in verdict.reasons), verdict.reasons


URGENT = passage("Area leaders need urgently to address the length of time families have to wait for EHC needs "
                 "assessments.")
DONE = passage("Leaders have improved the timeliness of EHC needs assessments.")


@pytest.mark.parametrize("claim, passages, why", [
    # the rewrite the issue found a small model writing, and the verifier passing
    ("Parents need to prioritize EHC needs assessments for families waiting longer than expected.", [URGENT], "gives to parents"),
    ("Area leaders have cut the time families wait for EHC needs assessments.", [URGENT], "done"),
    ("Leaders need to improve the timeliness of EHC needs assessments.", [DONE], "still to do"),
    ("Schools should urgently cut how long families wait for EHC needs assessments.", [URGENT], "gives to schools"),
])
def test_a_rewrite_that_changes_who_does_what_fails(verifier, claim, passages, why):
    verdict = verifier.check(claim, passages)
    assert not verdict.supported
    assert any(why in reason for reason in verdict.reasons), verdict.reasons


@pytest.mark.parametrize("claim, passages", [
    ("Leaders must quickly cut how long families wait for EHC needs assessments.", [URGENT]),
    ("Leaders have made EHC needs assessments more timely.", [DONE]),
])
def test_a_plainer_rewrite_keeping_who_does_what_passes(verifier, claim, passages):
    verdict = verifier.check(claim, passages)
    assert verdict.supported, verdict.reasons


@needs_shared
def test_precision_and_recall_on_the_holdout_pairs(verifier):
    from evals.verifier.tune import load_pairs, scores

    pairs, outcomes = load_pairs()
    holdout = [p for p in pairs if p.split == "holdout"]
    assert len(pairs) >= 150 and len(holdout) >= 50
    v = Verifier(verifier._encode, outcomes.get, verifier.thresholds)
    result = scores([not v.check(p.claim, p.passages).supported for p in holdout], [p.unsupported for p in holdout])
    print("\nverifier on holdout pairs:", result)
    assert result["precision"] >= 0.85 and result["recall"] >= 0.85, result
    for kind in ("wrong-actor", "modality-changed"):  # who does what, and whether it is done or still to do
        moved = [p for p in holdout if p.perturbation == kind]
        caught = sum(not verifier.check(p.claim, p.passages).supported for p in moved)
        assert moved and caught / len(moved) >= 0.75, (kind, caught, len(moved))
