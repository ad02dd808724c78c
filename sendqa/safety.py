"""Text inside a document that is addressed to a language model ("ignore all previous instructions ...").

Document text is data: it is shown as quotes and given to a model only inside numbered passages. A sentence that
instructs the model is never either, so no backend can act on it and no answer shows it as if it answered. The
pattern reads exact injection forms (an instruction to drop earlier instructions, a request for the prompt, a
role marker at the start of a line), not a question's wording; an inspection report never uses them.
"""

from __future__ import annotations

import re

_ADDRESSED_TO_A_MODEL = re.compile(
    r"\b(ignore|disregard|forget|override)\b\W+(?:\w+\W+){0,3}?(previous|prior|above|earlier|preceding|your|the system)"
    r"\W+(?:\w+\W+){0,2}?(instructions?|prompts?|rules|guidelines|directions)\b"
    r"|\b(system|developer|hidden|initial)\s+(prompt|message|instructions)\b"
    r"|^\s*(system|assistant|user)\s*:"
    r"|<\|?(im_start|im_end|system|assistant)\|?>"
    r"|\[/?INST\]",
    re.I | re.M,
)


def addressed_to_a_model(text: str) -> bool:
    """Whether the text instructs a language model rather than saying something about SEND services."""
    return bool(_ADDRESSED_TO_A_MODEL.search(text))


def instructions_in(text: str) -> int:
    """How many lines of a document's text instruct a language model (reported at ingest)."""
    return sum(1 for line in text.splitlines() if addressed_to_a_model(line))


# Terminal escapes whole (a colour, a cursor move, an OSC 8 hyperlink with its address), then any control left.
_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """Text with terminal escapes and control characters removed (line breaks, tabs and form feeds kept): a
    document's text is shown in terminals and browsers, where an escape could recolour, hide or link text."""
    return _CONTROL.sub("", _TERMINAL_ESCAPE.sub("", text))
