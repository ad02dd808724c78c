"""Citation resolution on its own: fabricated ids and quotes not verbatim in their document never become citations."""

from __future__ import annotations

from rag.cite import CitationResolver
from rag.handoffs import Context
from rag.understand.intent import QuestionCheck
from rag.sentences import Sentence
from sendqa.types import Evidence

DOC = "Children wait too long. The average wait is 75 weeks. Leaders know this."


def _sentence(text: str, start: int) -> Sentence:
    ev = Evidence(chunk_id="d::0", doc_id="d", text=DOC, start=0, end=len(DOC), page=2, section="Waits", score=1.0,
                  source="d.pdf", title="Report", area="Bury", kind="inspection report", speaker="Ofsted/CQC",
                  language="en")
    return Sentence(text, start, start + len(text), ev, 0)


def _context() -> Context:
    context = Context(question="how long are waits", check=QuestionCheck(), areas=["Bury"])
    context.sentences = {
        "s0": _sentence("Children wait too long.", 0),
        "s1": _sentence("The average wait is 75 weeks.", 24),
        "s2": _sentence("The average wait is 57 weeks.", 24),  # not what the document says at those offsets
    }
    return context


def test_citations_are_numbered_in_order_of_first_use_and_reused():
    resolver = CitationResolver(_context(), {"d": DOC}.get)
    assert resolver.numbers(["s1"]) == [1]
    assert resolver.numbers(["s0", "s1"]) == [2, 1]
    assert [c.quote for c in resolver.citations] == ["The average wait is 75 weeks.", "Children wait too long."]
    assert resolver.citations[0].page == 2 and resolver.citations[0].area == "Bury"


def test_fabricated_ids_and_non_verbatim_quotes_are_dropped():
    resolver = CitationResolver(_context(), {"d": DOC}.get)
    assert resolver.numbers(["s99"]) == []  # an id the backend made up
    assert resolver.numbers(["s2"]) == []  # a quote that is not the document's text
    assert resolver.numbers(["s1", "s2", "s99"]) == [1]
    assert CitationResolver(_context(), {}.get).numbers(["s0"]) == []  # the document is gone from the index
    assert len(resolver.citations) == 1
