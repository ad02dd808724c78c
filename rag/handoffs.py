"""The typed hand-offs between stages: plan -> retrieve -> evidence -> select -> draft -> verify -> cite."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.understand.intent import QuestionCheck
from rag.sentences import Sentence


@dataclass
class Context:
    """Stage 3, evidence: the question, its reading, and scored evidence sentences (ids "s0", "s1", ...)."""

    question: str
    check: QuestionCheck  # how the question reads: intent, figures or names wanted, speaker asked about
    areas: list[str]
    sentences: dict[str, Sentence] = field(default_factory=dict)  # id -> sentence
    scores: dict[str, float] = field(default_factory=dict)  # id -> relevance 0..1.5
    lexical: dict[str, float] = field(default_factory=dict)  # id -> share of the question's content words present
    features: dict[str, tuple[float, ...]] = field(default_factory=dict)  # id -> rag.understand.relevance.FEATURES
    relevance: dict[str, float] = field(default_factory=dict)  # id -> calibrated probability that it answers
    pinned: list[str] = field(default_factory=list)  # ids that must lead the answer (e.g. outcome sentences)
    # ids that state what the question's form asks for: what leaders plan, did or are doing ("what are they doing
    # about it?"), how long something takes ("how long is the wait?"); one of them answers first
    preferred: set[str] = field(default_factory=set)
    vectors: dict[str, object] = field(default_factory=dict, repr=False)  # id -> its normalised sentence embedding
    # The question's own subject words (not its areas, the kind of source or who speaks); empty for "what did the
    # council say?"
    subject_terms: frozenset[str] = frozenset()
    # The subject without the words that gave the intent: "EHC plans" in "any issues with EHC plans in Bolton?"
    topic_terms: frozenset[str] = frozenset()

    def ranked(self) -> list[str]:
        return sorted(self.scores, key=lambda sid: self.scores[sid], reverse=True)


@dataclass
class Selection:
    """Stage 4, select: what the answer says (sentence ids in answer order), or why it abstains."""

    context: Context
    chosen: list[str] = field(default_factory=list)
    abstained: bool = False
    reason: str | None = None


@dataclass
class DraftSentence:
    """Stage 5, draft: one sentence a backend wrote, citing evidence sentence ids."""

    text: str
    cites: list[str]  # ids of evidence sentences (see Context.sentences)
    origin: str = "quote"  # quote (verbatim), rewrite (a model's plain-English version of cites), lead (model summary)

