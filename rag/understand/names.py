"""Names a question shares with the documents: words no English dictionary holds ("Zorbleton", "Testshire") that
the index does. Such a name marks what some documents are about, so the evidence decides where the answer comes
from, not a default: a follow-up stays with the last place only if that place's documents hold the name, and a
question about a name one document holds is answered from the documents rather than the national tables.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+")


def names_held(text: str, lexical) -> dict[str, int]:
    """The question's words that are no English word but are in the index, with how many chunks hold each."""
    from rag.understand.normalise import english_words

    english = english_words()
    names = [w for w in dict.fromkeys(t.lower() for t in _WORD.findall(text)) if w not in english]
    return lexical.word_counts(names)


def rarest_name(text: str, lexical) -> str | None:
    held = names_held(text, lexical)
    return min(held, key=held.get) if held else None


def one_document_name(text: str, lexical) -> str | None:
    """A name of the question that only one document holds (a user's note about "Testshire"), if any."""
    for name in sorted(names := names_held(text, lexical), key=names.get):
        if len({doc for doc, _ in lexical.holding(name)}) == 1:
            return name
    return None
