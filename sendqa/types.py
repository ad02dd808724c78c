"""Our typed chain: DocumentRecord -> Chunk -> Evidence -> Answer (with Citations).

llama-index nodes are converted into these at the edge of rag/; the CLI, UI and evals only see these.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from sendqa.domain import KINDS, OUTCOMES, SPEAKERS  # noqa: F401  (re-exported for older imports)


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
    source_url: str | None = Field(None, description="Where `sendqa fetch` downloaded the file from (the official link).")
    fetched_at: str | None = Field(None, description="When it was downloaded, ISO 8601 UTC.")
    etag: str | None = Field(None, description="The server's ETag for the download, for conditional requests.")
    last_modified: str | None = Field(None, description="The server's Last-Modified for the download.")
    also_named: str | None = Field(None, description="Other file names ingested with exactly this content, '; '-separated "
                                                      "(the content is stored once).")


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
    citation_type: Literal["quote", "statistic", "glossary"] = Field(
        "quote", description="quote: a passage of a report or statement; statistic: a row of an official statistics "
                             "table; glossary: an entry of sendqa's SEND glossary.")
    publication: str | None = Field(None, description="Statistics: the publication the table comes from.")
    table: str | None = Field(None, description="Statistics: which table.")
    year: int | None = Field(None, description="Statistics: the year of the row, where it has one.")
    row: str | None = Field(None, description="Statistics: which row (area and year), or 'summary' for a whole-table fact.")
    licence: str | None = Field(None, description="Statistics: the licence they are published under.")
    # Not part of the JSON contract; used to label who is speaking when rendering.
    speaker: str = Field("unknown", exclude=True)
    kind: str = Field("other", exclude=True)
    language: str = Field("en", exclude=True)


class AnswerSentence(BaseModel):
    """One shown sentence: its text, the citations it rests on and who is speaking in them."""

    text: str
    citations: list[int] = Field(default_factory=list, description="Numbers of the citations that support it.")
    speaker: str = Field("unknown", description="Who speaks in its first citation (Ofsted/CQC, council, press...).")
    area: str | None = None
    doc_id: str | None = Field(None, description="The document of its first citation.")
    language: str = Field("en", description="Language of the cited passage (a rewrite may be in English).")
    origin: Literal["quote", "rewrite", "lead", "message", "statistic", "composed"] = Field(
        "quote", description="quote: verbatim from a document; rewrite/lead: written by a model and verified; "
                             "statistic: composed by code from the cited statistics' values; composed: a direct "
                             "answer composed by code from structured facts (an outcome, a count of the points "
                             "shown), cited to where they come from."
    )
    point: int | None = Field(None, description="The key point it belongs to (an index into `points`); None in the "
                                                "lead, and for a note outside the points.")
    heading: str | None = Field(None, description="That point's plain heading, so a stream can show it as it comes.")
    shown: bool = Field(True, description="False for a key point past the first few (`answer.max_points`): kept for "
                                          "'show more' and `sendqa ask --all`, not in `answer`; "
                                          "and for the report's outcome sentence when the lead says it whole (kept "
                                          "for its citation, never shown twice).")


class Verification(BaseModel):
    """What the verifier did with a drafted answer before anything was shown."""

    sentences: int = Field(0, description="Sentences the backend drafted.")
    supported: int = Field(0, description="Drafted sentences shown as written: cited and supported by their passages.")
    dropped: int = Field(0, description="Drafted sentences not shown (unsupported, uncited, or an unresolved quote).")
    replaced: int = Field(0, description="Unsupported rewrites shown as the verbatim passage they cite instead.")


class Answer(BaseModel):
    """What `sendqa ask --json` prints (fields marked exclude stay internal). Fields are added, never renamed."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    backend: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    sentences: list[AnswerSentence] = Field(default_factory=list)
    verification: Verification = Field(default_factory=Verification)
    notice: str | None = Field(None, description="A problem the user should know of, e.g. the LLM failed mid-answer.")
    rewritten: str | None = Field(None, description="In a conversation: the standalone question that was searched.")
    briefing: dict | None = Field(None, description="Briefing mode: {'area', 'sections': [{'heading', 'bullets': "
                                                     "[{'text', 'citations'}]}]}; see rag.brief.briefing_markdown.")
    comparison: dict | None = Field(None, description="Compare mode: {'areas': [...], 'aspects': [{'aspect', 'cells': "
                                                       "[{'area', 'text', 'citations'}]}]}, one cited cell per area.")
    glossary: list[dict] = Field(
        default_factory=list, description="Words used here: [{'term', 'meaning', 'citation'}], the jargon in the "
                                          "shown sentences explained once each from the bundled glossary, cited.")
    lead: dict | None = Field(None, description="The direct answer, read first: {'text', 'citations', 'sentences'} "
                                                "(indices into `sentences`).")
    points: list[dict] = Field(
        default_factory=list, description="The key points after the lead, in order: [{'heading', 'text', 'citations', "
                                          "'sentences', 'speaker', 'area', 'shown'}]; heading is plain ('What needs "
                                          "to get better'); shown is false past the first `answer.max_points`.")
    reports_to_fetch: list[str] = Field(
        default_factory=list, description="Areas asked about whose published report is not held but is listed in the "
                                          "bundled table: `sendqa fetch AREA` (or the app's button) gets it.")
    retrieved_doc_ids: list[str] = Field(default_factory=list, exclude=True)
    reason: str | None = Field(None, exclude=True, description="Why the answer abstained, for logs and evals.")

    def contract(self) -> dict:
        """The stable JSON object evaluations are built on."""
        return self.model_dump(mode="json")
