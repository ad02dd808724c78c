"""Words used here: the jargon in an answer's shown sentences, each explained once from the bundled glossary and
cited to it (issue 15: plain words). The glossary is the project's own document (corpus/sendqa-send-glossary.md):
each heading is a term, the first sentence under it says what the term means, and "X is the usual short form of Y"
gives Y another written form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sendqa.types import Citation

_SHORT_FORM = re.compile(r"^(?P<short>[^.]{1,30}?) is the usual short form of (?P<long>[^.]{2,60})\.")
_BRACKETED = re.compile(r"\((?P<form>[A-Za-z][A-Za-z&-]{1,12})\)")  # "speech and language therapy (SALT)"
MAX_TERMS = 6


@dataclass(frozen=True)
class Term:
    name: str
    forms: tuple[str, ...]
    meaning: str  # verbatim from the glossary
    start: int  # of the meaning in the glossary's text
    doc_id: str

    def pattern(self) -> re.Pattern:
        """Whole words, plurals too; an all-capitals form only in capitals ("SEND", not the verb "send")."""
        words = [rf"(?i:\b{re.escape(f)}s?\b)" for f in self.forms if not f.isupper()]
        caps = [rf"\b{re.escape(f)}s?\b" for f in self.forms if f.isupper()]
        return re.compile("|".join(words + caps))


def parse_glossary(text: str, doc_id: str) -> list[Term]:
    """Terms of the glossary document's canonical text: a short line without a full stop, then its paragraph."""
    terms: list[Term] = []
    position, paragraphs = 0, []
    for block in text.split("\n\n"):
        start = text.find(block, position)
        paragraphs.append((block.strip(), start))
        position = start + len(block)
    short_forms: dict[str, list[str]] = {}
    for (heading, _), (body, body_start) in zip(paragraphs[1:], paragraphs[2:]):  # [0] is the title
        if not heading or heading.endswith((".", ":", "?")) or len(heading) > 60 or not body.endswith("."):
            continue
        first = re.split(r"(?<=\.)\s+(?=[A-Z])", body, maxsplit=1)[0]
        forms = [heading] + [m.group("form") for m in _BRACKETED.finditer(first)]
        for sentence in re.split(r"(?<=\.)\s+(?=[A-Z])", body):
            if m := _SHORT_FORM.match(sentence):
                short_forms.setdefault(m.group("long").strip().lower(), []).append(m.group("short").strip())
        terms.append(Term(heading, tuple(dict.fromkeys(forms)), first, body_start, doc_id))
    return [Term(t.name, tuple(dict.fromkeys([*t.forms, *short_forms.get(t.name.lower(), [])])), t.meaning, t.start,
                 t.doc_id) for t in terms]


def words_used(shown: list[str], terms: list[Term], asked: str = "") -> list[Term]:
    """The glossary terms the shown sentences use, in order of first use, at most MAX_TERMS; a term the answer
    itself defines (a definition question) is not explained again."""
    from sendqa.domain import OUTCOME_WORDING, outcomes_mentioned

    text = "\n".join(shown)
    # An outcome however a report words it ("typically lead to positive experiences and outcomes") gets its plain
    # meaning first: it is what a parent most needs explained.
    outcomes = {OUTCOME_WORDING[label].lower() for label in outcomes_mentioned(text)}
    found: list[tuple[int, Term]] = []
    for term in terms:
        if term.meaning in text:
            continue
        if term.name.lower() in outcomes:
            found.append((-1, term))
        elif m := term.pattern().search(text):
            found.append((m.start(), term))
    found.sort(key=lambda pair: pair[0])
    return [term for _, term in found[:MAX_TERMS]]


def citation_for(term: Term, title: str, source: str) -> Citation:
    return Citation(n=0, doc_id=term.doc_id, source=source, title=title, area=None, page=None, section=term.name,
                    quote=term.meaning, speaker="glossary", kind="glossary", citation_type="glossary")



def multiword_forms(terms: list[Term]) -> tuple[str, ...]:
    """The terms' forms written in more than one word ("local offer", "short breaks"): each is one thing a question
    asks about, not its words one by one."""
    return tuple(dict.fromkeys(form for term in terms for form in term.forms if " " in form.strip()))
