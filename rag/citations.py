"""Resolve a draft's cited sentence ids into numbered, verified citations and the final answer text."""

from __future__ import annotations

from typing import Callable

from rag.draft import Context, Draft
from sendqa.types import Citation

_SPEAKER_LABELS = {
    "Ofsted/CQC": "Ofsted/CQC report",
    "press": "news article",
    "council": "council statement",
    "NHS": "NHS statement",
    "council and NHS": "council and NHS statement",
    "politician": "politician's statement",
}


def attribution(area: str | None, speaker: str, language: str) -> str:
    """A tag naming who speaks: council and press statements are not inspection findings."""
    label = _SPEAKER_LABELS.get(speaker, "document")
    if language != "en":
        label += f", in {'Italian' if language == 'it' else language}"
    return f"[{area + ' · ' if area else ''}{label}]"


def resolve(draft: Draft, context: Context, document_text: Callable[[str], str | None]) -> tuple[str, list[Citation]]:
    """Number citations in order of first use, drop any whose quote is not verbatim in its document."""
    citations: list[Citation] = []
    number_of: dict[tuple[str, int, int], int] = {}
    lines: list[str] = []
    last_doc: str | None = None
    for sentence in draft.sentences:
        numbers = []
        for sid in sentence.cites:
            cited = context.sentences.get(sid)
            if cited is None:
                continue  # the backend cited something that does not exist
            ev = cited.evidence
            key = (ev.doc_id, cited.start, cited.end)
            if key not in number_of:
                text = document_text(ev.doc_id)
                if text is None or text[cited.start:cited.end] != cited.text:
                    continue  # never show a quote we cannot find verbatim in its document
                number_of[key] = len(citations) + 1
                citations.append(Citation(n=number_of[key], doc_id=ev.doc_id, source=ev.source, title=ev.title,
                                          area=ev.area, page=ev.page, section=ev.section, quote=cited.text,
                                          speaker=ev.speaker, kind=ev.kind, language=ev.language))
            numbers.append(number_of[key])
        if not numbers:
            continue  # an uncited sentence is never shown
        first = citations[numbers[0] - 1]
        tag = "" if first.doc_id == last_doc else attribution(first.area, first.speaker, first.language) + " "
        last_doc = first.doc_id
        lines.append(f"{tag}{sentence.text} {''.join(f'[{n}]' for n in dict.fromkeys(numbers))}")
    return "\n".join(lines), citations
