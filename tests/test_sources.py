"""The sources panel's passages: each stretch of a document shown once, every quote cited from it marked in place."""

from __future__ import annotations

from sendqa.types import Answer, Citation
from ui.sources import CONTEXT_CHARS, passages, sources_html

FILLER = "Words that nobody cites. " * 40
TEXT = ("Waits for autism assessment are too long. Leaders know this. " + FILLER
        + "Co-production with parents is strong. <script>alert(1)</script> ends here.")


def _cite(n: int, quote: str, doc_id: str = "d1", kind: str = "quote") -> Citation:
    return Citation(n=n, doc_id=doc_id, source="d1.txt", title="Report", area="Bury", page=None, section=None,
                    quote=quote, citation_type=kind)


def _text(doc_id: str) -> str:
    return TEXT


def test_nearby_quotes_share_a_passage_and_distant_ones_do_not():
    cited = [_cite(1, "Waits for autism assessment are too long."), _cite(2, "Leaders know this."),
             _cite(3, "Co-production with parents is strong.")]
    assert len(FILLER) > 2 * CONTEXT_CHARS
    found = passages(cited, _text)
    assert [[c.n for c in p.citations] for p in found] == [[1, 2], [3]]
    assert [m[2] for m in found[0].marks] == [[1], [2]]


def test_the_same_words_cited_twice_are_one_mark_with_both_numbers():
    cited = [_cite(1, "Leaders know this."), _cite(4, "Leaders know this.")]
    (passage,) = passages(cited, _text)
    assert passage.marks == [(TEXT.index("Leaders"), TEXT.index("Leaders") + len("Leaders know this."), [1, 4])]
    html = sources_html(Answer(question="q", answer="a", abstained=False, backend="extractive", citations=cited), _text)
    assert html.count("Leaders know this.") == 1 and "[1][4]" in html
    assert "id='cite-1'" in html and "id='cite-4'" in html  # both [n] links still find their source


def test_every_passage_is_shown_once_and_escaped():
    cited = [_cite(1, "Waits for autism assessment are too long."), _cite(2, "Leaders know this."),
             _cite(3, "Waits for autism assessment are too long."), _cite(5, "Co-production with parents is strong."),
             _cite(6, "Outcome typically positive: 15 areas.", doc_id="stat", kind="statistic")]
    html = sources_html(Answer(question="q", answer="a", abstained=False, backend="extractive", citations=cited), _text)
    assert html.count("Waits for autism assessment are too long.") == 1
    assert html.count("<div class='passage'>") == 3  # two passages of the report, one statistics row
    assert "<script>" not in html and "&lt;script&gt;" in html
