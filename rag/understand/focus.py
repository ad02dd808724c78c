"""The part of a message that asks, apart from the background typed before it.

"I run a nursery in Lancashire and several of our two-year-olds aren't talking yet. How many weeks do children wait
for speech and language therapy in Lancashire?" asks its last sentence; the first says who is asking. Searching and
routing the whole message lets the background outvote the question (nursery, two-year-olds, talking), so the asked
part is read on its own, and places named only in the background are added to it. Safety (injected instructions,
false premises) still reads the whole message: an instruction can hide in the background.

This reads sentence boundaries and question marks, an exact form, not wordings: a message with no question mark
(an imperative: "Summarise the Bury report. Three bullets.") is read whole.
"""

from __future__ import annotations

import re

# A sentence ends at . ! or ? followed by a space and the next sentence's first character.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=\S)")


_MIN_WORDS = 3  # "No. of LAPs ...", "Dr. Smith": a stop after a word or two is an abbreviation, not a sentence


def sentences(text: str) -> list[str]:
    parts, pending = [], ""
    for piece in _BOUNDARY.split(text.strip()):
        pending = f"{pending} {piece}".strip() if pending else piece
        if len(pending.split()) >= _MIN_WORDS:
            parts.append(pending)
            pending = ""
    if pending and parts:
        parts[-1] = f"{parts[-1]} {pending}"  # a short last piece belongs to the sentence before it
    elif pending:
        parts.append(pending)
    return parts


def split_context(text: str) -> tuple[str, str]:
    """(background, asked): the asked part runs from the last sentence that ends in a question mark that follows a
    sentence without one; with one sentence, or no question mark, there is no background."""
    parts = sentences(text)
    asks = [i for i, s in enumerate(parts) if s.rstrip().endswith("?")]
    if len(parts) < 2 or not asks:
        return "", text.strip()
    first = asks[-1]
    while first > 0 and first - 1 in asks:  # "Is it good? Is it getting better?": both ask
        first -= 1
    if first == 0:
        return "", text.strip()
    return " ".join(parts[:first]), " ".join(parts[first:])
