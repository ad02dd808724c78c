"""Split evidence into sentences and bullet items, keeping their offsets in the document text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sendqa.types import Evidence

# A sentence ends at . ! ? (and any closing quotes) before space and a capital, quote, bullet or digit; or at a newline.
_BOUNDARY = re.compile(r"[.!?][”’\"')]*(?P<gap>\s+)(?=[A-Z“‘\"(•0-9])|(?P<newline>\n+)")
_NO_SPLIT_BEFORE = re.compile(r"(?:\b(?:e\.g|i\.e|etc|Dr|Mr|Mrs|Ms|Cllr|St|No|vs)\.)$")


@dataclass
class Sentence:
    text: str
    start: int  # offset in the document's canonical text
    end: int
    evidence: Evidence
    position: int  # index within its chunk


def split_sentences(evidence: Evidence) -> list[Sentence]:
    text = evidence.text
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        gap = "gap" if m.group("gap") else "newline"
        if gap == "gap" and _NO_SPLIT_BEFORE.search(text[max(0, m.start() - 6):m.start() + 1]):
            continue
        pieces.append((start, m.start(gap)))
        start = m.end(gap)
    pieces.append((start, len(text)))
    out = []
    for i, (s, e) in enumerate(pieces):
        s, e = _strip(text, s, e)
        if e - s < 12:
            continue
        out.append(Sentence(text[s:e], evidence.start + s, evidence.start + e, evidence, i))
    return out


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (text[s].isspace() or text[s] in "•"):
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
