"""The one sentence splitter: ingest (long blocks), rag (evidence sentences) and evals (answers) all use it."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (and any closing quotes) before space and a capital, quote, bullet or digit; or at a newline.
_BOUNDARY = re.compile(r"[.!?][”’\"')]*(?P<gap>\s+)(?=[A-Z“‘\"(•0-9])|(?P<newline>\n+)")
_NO_SPLIT_BEFORE = re.compile(r"(?:\b(?:e\.g|i\.e|etc|Dr|Mr|Mrs|Ms|Cllr|St|No|vs)\.)$")
MIN_CHARS = 12  # shorter pieces ("•", "p. 3") say nothing on their own


def sentence_spans(text: str, min_chars: int = MIN_CHARS) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence or bullet item in text, stripped of spaces and bullet marks."""
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
    for s, e in pieces:
        while s < e and (text[s].isspace() or text[s] == "•"):
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= min_chars:
            out.append((s, e))
    return out


def split_sentences(text: str, min_chars: int = MIN_CHARS) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, min_chars)]
