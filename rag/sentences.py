"""Evidence chunks split into sentences and bullet items, each keeping its offsets in the document text."""

from __future__ import annotations

from dataclasses import dataclass

from sendqa.sentences import sentence_spans
from sendqa.types import Evidence


@dataclass
class Sentence:
    text: str
    start: int  # offset in the document's canonical text
    end: int
    evidence: Evidence
    position: int  # index within its chunk


def split_sentences(evidence: Evidence) -> list[Sentence]:
    return [Sentence(evidence.text[s:e], evidence.start + s, evidence.start + e, evidence, i)
            for i, (s, e) in enumerate(sentence_spans(evidence.text))]


def ends_as_sentence(text: str) -> bool:
    """Whether text ends as a sentence does; headlines, page furniture and table fragments do not."""
    return text.rstrip().endswith((".", "!", "?", ":", "”", '"', "’", ")"))


def is_bullet(sentence: Sentence) -> bool:
    """Whether the sentence is a bullet item (ingest writes every list marker as "•")."""
    ev = sentence.evidence
    offset = sentence.start - ev.start
    return ev.text[max(0, offset - 2):offset].strip() == "•"
