"""The sources panel: citations grouped by document, a badge for who is speaking, each quote highlighted inside its
surrounding passage. Every piece of document text is HTML-escaped: a `<script>`, a link or an image inside a
document shows as text.
"""

from __future__ import annotations

import html
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


def in_context(citation: Citation, document_text: Callable[[str], str | None]) -> str:
    """The quote in its passage, escaped, with the quote itself in <mark>."""
    text = document_text(citation.doc_id) or ""
    start = text.find(citation.quote)
    if start < 0 or citation.citation_type == "statistic":
        return f"<mark>{html.escape(citation.quote)}</mark>"
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[start + len(citation.quote):start + len(citation.quote) + CONTEXT_CHARS]
    return (("…" if start > CONTEXT_CHARS else "") + html.escape(before) + f"<mark>{html.escape(citation.quote)}</mark>"
            + html.escape(after) + ("…" if len(text) > start + len(citation.quote) + CONTEXT_CHARS else ""))


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
        for c in citations:
            where = ", ".join(x for x in (f"p. {c.page}" if c.page else "", c.section or "",
                                          f"row: {c.row}" if c.row else "") if x)
            parts.append(f"<div class='cite' id='cite-{c.n}'><b>[{c.n}]</b> <small>{html.escape(where)}</small>"
                         f"<blockquote>{in_context(c, document_text)}</blockquote></div>")
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)
