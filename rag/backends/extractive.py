"""The extractive backend: the selection's sentences, verbatim. It cannot invent, so it needs no verifier."""

from __future__ import annotations

from typing import Iterator

from rag.handoffs import DraftSentence, Selection


class ExtractiveBackend:
    backend_id = "extractive"
    can_invent = False

    def draft(self, selection: Selection) -> Iterator[DraftSentence]:
        for sid in selection.chosen:
            yield DraftSentence(selection.context.sentences[sid].text, [sid], "quote")
