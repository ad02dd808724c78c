"""Our typed chain: DocumentRecord -> Chunk -> Evidence -> Answer (with Citations).

llama-index nodes are converted into these at the edge of rag/; the CLI, UI and evals only see these.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

KINDS = ("inspection report", "revisit letter", "council or NHS statement", "news article", "other")
SPEAKERS = ("Ofsted/CQC", "council", "NHS", "council and NHS", "press", "politician", "unknown")
OUTCOMES = ("positive", "inconsistent", "widespread and/or systemic failings")


class DocumentRecord(BaseModel):
    """One ingested file and the facts extracted from it (a row of the document table)."""

    doc_id: str
    source: str = Field(description="The ingested file's name.")
    title: str
    area: str | None = None
    kind: str = "other"
    speaker: str = "unknown"
    date: str | None = Field(None, description="Publication date, ISO yyyy-mm-dd (or yyyy-mm) where known.")
    language: str = "en"
    inspection_dates: str | None = None
    previous_inspection: str | None = None
    outcome: str | None = Field(None, description="One of OUTCOMES for 2023-framework reports.")
    outcome_sentence: str | None = None
    wsoa_required: bool | None = Field(None, description="2016-22 letters: was a written statement of action required?")
    sha256: str = ""
    n_chunks: int = 0
    n_chars: int = 0


class Chunk(BaseModel):
    """A contiguous span of a document's text, cut along its structure."""

    doc_id: str
    text: str
    start: int
    end: int
    page: int | None
    section: str | None


class Evidence(Chunk):
    """A retrieved chunk with its document's facts and a fused relevance score."""

    chunk_id: str
    score: float
    source: str
    title: str
    area: str | None
    kind: str
    speaker: str
    language: str
    date: str | None = None


class Citation(BaseModel):
    """A resolved citation: the verbatim quote and where it stands."""

    n: int
    doc_id: str
    source: str
    title: str
    area: str | None
    page: int | None
    section: str | None
    quote: str
    # Not part of the JSON contract; used to label who is speaking when rendering.
    speaker: str = Field("unknown", exclude=True)
    kind: str = Field("other", exclude=True)
    language: str = Field("en", exclude=True)


class Answer(BaseModel):
    """What `sendqa ask --json` prints (fields marked exclude stay internal)."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    backend: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    retrieved_doc_ids: list[str] = Field(default_factory=list, exclude=True)
    reason: str | None = Field(None, exclude=True, description="Why the answer abstained, for logs and evals.")

    def contract(self) -> dict:
        """The stable JSON object evaluations are built on."""
        return self.model_dump(mode="json")
