"""Question -> cited Answer: guard, area recognition, hybrid retrieval, backend, citation resolution."""

from __future__ import annotations

import re
import time
from dataclasses import replace

from rag.areas import area_key, find_areas
from rag.backends import Backend, get_backend
from rag.citations import resolve
from rag.context import build_context
from rag.draft import Context, Draft, DraftSentence
from rag.index import CorpusIndex
from rag.intent import check_question
from rag.retrieve import Filters, HybridRetriever
from sendqa.settings import Settings
from sendqa.types import Answer

MESSAGES = {
    "no-evidence": "The reports I have don't say. Try naming the local area, or ask about something inspections cover.",
    "no-figure": "The reports I have don't give that figure.",
    "no-name": "The reports I have don't name that person.",
    "injection": "I answer only from the inspection reports and statements I hold, and I can't follow instructions to ignore or change them. Ask me a question about a local area's SEND inspection instead.",
    "off-topic": "That isn't covered by the SEND inspection reports and statements I hold. Ask about a local area's SEND services, for example “What does Bury need to improve?”",
    "too-long": "Your question is too long ({n} characters; the limit is {limit}). Please shorten it to the question itself.",
    "empty": "Please type a question.",
    "false-premise": "Area SEND inspections do not give grades such as “inadequate”, “requires improvement”, “good” or “outstanding”, and do not close services. Since 2023 each inspection ends in one of three outcomes: positive experiences and outcomes, inconsistent experiences and outcomes, or widespread and/or systemic failings.",
}


class QA:
    """Loaded once (index, retriever, backend) and asked many questions."""

    def __init__(self, settings: Settings, index: CorpusIndex | None = None, backend: Backend | None = None):
        self.settings = settings
        self.index = index or CorpusIndex(settings)
        self.retriever = HybridRetriever(self.index)
        self.backend = backend or get_backend(settings.answer.backend)
        documents = self.index.documents()
        self._areas = sorted({d.area for d in documents if d.area})
        self._other_languages = sorted({d.language for d in documents if d.language != "en"})

    def ask(self, question: str, area: str | None = None, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        question = (question or "").strip()
        limit = self.settings.answer.max_question_chars
        if not question:
            return self._refusal(question, "empty", started, timings)
        if len(question) > limit:
            return self._refusal(question[:limit], "too-long", started, timings, n=len(question), limit=limit)
        named = find_areas(question if not area else f"{question} {area}", self._areas)
        check = check_question(question, names_area=bool(named.in_corpus or named.unknown))
        if check.refuse:
            return self._refusal(question, check.refuse, started, timings)
        if named.unknown and not named.in_corpus:
            return self._refusal(question, "unknown-area", started, timings, unknown=named.unknown)
        areas = named.in_corpus
        intent = "outcome" if check.false_premise else check.intent
        from_table = not areas and bool(_ACROSS_AREAS.search(question)) and (intent == "outcome" or bool(_outcome_asked(question)))
        if from_table:
            # "Which areas had widespread and/or systemic failings?" is a question for the document table;
            # each listed area is then cited by its report's own outcome statement.
            areas = self._areas_with_outcome(_outcome_asked(question))
            intent = "outcome"
            if not areas:
                return self._refusal(question, "no-evidence", started, timings)

        t = time.perf_counter()
        base = filters or Filters()
        evidence = []
        for group in ([] if from_table else [(a,) for a in areas] if len(areas) > 1 else [tuple(areas)]):
            scoped = replace(base, areas=group) if self.settings.retrieval.area_mode == "filter" else base
            hits = self.retriever.retrieve(question, scoped)
            if not hits and group:
                hits = self.retriever.retrieve(question, base)  # the area filter found nothing: widen
            evidence += hits
            # English questions must still reach translated documents, whose chunks rank poorly across languages:
            # for a named area all their chunks are scored sentence by sentence; otherwise each language gets slots.
            for language in self._other_languages:
                if base.languages:
                    continue
                if group:
                    evidence += self.retriever.chunks(replace(scoped, languages=(language,)), limit=12)
                else:
                    evidence += self.retriever.retrieve(question, replace(scoped, languages=(language,)), top_k=4)
        evidence = list({ev.chunk_id: ev for ev in evidence}.values())
        timings["retrieve"] = _ms(t)

        t = time.perf_counter()
        area_terms = {w for a in areas for w in area_key(a).split()}
        context = build_context(question, replace(check, intent=intent), areas, evidence, self.index, area_terms)
        timings["context"] = _ms(t)

        t = time.perf_counter()
        if check.false_premise:
            draft = Draft(sentences=[DraftSentence(context.sentences[s].text, [s]) for s in context.pinned],
                          abstained=True, reason="false-premise")
        else:
            draft = self.backend.answer(context, self.settings)
        timings["answer"] = _ms(t)
        return self._finish(question, draft, context, evidence, started, timings)

    def _finish(self, question, draft: Draft, context: Context, evidence, started, timings) -> Answer:
        text, citations = resolve(draft, context, self.index.document_text)
        abstained = draft.abstained or not citations
        reason = draft.reason or (None if citations else "no-evidence")
        if abstained:
            message = draft.message or MESSAGES.get(reason or "no-evidence", MESSAGES["no-evidence"])
            if reason == "false-premise" and text:
                message += " What the report says:"
            text = message + ("\n" + text if text else "")
        timings["total"] = _ms(started)
        return Answer(question=question, answer=text, abstained=abstained, citations=citations,
                      backend=self.backend.backend_id, timings_ms=timings,
                      retrieved_doc_ids=list(dict.fromkeys(ev.doc_id for ev in evidence)), reason=reason)

    def _areas_with_outcome(self, outcome: str | None) -> list[str]:
        """Areas whose inspection report has this outcome (any outcome when None), from the document table."""
        rows = self.index.documents("kind = 'inspection report' AND outcome IS NOT NULL")
        return sorted({r.area for r in rows if r.area and (outcome is None or r.outcome == outcome)})

    def _refusal(self, question: str, reason: str, started: float, timings: dict, **fmt) -> Answer:
        if reason == "unknown-area":
            names = ", ".join(fmt["unknown"])
            message = (f"The reports I have don't cover {names}. I hold reports and statements for {len(self._areas)} "
                       f"areas: {', '.join(self._areas)}. You can add a report with `sendqa ingest FILE`.")
        else:
            message = MESSAGES[reason].format(**fmt)
        timings["total"] = _ms(started)
        return Answer(question=question, answer=message, abstained=True, citations=[], backend=self.backend.backend_id,
                      timings_ms=timings, reason=reason)


_ACROSS_AREAS = re.compile(r"\b(which|what|list|how many|name the|all)\b.{0,30}\b(areas?|councils?|local authorit\w+|partnerships?|places)\b", re.I)


def _outcome_asked(question: str) -> str | None:
    """The 2023-framework outcome a question names, if any."""
    if re.search(r"widespread|systemic|fail", question, re.I):
        return "widespread and/or systemic failings"
    if re.search(r"inconsistent|mixed", question, re.I):
        return "inconsistent"
    if re.search(r"positive|good|best|well", question, re.I):
        return "positive"
    return None


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
