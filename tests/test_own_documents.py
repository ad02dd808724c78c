"""A user's own document is answerable however its place is named: off topic means no relevant evidence, not a
missing SEND keyword or a place the gazetteer does not list."""

from __future__ import annotations

from ingest.pipeline import ingest_paths
from rag.index import CorpusIndex
from rag.qa import QA
from sendqa.settings import load_settings
from tests.conftest import CORPUS

REVIEW = """Zorbleton local area review

What is the area partnership doing that is effective?
Inspectors praised Zorbleton for its swift speech and language therapy: most children are seen within six weeks of
referral.
Families in Zorbleton said the parent carer forum is listened to by leaders.

What does the area partnership need to do better?
Zorbleton must reduce the time taken to issue EHC plans, which too often exceeds twenty weeks.
"""


def test_a_document_about_a_place_no_list_knows_is_answered_from_that_document(tmp_path):
    home = tmp_path / "home"
    settings = load_settings({"home": home})
    own = tmp_path / "own" / "zorbleton_review.txt"
    own.parent.mkdir()
    own.write_text(REVIEW, encoding="utf-8")
    report = ingest_paths([CORPUS, own], CorpusIndex(settings), progress=False)
    assert len(report.added) == 7 and not report.skipped
    qa = QA(settings)
    praised = qa.ask("What was Zorbleton praised for?")  # no SEND keyword in the question
    assert not praised.abstained
    assert praised.citations and praised.citations[0].source == "zorbleton_review.txt"
    assert "speech and language therapy" in praised.answer
    # A figure asked of a place only a user's document names comes from that document, not England's table.
    waits = qa.ask("How long does it take to get an EHC plan in Zorbleton?")
    assert waits.citations[0].source == "zorbleton_review.txt" and "twenty weeks" in waits.answer
    # ...but a term only the glossary defines is jargon, not a place: the tables still answer.
    wsoa = qa.ask("which councils had to write a WSoA?")
    assert not wsoa.abstained and wsoa.citations[0].citation_type == "statistic"
    # After a question about Somerset, a question naming what only another document holds is not about Somerset.
    from rag.understand.conversation import Session

    session = Session(qa)
    session.ask("What weaknesses remain in Somerset?")
    assert session.ask("how long do families wait for EHC plans?").rewritten.endswith("in Somerset?")  # a follow-up
    named = session.ask("What was Zorbleton praised for?")
    assert named.rewritten == "What was Zorbleton praised for?" and named.citations[0].source == "zorbleton_review.txt"
    unrelated = qa.ask("What drills are good for an under-10s football team?")
    assert unrelated.abstained and not unrelated.citations and unrelated.reason == "off-topic"
    # Read as off topic, but a document answers it: evidence decides, not the wording.
    own = tmp_path / "own" / "zorbleton_football.txt"
    own.write_text("Zorbleton youth football\n\nThe Zorbleton under-10s team practises passing drills in pairs "
                   "every Saturday, with cones set five metres apart.\n", encoding="utf-8")
    ingest_paths([own], CorpusIndex(settings), progress=False)
    qa.refresh()
    drills = qa.ask("What passing drills does the Zorbleton under-10s football team practise?")
    assert not drills.abstained and drills.citations[0].source == "zorbleton_football.txt"
