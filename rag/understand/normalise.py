"""The question as retrieval should see it: text-speak spelled out, misspelt words read as the corpus's words.

Only the search text changes; answers always show the question as typed. A word is corrected only when it is not
a word of the indexed documents and one of them is very close to it ("referal" -> "referral").
"""

from __future__ import annotations

import csv
import difflib
import re
from functools import lru_cache
from pathlib import Path

# Text-speak, abbreviations and officers' shorthand, whole words only: a table (shorthand.csv beside this file), so a new
# short form is a row, not code.
SHORTHAND_TABLE = Path(__file__).with_name("shorthand.csv")


@lru_cache(maxsize=1)
def shorthand() -> dict[str, str]:
    with SHORTHAND_TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["typed"].lower(): row["means"] for row in csv.DictReader(handle)}


# Phrases the reports never use for what they do say: "has Hull got better?" is "has Hull improved?".
_PHRASES = ((re.compile(r"\b(?:got|gotten|become|became) better\b", re.I), "improved"),
            (re.compile(r"\b(?:got|gotten|become|became) worse\b", re.I), "declined"))
_WORD = re.compile(r"[A-Za-z0-9/]+|[^A-Za-z0-9/]+")
_TYPO_MIN_LEN = 5
_TYPO_CUTOFF = 0.86


def normalise_question(question: str, vocabulary: frozenset[str]) -> str:
    """Spell out shorthand; replace words unknown to the corpus with a very close corpus word."""
    for phrase, plain in _PHRASES:
        question = phrase.sub(plain, question)
    out = []
    table = shorthand()
    for token in _WORD.findall(question):
        low = token.lower()
        if low in table and token.isascii():
            out.append(table[low])
        elif token.isalpha() and len(token) >= _TYPO_MIN_LEN and vocabulary and low not in vocabulary:
            out.append(_closest(low, vocabulary) or token)
        else:
            out.append(token)
    return "".join(out)


def _closest(word: str, vocabulary: frozenset[str]) -> str | None:
    return _closest_cached(word, vocabulary)


@lru_cache(maxsize=4096)
def _closest_cached(word: str, vocabulary: frozenset[str]) -> str | None:
    same_start = [w for w in vocabulary if w[:1] == word[:1] and abs(len(w) - len(word)) <= 2]
    found = difflib.get_close_matches(word, same_start, n=1, cutoff=_TYPO_CUTOFF)
    if not found or found[0].startswith(word) or word.startswith(found[0]):
        return None  # "ignore" is not a typo of "ignored": an inflection the corpus lacks is still a word
    return found[0]
