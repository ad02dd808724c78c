"""A statement or article sentence's lean (toward what must improve, or what works), read off the labelled sentences
nearest it: the held reports' action and strength sections, and the written examples."""

from __future__ import annotations

import numpy as np
import pytest

from rag.section_lean import _examples, labelled_sentences, section_lean
from tests.conftest import needs_shared

ITEMS = ["Too many children and young people not accessing education because of the disproportionate use of "
         "exclusion and poor inclusive practices across the area.",
         "Poor assessment and meeting of need caused by inconsistent practice leading to poor outcomes for children "
         "and young people with SEND."]
PLEASED = "We are pleased that the re-visit letter recognised many of the improvements to SEND services in Somerset."


def _qa(home):
    from rag.qa import QA
    from sendqa.settings import load_settings

    return QA(load_settings({"home": home}))


def _leans(index, texts):
    return section_lean(index, index.sentence_vectors.encode(texts))


def test_the_written_examples_are_balanced_and_unique():
    examples = _examples()
    texts = [text for text, _ in examples]
    assert len(texts) == len(set(texts)) >= 200
    improve = sum(side > 0 for _, side in examples)
    assert 0.4 < improve / len(examples) < 0.6


def test_with_no_report_held_the_examples_alone_place_a_statement(corpus_home):
    index = _qa(corpus_home).index
    vectors, sides = labelled_sentences(index)
    assert len(sides) == len(_examples()) and vectors.shape[0] == len(sides)
    leans = _leans(index, [*ITEMS, PLEASED])
    assert (leans[:2] > 0).all() and leans[2] < 0
    assert ((-1 <= leans) & (leans <= 1)).all()


def test_a_lead_in_leans_as_its_items_do(corpus_home):
    """"Two areas of weakness remain ...:" opens the answer with its two items, not "seven out of the nine former
    areas of significant weakness have improved:" (whose items are what improved), however the question is put."""
    qa = _qa(corpus_home)
    for question in ("wat weaknesses are left in somerset", "Which weaknesses has Somerset still got?"):
        answer = qa.ask(question)
        first = answer.answer.splitlines()[0]
        assert first.startswith("[Somerset · council and NHS statement] Two areas of weakness remain"), question
        assert all(item in answer.answer for item in ITEMS)


def test_what_works_leads_with_what_the_statement_welcomes(corpus_home):
    answer = _qa(corpus_home).ask("what is going well in somerset")
    assert "Two areas of weakness remain" not in answer.answer.splitlines()[0]


@needs_shared
def test_held_reports_label_their_own_sentences(full_home):
    index = _qa(full_home).index
    vectors, sides = labelled_sentences(index)
    assert len(sides) > 10 * len(_examples())
    assert np.isclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3).all()  # cosine by dot product
    leans = _leans(index, [*ITEMS, PLEASED])
    assert (leans[:2] > 0.3).all() and leans[2] < 0
    # a second call reuses the labelled set while the reports held are the same
    assert labelled_sentences(index)[0] is vectors


@pytest.mark.parametrize("question", ["What weaknesses remain in Somerset?", "what still needs fixing in somerset"])
@needs_shared
def test_improve_questions_on_a_statement_open_with_what_remains(full_qa, question):
    first = full_qa.ask(question).answer.splitlines()[0]
    assert "Two areas of weakness remain" in first
