"""Names a question shares with the documents: words no English dictionary holds ("Zorbleton", "Testshire") that
the index does. Such a name marks what some documents are about, so the evidence decides where the answer comes
from, not a default: a follow-up stays with the last place only if that place's documents hold the name, and a
question about a name one document holds is answered from the documents rather than the national tables.
"""

from __future__ import annotations


def names_held(text: str, lexical) -> dict[str, int]:
    """The question's words that are no English word but are in the index, with how many chunks hold each."""
    from rag.understand.normalise import english_words

    english = english_words()
    words = "".join(ch.lower() if ch.isascii() and ch.isalpha() else " " for ch in text).split()
    names = [w for w in dict.fromkeys(words) if w not in english]
    return lexical.word_counts(names)


def holders(name: str, lexical) -> set[tuple[str, str]]:
    """(doc_id, area) of the documents that hold a name, the glossary aside: a term it defines ("WSoA") is
    jargon every area's documents may use, not what one document is about."""
    return {(doc, area) for doc, area, kind in lexical.holding(name) if kind != "glossary"}


def rarest_name(text: str, lexical) -> tuple[str, set[tuple[str, str]]] | None:
    """The question's rarest name that documents other than the glossary hold, and those documents."""
    held = names_held(text, lexical)
    for name in sorted(held, key=held.get):
        if docs := holders(name, lexical):
            return name, docs
    return None


def one_document_name(text: str, lexical) -> str | None:
    """A name of the question that only one document holds (a user's note about "Testshire"), if any."""
    held = names_held(text, lexical)
    for name in sorted(held, key=held.get):
        if len({doc for doc, _ in holders(name, lexical)}) == 1:
            return name
    return None
