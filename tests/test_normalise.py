"""Reading misspelt questions: a token that is no English word is read as the nearest word of the documents; a
real word the documents lack is left alone; a misspelt place is read as that place, alone or beside ordinary words."""

from __future__ import annotations

import pytest

from rag.areas import find_areas
from rag.understand.normalise import english_words, normalise_question

VOCABULARY = frozenset("weeks breaks services waiting parents education assessments deadline involved listened "
                       "compare define lancashire adults ignored offer outstanding".split())
AREAS = ["Bury", "Stoke-on-Trent", "North Yorkshire", "East Sussex", "Enfield", "Somerset"]


@pytest.mark.parametrize("typed, read", [
    ("how many weks", "how many weeks"),  # short, and no word at all
    ("short braeks", "short breaks"),  # a transposition further from its word than a near miss
    ("parnts", "parents"),
    ("waitin", "waiting"),  # cut short: no English word, so the longer corpus word is meant
    ("compar", "compare"),
])
def test_non_words_read_as_the_documents_words(typed, read):
    assert normalise_question(typed, VOCABULARY) == read


@pytest.mark.parametrize("word", ["ignore", "advise", "mite", "offers"])
def test_real_words_are_left_alone(word):
    assert word in english_words()
    assert normalise_question(word, VOCABULARY) == word  # "ignore" is not a typo of "ignored"


def test_the_word_list_is_large_and_lower_case():
    words = english_words()
    assert len(words) > 100_000 and "children" in words and all(w == w.lower() for w in list(words)[:1000])


@pytest.mark.parametrize("question, areas", [
    ("wot does north yorkshre need 2 fix", ["North Yorkshire"]),  # the second word of a name misspelt
    ("east susex send", ["East Sussex"]),
    ("was enfeilds inspection good", ["Enfield"]),  # a possessive without its apostrophe
    ("weaknesses in somerest", ["Somerset"]),  # "in somerest" is not North Somerset
])
def test_misspelt_places(question, areas):
    assert find_areas(question, AREAS, VOCABULARY | {"in", "does", "need", "fix", "send", "was", "good"}).in_corpus == areas


def test_a_word_like_place_is_found_when_the_words_beside_it_are_misspelt():
    from rag.plan import Catalog, plan_question
    from sendqa.settings import load_settings

    catalog = Catalog(areas=["Bury", "Stoke-on-Trent"], languages=[], vocabulary=VOCABULARY | {"and", "with"})
    # "bury" is an ordinary word too; it is a place beside "compare" and "and", which "compar" and "n" stand for
    plan = plan_question("compar bury n stoke-on-trent", catalog, load_settings())
    assert plan.areas == ["Bury", "Stoke-on-Trent"] and plan.question == "compar bury n stoke-on-trent"
