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


def test_a_word_people_ask_with_is_a_typos_target_where_no_document_has_it():
    from rag.understand.normalise import question_words

    words = question_words()
    assert "papers" in words and "papers" not in VOCABULARY  # the press is asked about as "the papers"
    assert "paprs" not in words and "wot" not in words  # misspelt examples add no targets: English words only
    assert normalise_question("wot did the paprs say", VOCABULARY | words) == "what did the papers say"


@pytest.mark.parametrize("typed, read", [
    ("waiting 2 yrs 4 an ehcp", "waiting 2 years for an ehcp"),  # a digit before a length of time is a number
    ("waited 4 weeks 4 a reply", "waited 4 weeks for a reply"),
    ("is the forum listened 2", "is the forum listened to"),  # alone, text-speak's "2" is still "to"
])
def test_a_digit_counting_time_stays_a_number(typed, read):
    assert normalise_question(typed, VOCABULARY | {"for", "an", "ehcp", "reply", "forum"}) == read


def test_a_misspelt_place_is_searched_for_by_its_name():
    from rag.plan import Catalog, plan_question
    from sendqa.settings import load_settings

    catalog = Catalog(areas=["Surrey", "Bury"], languages=[], vocabulary=VOCABULARY | {"survey", "normal", "in"})
    plan = plan_question("is waiting normal in surey", catalog, load_settings())
    # "surey" was read as Surrey: the search text says so, not the nearest ordinary word ("survey")
    assert plan.areas == ["Surrey"] and "survey" not in plan.query.lower() and "surrey" in plan.query.lower()
