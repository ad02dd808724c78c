"""Property tests (issue 17, item 8), with hypothesis: what must hold for any input, not only the examples written."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingest.blocks import Block, assemble
from ingest.chunking import chunk_document
from rag.cite import CitationResolver
from rag.handoffs import Context
from rag.sentences import Sentence
from rag.understand.gazetteer import default_gazetteer
from rag.understand.intent import QuestionCheck
from rag.verify import Thresholds, decide, features
from sendqa.sentences import sentence_spans
from sendqa.types import Evidence

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = st.text(alphabet=string.ascii_letters + "’'-", min_size=1, max_size=12)
SENTENCE = st.builds(lambda words, end: " ".join(words) + end, st.lists(WORDS, min_size=1, max_size=14),
                     st.sampled_from([".", "!", "?", "", ":", ". "]))
PROSE = st.lists(st.one_of(SENTENCE, st.sampled_from(["e.g. this", "Mr. Smith said so.", "3.5 weeks", "\n", "• item",
                                                       "“Quoted.”", "(SEND)"])),
                 min_size=0, max_size=12).map(" ".join)
BLOCKS = st.lists(st.builds(Block, st.sampled_from(["heading", "para", "bullet"]), PROSE,
                            st.one_of(st.none(), st.integers(1, 40))), max_size=25)


@FAST
@given(BLOCKS, st.integers(40, 900))
def test_chunk_offsets_always_slice_back_to_the_text(blocks, max_chars):
    text, spans = assemble(blocks)
    chunks = chunk_document("d", text, spans, max_chars)
    for chunk in chunks:
        assert text[chunk.start:chunk.end] == chunk.text and chunk.text.strip()
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:]))  # chunks never overlap


@FAST
@given(PROSE, st.integers(1, 40))
def test_sentence_spans_are_ordered_disjoint_slices(text, min_chars):
    spans = sentence_spans(text, min_chars)
    for start, end in spans:
        assert 0 <= start < end <= len(text) and text[start:end].strip() == text[start:end]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # no letter is lost between sentences: what lies outside every span is space or punctuation only
    outside = "".join(text[a:b] for a, b in zip([0] + [e for _, e in spans], [s for s, _ in spans] + [len(text)]))
    assert min_chars > 1 or not any(ch.isalnum() for ch in outside), repr(outside)


def _evidence(text: str, start: int = 0, doc_id: str = "d") -> Evidence:
    return Evidence(doc_id=doc_id, text=text, start=start, end=start + len(text), page=None, section=None,
                    chunk_id=f"{doc_id}-{start}", score=0.0, source="d.txt", title="A report", area="Bury",
                    kind="inspection report", speaker="Ofsted/CQC", language="en")


@FAST
@given(PROSE.filter(lambda t: t.strip()), st.lists(st.text(alphabet="s0123456789x", max_size=4), max_size=8),
       st.text(max_size=20))
def test_a_cited_quote_is_always_a_substring_of_its_document_and_unknown_ids_are_dropped(document, asked, tamper):
    spans = sentence_spans(document, 1)
    assume(spans)
    sentences = {f"s{i}": Sentence(document[s:e], s, e, _evidence(document), i) for i, (s, e) in enumerate(spans)}
    if tamper and len(sentences) > 1:  # one sentence whose text no longer matches the document
        first = sentences["s0"]
        sentences["s0"] = Sentence(first.text + tamper, first.start, first.end, first.evidence, 0)
    context = Context(question="q", check=QuestionCheck(), areas=[], sentences=sentences)
    resolver = CitationResolver(context, lambda doc_id: document if doc_id == "d" else None)
    numbers = resolver.numbers(asked + list(sentences))
    assert len(numbers) == len(set(numbers)) and set(numbers) == set(range(1, len(resolver.citations) + 1))
    for citation in resolver.citations:
        assert citation.quote and citation.quote in document  # verbatim, always
    # every existing sentence whose text is its document's gets one citation; made-up ids and the tampered one none
    known = {(s.start, s.end) for s in sentences.values() if document[s.start:s.end] == s.text}
    assert len(resolver.citations) == len(known)
    assert resolver.numbers([sid for sid in asked if sid not in sentences]) == []


@FAST
@given(SENTENCE.filter(lambda t: len(t.split()) >= 3), st.integers(0, 10_000), st.sampled_from(["", "%", " weeks"]))
def test_a_sentence_adding_a_number_the_passage_lacks_is_never_supported(passage, number, unit):
    assume(str(number) not in passage)
    passage_sentence = Sentence(passage, 0, len(passage), _evidence(passage), 0)
    claim = f"{passage.rstrip('.!?: ')} for {number}{unit} of children."
    f = features(claim, [passage_sentence], lambda doc_id: None)
    verdict = decide(f, similarity=1.0, thresholds=Thresholds(min_similarity=0.0, min_coverage=0.0))
    assert not verdict.supported and str(number) in " ".join(verdict.reasons)


_PLACES = default_gazetteer().places()


@FAST
@given(st.sampled_from(_PLACES), st.lists(st.booleans(), min_size=60, max_size=60), st.integers(1, 3),
       st.integers(0, 3), st.integers(0, 3))
def test_any_casing_or_spacing_of_a_name_resolves_to_the_same_place(place, upper, gap, before, after):
    gaz = default_gazetteer()
    cased = "".join(ch.upper() if flip else ch.lower() for ch, flip in zip(place.name, upper + [False] * 200))
    typed = " " * before + (" " * gap).join(cased.split(" ")) + " " * after
    found = gaz.lookup(typed)
    assert found is not None and found.name == gaz.lookup(place.name).name, (typed, place.name)


LOWER_WORD = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=10)


@FAST
@given(st.lists(LOWER_WORD, min_size=2, max_size=4))
def test_a_hyphenated_word_matches_its_joined_spelling_and_its_parts(parts):
    """'re-visit' is 'revisit' (one concept, whichever way either side writes it), and 'child-centred' still answers
    'child centred' when a sentence's terms are expanded."""
    from rag.evidence import content_terms

    hyphenated, joined = "-".join(parts), "".join(parts)
    assert content_terms(hyphenated) == content_terms(joined)
    assert content_terms(" ".join(parts)) <= content_terms(hyphenated, expand=True)
