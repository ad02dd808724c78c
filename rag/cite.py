"""Stage 7, cite: evidence ids -> numbered citations, each quote checked verbatim against its document."""

from __future__ import annotations

from typing import Callable

from rag.handoffs import Context
from sendqa.types import Citation


class CitationResolver:
    """Numbers citations in order of first use; a quote not verbatim in its document is never cited."""

    def __init__(self, context: Context, document_text: Callable[[str], str | None]):
        self.context = context
        self._document_text = document_text
        self.citations: list[Citation] = []
        self._number_of: dict[tuple[str, int, int], int] = {}

    def numbers(self, sentence_ids: list[str]) -> list[int]:
        """Citation numbers for these evidence sentences (ids that do not exist or do not resolve are dropped)."""
        out: list[int] = []
        for sid in sentence_ids:
            cited = self.context.sentences.get(sid)
            if cited is None:
                continue  # the backend cited something that does not exist
            ev = cited.evidence
            key = (ev.doc_id, cited.start, cited.end)
            if key not in self._number_of:
                text = self._document_text(ev.doc_id)
                if text is None or text[cited.start:cited.end] != cited.text:
                    continue
                self._number_of[key] = len(self.citations) + 1
                self.citations.append(Citation(n=self._number_of[key], doc_id=ev.doc_id, source=ev.source,
                                               title=ev.title, area=ev.area, page=ev.page, section=ev.section,
                                               quote=cited.text, speaker=ev.speaker, kind=ev.kind,
                                               language=ev.language))
            out.append(self._number_of[key])
        return list(dict.fromkeys(out))
