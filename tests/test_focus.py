"""The asked part of a message is read apart from the background typed before it."""

from rag.understand.focus import split_context


def test_background_before_a_question_is_set_apart():
    background, asked = split_context("I run a nursery in Lancashire. How long are waits for speech therapy?")
    assert background == "I run a nursery in Lancashire." and asked == "How long are waits for speech therapy?"


def test_a_message_without_background_is_read_whole():
    assert split_context("How long are waits in Bury?") == ("", "How long are waits in Bury?")
    assert split_context("Summarise the Bury report. Three bullets.")[0] == ""  # no question mark: an imperative
    assert split_context("Is Bury good? Is it getting better?")[0] == ""  # every sentence asks
    both = split_context("We moved last year. Is Bury good? Is it getting better?")
    assert both == ("We moved last year.", "Is Bury good? Is it getting better?")


def test_an_abbreviation_is_no_sentence_end():
    assert split_context("No. of LAPs with widespread failings?") == ("", "No. of LAPs with widespread failings?")
