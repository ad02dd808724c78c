from rag.areas import area_key, find_areas

CORPUS_AREAS = ["Bury", "Somerset", "Stoke-on-Trent", "Kingston upon Hull", "Bedford Borough", "Telford and Wrekin"]


def test_area_key_normalises_official_names():
    assert area_key("Kingston upon Hull, City of") == "kingston upon hull"
    assert area_key("Telford & Wrekin") == "telford and wrekin"
    assert area_key("Bury's") == "bury"


def test_find_areas_in_and_out_of_corpus():
    match = find_areas("How does Hull compare with Stoke?", CORPUS_AREAS)
    assert match.in_corpus == ["Kingston upon Hull", "Stoke-on-Trent"] and not match.unknown
    assert find_areas("What was the outcome of Bury's 2024 inspection?", CORPUS_AREAS).in_corpus == ["Bury"]
    assert find_areas("Bedford inspection outcome", CORPUS_AREAS).in_corpus == ["Bedford Borough"]
    # Longest name wins: North Somerset is a different council from Somerset.
    assert find_areas("What about North Somerset?", CORPUS_AREAS).unknown == ["North Somerset"]
    assert find_areas("Is Kent any good?", CORPUS_AREAS).unknown == ["Kent"]
    # Everyday words are place names only when capitalised.
    assert find_areas("reading support in schools", CORPUS_AREAS).unknown == []
    assert find_areas("How is Reading doing?", CORPUS_AREAS).unknown == ["Reading"]


def test_a_place_that_is_also_a_word_counts_as_the_question_s_last_word():
    assert find_areas("who inspected bury", CORPUS_AREAS).in_corpus == ["Bury"]
    assert find_areas("who inspected hull?", CORPUS_AREAS).in_corpus == ["Kingston upon Hull"]
    assert find_areas("how do schools bury bad news about send", CORPUS_AREAS).in_corpus == []
