"""The sources panel: citations grouped by document, a badge for who is speaking, and each passage shown once with
every quote cited from it highlighted in place and marked with its [n]. Every piece of document text is HTML-escaped: a `<script>`, a link or an image inside a
document shows as text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

from sendqa.domain import speaker_label
from sendqa.types import Answer, Citation

CONTEXT_CHARS = 280


def badge(citation: Citation) -> str:
    if citation.citation_type == "statistic":
        return "official statistic"
    if citation.citation_type == "glossary":
        return "glossary"
    if citation.speaker == "Ofsted/CQC":
        return "Ofsted/CQC finding"
    return speaker_label(citation.speaker)


@dataclass
class Passage:
    """One stretch of a document that answer sentences cite: shown once, every cited quote in it highlighted."""

    citations: list[Citation]
    start: int = -1  # where the stretch shown begins in the document text (-1: not located, shown as quoted)
    end: int = -1
    marks: list[tuple[int, int, list[int]]] = field(default_factory=list)  # (start, end, citation numbers)


def passages(citations: list[Citation], document_text: Callable[[str], str | None]) -> list[Passage]:
    """A document's citations as passages: quotes whose surroundings would overlap are one passage, and two
    citations of the same words are one mark. Statistics rows and quotes not found in the text stand alone."""
    located, alone = [], []
    text = document_text(citations[0].doc_id) or "" if citations else ""
    for c in citations:
        start = text.find(c.quote) if c.citation_type != "statistic" and c.quote else -1
        (located if start >= 0 else alone).append((start, c))
    out: list[Passage] = []
    for start, c in sorted(located, key=lambda pair: pair[0]):
        end = start + len(c.quote)
        last = out[-1] if out else None
        if last is not None and start <= last.end + 2 * CONTEXT_CHARS:
            last.citations.append(c)
            last.end = max(last.end, end)
        else:
            out.append(Passage([c], start, end))
        passage = out[-1]
        mark = next((m for m in passage.marks if m[0] < end and start < m[1]), None)
        if mark is None:
            passage.marks.append((start, end, [c.n]))
        else:  # the same words (or words inside them) cited again: one mark, both numbers
            passage.marks[passage.marks.index(mark)] = (min(mark[0], start), max(mark[1], end), mark[2] + [c.n])
    by_quote: dict[str, Passage] = {}
    for _, c in alone:
        if c.quote in by_quote:
            by_quote[c.quote].citations.append(c)
        else:
            by_quote[c.quote] = Passage([c])
    return out + list(by_quote.values())


def passage_html(passage: Passage, document_text: Callable[[str], str | None]) -> str:
    """The passage, escaped, each cited quote in a <mark> carrying its citations' anchors and numbers."""
    if passage.start < 0:
        numbers = [c.n for c in passage.citations]
        return _mark(html.escape(passage.citations[0].quote), numbers)
    text = document_text(passage.citations[0].doc_id) or ""
    begin, finish = max(0, passage.start - CONTEXT_CHARS), min(len(text), passage.end + CONTEXT_CHARS)
    parts, at = ["…" if begin else ""], begin
    for start, end, numbers in sorted(passage.marks):
        parts += [html.escape(text[at:start]), _mark(html.escape(text[start:end]), numbers)]
        at = end
    parts += [html.escape(text[at:finish]), "…" if finish < len(text) else ""]
    return "".join(parts)


def _mark(escaped: str, numbers: list[int]) -> str:
    anchors = "".join(f"<span class='cite' id='cite-{n}'></span>" for n in numbers[1:])
    return (f"<mark class='cite' id='cite-{numbers[0]}'>{escaped}</mark>{anchors}"
            f"<sup>{''.join(f'[{n}]' for n in numbers)}</sup>")


def sources_html(answer: Answer, document_text: Callable[[str], str | None]) -> str:
    if not answer.citations:
        return "<p class='sources-empty'>No sources: this answer quotes nothing.</p>"
    groups: dict[str, list[Citation]] = {}
    for citation in answer.citations:
        groups.setdefault(citation.doc_id, []).append(citation)
    parts = ["<div class='sources'><h3>Sources</h3>"]
    for citations in groups.values():
        first = citations[0]
        facts = [x for x in (first.area, first.publication if first.citation_type == "statistic" else None) if x]
        parts.append(
            f"<details class='source' open data-area='{html.escape(first.area or '', quote=True)}' data-type='{first.citation_type}'><summary><span class='badge'>{html.escape(badge(first))}</span> "
            f"<b>{html.escape(first.title)}</b> <small>({html.escape(first.source)}"
            f"{'; ' + html.escape('; '.join(facts)) if facts else ''})</small></summary>")
        for passage in passages(citations, document_text):
            where = "; ".join(dict.fromkeys(
                x for c in passage.citations for x in (f"p. {c.page}" if c.page else "", c.section or "",
                                                       f"row: {c.row}" if c.row else "") if x))
            numbers = "".join(f"[{c.n}]" for c in passage.citations)
            parts.append(f"<div class='passage'><b>{numbers}</b> <small>{html.escape(where)}</small>"
                         f"<blockquote>{passage_html(passage, document_text)}</blockquote></div>")
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)
