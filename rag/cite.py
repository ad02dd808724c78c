"""Stage 7, cite: evidence ids -> numbered citations, each quote checked verbatim against its document."""

from __future__ import annotations

from typing import Callable

from rag.handoffs import Context
from rag.statistics import StatRow, Statistics
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
                                               citation_type="glossary" if ev.kind == "glossary" else "quote",
                                               language=ev.language))
            out.append(self._number_of[key])
        return list(dict.fromkeys(out))

    def statistic_numbers(self, facts: list[StatRow], statistics: Statistics) -> list[int]:
        """Citation numbers for statistics facts; a fact whose sentence is not in its table's text is never cited."""
        out: list[int] = []
        for fact in facts:
            doc_id = statistics.citation(0, fact).doc_id
            text = self._document_text(doc_id)
            start = text.find(fact.text) if text else -1
            if start < 0:
                continue
            key = (doc_id, start, start + len(fact.text))
            if key not in self._number_of:
                self._number_of[key] = len(self.citations) + 1
                self.citations.append(statistics.citation(self._number_of[key], fact))
            out.append(self._number_of[key])
        return list(dict.fromkeys(out))

    def adopt(self, citation: Citation) -> int:
        """Number a citation resolved by another answer (a comparison's cell) in this answer's list."""
        text = self._document_text(citation.doc_id)
        start = text.find(citation.quote) if text else -1
        key = (citation.doc_id, start, start + len(citation.quote))
        if start >= 0 and key not in self._number_of:
            self._number_of[key] = len(self.citations) + 1
            self.citations.append(citation.model_copy(update={"n": self._number_of[key]}))
        return self._number_of.get(key, 0)
