"""What an answer backend produces before citations are resolved: sentences that cite evidence sentences by id."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.intent import QuestionCheck
from rag.sentences import Sentence


@dataclass
class DraftSentence:
    text: str
    cites: list[str]  # ids of candidate sentences (see Context.sentences)


@dataclass
class Draft:
    sentences: list[DraftSentence] = field(default_factory=list)
    abstained: bool = False
    reason: str | None = None
    message: str | None = None  # shown instead of (or before) sentences when abstaining


@dataclass
class Context:
    """Everything a backend may use to answer: the question, its reading, and numbered evidence sentences."""

    question: str
    check: QuestionCheck  # how the question reads: intent, figures or names wanted, speaker asked about
    areas: list[str]
    sentences: dict[str, Sentence] = field(default_factory=dict)  # id -> sentence
    scores: dict[str, float] = field(default_factory=dict)  # id -> relevance 0..1
    lexical: dict[str, float] = field(default_factory=dict)  # id -> share of the question's content words present
    pinned: list[str] = field(default_factory=list)  # ids that must lead the answer (e.g. outcome sentences)
