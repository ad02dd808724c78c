"""Question -> cited Answer, through the stages: plan -> retrieve -> evidence -> select -> draft -> verify -> cite.

`QA.stream()` yields each verified sentence as soon as it is ready, then the whole Answer; `QA.ask()` returns only
the Answer. Both take the same path, so `sendqa ask --json`, `--stream` and the UI show the same thing.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

from rag.areas import area_key, join_names, nearest_areas
from rag.backends import Backend, get_backend
from rag.backends.extractive import ExtractiveBackend
from rag.cite import CitationResolver
from rag.evidence import STATEMENT_SPEAKERS, build_context
from rag.glossary import citation_for, multiword_forms, parse_glossary, words_used
from rag.handoffs import Context, DraftSentence, Selection
from rag.index import CorpusIndex
from rag.plan import Catalog, Plan, plan_question
from rag.understand.normalise import question_words
from rag.understand.names import one_document_name
from rag.understand.relevance import default_relevance
from rag.understand.router import default_router
from rag.render import answer_text, shaped_text
from rag.retrieve import Filters, HybridRetriever, gather
from rag.points import Point, Shape
from rag.lead import list_lead, outcome_lead, team_lead
from rag.select import (in_team_table, lead_in, leans, previous_sentence, report_actions, select_evidence,
                         states_a_figure)
from rag.sentences import is_bullet
from rag.brief import HEADLINE, brief_area, requested_count
from rag.compare import compare_areas
from rag.stat_answers import answer_from_statistics, held_figures, not_held
from rag.statistics import StatRow
from rag.verify import Thresholds, Verifier
from sendqa.domain import OUTCOME_WORDING
from sendqa.errors import SendQAError
from sendqa.sentences import split_sentences as split_sentences_text
from sendqa.settings import Settings
from sendqa.types import Answer, AnswerSentence, Verification

MESSAGES = {
    "no-evidence": "The reports I have don't say. Try naming the local area, or ask about something inspections cover.",
    "no-figure": "The reports I have don't give that figure.",
    "no-name": "The reports I have don't give that name.",
    "no-definition": "The reports I have don't explain that term.",
    "injection": "I answer only from the inspection reports and statements I hold, and I can't follow instructions to ignore or change them. Ask me a question about a local area's SEND inspection instead.",
    "off-topic": "That isn't covered by the SEND inspection reports and statements I hold. Ask about a local area's SEND services, for example “What does Bury need to improve?”",
    "too-long": "Your question is too long ({n} characters; the limit is {limit}). Please shorten it to the question itself.",
    "empty": "Please type a question.",
    "prediction": "The reports describe what inspectors found when they visited; they can't say what will happen next, for an area or for one child. I can tell you what the reports found{areas_for}, for example what must improve. For advice on your own child's situation, your local SENDIASS (SEND Information, Advice and Support Service) gives free, impartial help.",
    "personal-case": "I can't advise on one child's case: the reports describe how services work across an area, not decisions about individual children. Your local SENDIASS (SEND Information, Advice and Support Service) gives free, impartial advice on EHC plans, appeals and complaints, and the council's SEND team can tell you where a case stands. I can tell you what the reports found{areas_for}.",
    "outside-england": "Area SEND inspections by Ofsted and the CQC cover England only, so I hold no inspection report for {place}. Wales, Scotland and Northern Ireland inspect their own services; the local council can tell you how support for children with SEND works there.",
    "vague": "Which local area, and what about it? For example: “How long are waits for autism assessment in Bury?” or “What does Surrey need to improve?”",
    "prediction-caveat": "The reports can't say what will happen next; they describe what inspectors found when they visited. What they say about {areas}:",
    "no-statement": "I hold no statement from {areas}'s council or NHS, and the other documents I hold for {areas} don't report what they said.",
    "no-statement-caveat": "I hold no statement from {areas}'s council or NHS; what {others}:",
    "no-report-note": "{not_held}, so this comes from {others}, not from the inspectors' own findings.",
    "personal-case-caveat": "I can't advise on your child's own case: your local SENDIASS (SEND Information, Advice and Support Service) gives free, impartial help with that. What the reports say about {areas}:",
    "false-premise": "Area SEND inspections do not give grades such as “inadequate”, “requires improvement”, “good” or “outstanding”, and do not close services. Since 2023 each inspection ends in one of three outcomes: positive experiences and outcomes, inconsistent experiences and outcomes, or widespread and/or systemic failings.",
}


# Who else speaks, where an area's report is not held (MESSAGES["no-report-note"])
_SOURCE_NAMES = {"press": "a news article", "council": "the council's statement", "NHS": "the NHS's statement",
                 "council and NHS": "the council and NHS's statement", None: "the other documents I hold"}

# What the official tables answer and the reports do not: a council's 20-week timeliness (and how it stands among
# its neighbours), how many areas got an outcome, which areas were inspected in a year.
TABLE_TOPICS = frozenset({"timeliness", "neighbours", "outcomes", "inspected"})


class QA:
    """Loaded once (index, retriever, backend, verifier) and asked many questions."""

    def __init__(self, settings: Settings, index: CorpusIndex | None = None, backend: Backend | None = None):
        self.settings = settings
        self.index = index or CorpusIndex(settings)
        self.retriever = HybridRetriever(self.index)
        self._reopening = threading.RLock()
        self._own_writes = 0
        self.backend = backend or get_backend(settings.answer.backend, settings)
        self.extractive = ExtractiveBackend()
        self.index.load_statistics()
        self._outcomes: dict[str, str | None] = {}
        self._links: dict | None = None  # area key -> its published report's link (ingest.fetch), read when needed
        self._glossary = None  # (record, terms) of the indexed glossary, read when first needed
        self.refresh()
        verify = settings.answer.verify
        self.verifier = Verifier(self.index.embed_model.encode, lambda doc_id: self._outcomes.get(doc_id),
                                 Thresholds(verify.min_similarity, verify.min_coverage, verify.check_negation))

    def refresh(self) -> None:
        """Re-read what the index holds (after documents are added or removed while the app runs)."""
        self._stamp = self.index.on_disk()
        documents = self.index.documents()
        self._glossary = None
        self._outcomes = {d.doc_id: d.outcome for d in documents}
        self.reported = {area_key(d.area) for d in documents if d.area and d.kind in ("inspection report", "revisit letter")}
        self.held = {area_key(d.area) for d in documents if d.area}  # areas with any document
        # areas whose council or NHS statement is held: "what does the council say?" is answered in their words
        self.stated = {area_key(d.area) for d in documents if d.area and d.speaker in STATEMENT_SPEAKERS}
        self.catalog = Catalog(
            areas=sorted({d.area for d in documents if d.area}),
            languages=sorted({d.language for d in documents if d.language != "en"}),
            vocabulary=self.index.lexical.vocabulary() | question_words(),
            outcomes={d.area: d.outcome for d in documents if d.area and d.outcome and d.kind == "inspection report"},
            stat_areas=self.index.statistics.areas,
            router=default_router(self.settings),
        )

    def current(self) -> None:
        """Follow the index on disk while the app runs, no restart needed: another process's ingest, removal or
        `--rebuild` is opened afresh (this process's embedded Chroma would not see it), and a deleted or damaged
        index is a clear error until it is rebuilt. This process's own writes (see `writing`) are not followed."""
        if self._own_writes or self.index.on_disk() == self._stamp:
            return
        with self._reopening:
            if self._own_writes or self.index.on_disk() == self._stamp:
                return  # another thread has caught up
            problem = self.index.damage()
            if problem:
                raise SendQAError(f"the index in {self.settings.home_dir} cannot be used: {problem}. Run "
                                  "`sendqa ingest --rebuild`; answers resume when it ends, without a restart")
            if not self.settings.chroma_url:
                from chromadb.api.shared_system_client import SharedSystemClient

                SharedSystemClient.clear_system_cache()  # else chromadb hands back the client of the old files
            self.index = CorpusIndex(self.settings)
            self.retriever = HybridRetriever(self.index)
            self.index.load_statistics()
            self.refresh()

    @contextmanager
    def writing(self):
        """Around this process's own writes to the index (an upload, a removal, a fetch): first catch up with the
        disk, then write, then re-read what it holds; answers meanwhile do not take the writes for another
        process's."""
        self.current()
        with self._reopening:
            self._own_writes += 1
        try:
            yield self.index
        finally:
            with self._reopening:
                self._own_writes -= 1
                self.refresh()

    # --- public API ------------------------------------------------------------------------------
    def ask(self, question: str, area: str | None = None, filters: Filters | None = None,
            backend: Backend | None = None) -> Answer:
        answer = None
        for item in self.stream(question, area=area, filters=filters, backend=backend):
            answer = item
        assert isinstance(answer, Answer)
        return answer

    def stream(self, question: str, area: str | None = None, filters: Filters | None = None,
               backend: Backend | None = None) -> Iterator[AnswerSentence | Answer]:
        """Yield each shown sentence as soon as it is verified and cited, then the complete Answer."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        self.current()
        plan = plan_question(question, self.catalog, self.settings, area=area, filters=filters)
        if plan.refuse == "unknown-area" and plan.stat_areas:
            yield from self._refusal_with_figures(plan, started, timings)
            return
        if plan.refuse:
            yield self._refusal(plan, started, timings)
            return
        if plan.mode == "compare":
            yield from self._compare(plan, started, timings)
            return
        if plan.mode == "brief":
            yield from self._brief(plan, started, timings)
            return
        statistics = None
        if plan.stat_topic:
            statistics = answer_from_statistics(plan.query, plan.stat_areas, self.index.statistics, self.reported,
                                                neighbours=plan.neighbours, topic=plan.stat_topic,
                                                slots=plan.check.slots)
            if statistics is not None and not plan.areas and not plan.stat_areas \
                    and one_document_name(plan.query, self.index.lexical):
                statistics = None  # "the wait in Testshire": a document names it, England's figure is not the answer
            if statistics is None and not plan.areas and plan.stat_areas:
                # The tables do not answer it and no document of the area is held: the area is not covered.
                plan.refuse, plan.unknown_areas = "unknown-area", list(plan.stat_areas)
                plan.suggestions = [s for a in plan.stat_areas for s in nearest_areas(a, self.catalog.areas)]
                yield from self._refusal_with_figures(plan, started, timings)
                return
            if statistics is not None and (not plan.areas or statistics.topic == "neighbours"):
                # The tables answer it whole (a council with no report held, or a figure only the tables give: how
                # a council stands among its statistical neighbours).
                writer = _AnswerWriter(self, plan, Selection(Context(plan.query, plan.check, plan.areas)), started)
                yield from writer.write_caveat()
                yield from writer.write_statistics(statistics)
                timings["first_sentence"] = timings["total"] = _ms(started)
                answer = writer.finish(timings, [])
                yield from writer.notes
                yield answer
                return
        t = time.perf_counter()
        try:
            evidence = gather(plan, self.retriever, self.catalog.languages, self.settings.retrieval.area_mode)
            # Only listed documents answer: chunks an unfinished ingest left behind (or one still running) do not.
            evidence = [e for e in evidence if e.doc_id in self._outcomes]
        except Exception:
            if self.settings.chroma_url and not self.index.reachable():
                raise SendQAError(f"the Chroma server at {self.settings.chroma_url} is not answering: start it again "
                                  "(`chroma run --path DIR`); answers resume when it is back, without a restart") from None
            raise
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        context = build_context(plan.query, plan.check, plan.areas, evidence, self.index, self.glossary_phrases())
        timings["context"] = _ms(t)
        if plan.off_topic and not _answers_something(context):
            plan.refuse = "off-topic"  # no evidence is relevant: none is shown as if it answered
            yield self._refusal(plan, started, timings)
            return
        t = time.perf_counter()
        if plan.check.false_premise:
            selection = Selection(context, chosen=list(context.pinned), abstained=True, reason="false-premise")
        else:
            selection = select_evidence(context, self.settings)
        timings["select"] = _ms(t)
        retrieved = list(dict.fromkeys(ev.doc_id for ev in evidence))
        writer = _AnswerWriter(self, plan, selection, started)
        if backend is not None:
            writer.backend_id = backend.backend_id  # the caller chose it (quotes only, while a model is configured)
        backend = self.extractive if selection.abstained else backend or self.backend
        t = time.perf_counter()

        def figures() -> Iterator[AnswerSentence]:
            for sentence in writer.write_statistics(statistics):
                timings.setdefault("first_sentence", _ms(started))
                if selection.abstained:  # the figures answer what the documents do not
                    selection.abstained, selection.reason = False, None
                yield sentence

        # The area's own documents first (the inspection is the primary source), then the official figures; where
        # the figure asked is one only the tables hold (EHC plan timeliness, how many areas got an outcome) and the
        # documents' best sentence states none, the figures are the direct answer and the documents follow them (not
        # where a report's actions answer "any issues with EHC plans?").
        figures_first = statistics is not None and plan.stat_topic in TABLE_TOPICS and plan.check.intent != "improve" \
            and not (selection.chosen and states_a_figure(context.sentences[selection.chosen[0]].text))
        # an outcome the tables answer is one whose report is not held: the row says it, a press account does not
        figures_first = figures_first or (statistics is not None and statistics.topic == "outcome")
        yield from writer.write_caveat()
        if figures_first:
            yield from figures()
        else:
            yield from writer.write_lead()
        for sentence in writer.write(backend):
            timings.setdefault("first_sentence", _ms(started))
            if sentence.shown:  # a key point past the first few waits for "show more"
                yield sentence
        if statistics is not None and not figures_first:
            yield from figures()
        timings["answer"] = _ms(t)
        answer = writer.finish(timings, retrieved)
        yield from writer.notes
        yield answer

    def brief(self, area: str) -> Answer:
        """A cited briefing on one area (Answer.briefing; rag.brief.briefing_markdown renders it)."""
        return self.ask(f"Briefing on the {area} area SEND inspection")

    def compare(self, *areas: str) -> Answer:
        """A cited comparison of two or more areas (Answer.comparison)."""
        return self.ask("Compare " + " and ".join(areas))

    def quotes(self, question: str) -> Answer:
        """An answer in verbatim quotes whatever the configured backend (cells of a comparison or a briefing)."""
        answer = None
        for item in self.stream(question, backend=self.extractive):
            answer = item
        return answer

    def _compare(self, plan: Plan, started: float, timings: dict) -> Iterator[AnswerSentence | Answer]:
        comparison = compare_areas(plan.compare_areas, self.index.statistics, self.quotes, self.reported,
                                   held=self.held, outcome_of=self._outcomes.get)
        writer = _AnswerWriter(self, plan, Selection(Context(plan.query, plan.check, plan.areas)), started)
        for computed in comparison.sentences:
            numbers = list(dict.fromkeys(n for part in computed.facts for n in writer.numbers_for(part)))
            if numbers:
                yield writer.add_cited(computed.text, numbers, "statistic")
        table = {"areas": comparison.areas, "aspects": []}
        for aspect, cells in comparison.aspects.items():
            heading = AnswerSentence(text=f"{aspect[:1].upper()}{aspect[1:]}:", origin="message")
            writer.sentences.append(heading)
            yield heading
            row = []
            for cell in cells:
                numbers = writer.numbers_for(cell)
                if numbers:
                    yield writer.add_cited(cell.text, numbers, "statistic" if cell.facts else "quote", area=cell.area)
                else:  # the evidence is silent: said so, as a note rather than a claim
                    note = AnswerSentence(text=f"{cell.area}: {cell.text}", origin="message")
                    writer.sentences.append(note)
                    yield note
                row.append({"area": cell.area, "text": cell.text, "citations": numbers})
            table["aspects"].append({"aspect": aspect, "cells": row})
        timings["first_sentence"] = _ms(started)
        answer = writer.finish(timings, [])
        answer.comparison = table
        yield from writer.notes
        yield answer

    def _refusal_with_figures(self, plan: Plan, started: float, timings: dict) -> Iterator[AnswerSentence | Answer]:
        """No document of the area is held, so its report cannot be quoted; the official figures still can."""
        refusal = self._refusal(plan, started, timings)
        writer = _AnswerWriter(self, plan, Selection(Context(plan.query, plan.check, plan.areas), abstained=True,
                                                     reason="unknown-area"), started)
        yield AnswerSentence(text=refusal.answer, origin="message")
        figures = held_figures(plan.stat_areas, self.index.statistics)
        if figures is not None:
            yield from writer.write_statistics(figures)
        answer = writer.finish(timings, [], message=refusal.answer)
        answer.reports_to_fetch = refusal.reports_to_fetch
        yield answer

    def _brief(self, plan: Plan, started: float, timings: dict) -> Iterator[AnswerSentence | Answer]:
        area = plan.compare_areas[0]
        briefing = brief_area(area, self.index.statistics, self.quotes, self.held,
                              self._outcome_meaning).shortened(requested_count(plan.query))
        writer = _AnswerWriter(self, plan, Selection(Context(plan.query, plan.check, plan.areas)), started)
        writer.shape.max_points = 0  # each section is already at most five bullets
        data = {"area": area, "sections": []}
        said: set[str] = set()  # a sentence two sections both chose is shown once, in the first
        for heading, bullets in briefing.sections.items():
            shown = []
            for bullet in bullets:
                numbers = writer.numbers_for(bullet) if bullet.text not in said else []
                if not numbers:
                    continue
                said.add(bullet.text)
                sentence = writer.add_cited(bullet.text, numbers, "statistic" if bullet.facts else "quote")
                at = len(writer.sentences) - 1
                if heading == HEADLINE:  # the outcome, the dates and what the outcome means: the direct answer
                    writer.shape.lead.append(at)
                else:
                    writer.shape.points.append(Point(heading, [at]))
                shown.append({"text": bullet.text, "citations": numbers, "speaker": sentence.speaker})
                timings.setdefault("first_sentence", _ms(started))
                yield sentence
            data["sections"].append({"heading": heading, "bullets": shown})
        answer = writer.finish(timings, [])
        answer.briefing = data
        yield from writer.notes
        yield answer

    # --- helpers ---------------------------------------------------------------------------------
    def _refusal(self, plan: Plan, started: float, timings: dict) -> Answer:
        reason = plan.refuse or "no-evidence"
        fetchable: list[str] = []
        if reason == "unknown-area":
            names = join_names(plan.unknown_areas)
            fetchable = self.fetchable(plan.unknown_areas)
            if fetchable:
                # A council whose report is published: it can be got, so no list of other places is offered.
                message = (f"{not_held(plan.unknown_areas)} yet. Its published report can be downloaded from Ofsted "
                           "and added.")
            else:
                nearest = f" The nearest names I hold: {', '.join(plan.suggestions)}." if plan.suggestions else ""
                message = (f"The reports I have don't cover {names}.{nearest} I hold reports and statements for "
                           f"{len(self.catalog.areas)} areas: {', '.join(self.catalog.areas)}.")
        else:
            message = refusal_message(reason, plan)
        timings["total"] = _ms(started)
        return Answer(question=plan.question, answer=message, abstained=True, citations=[],
                      backend=self.backend.backend_id, timings_ms=timings, notice=plan.notice, reason=reason,
                      sentences=[AnswerSentence(text=message, origin="message")], reports_to_fetch=fetchable)

    def _outcome_meaning(self, outcome: str):
        """The glossary's first sentence on an outcome label ("Typically positive experiences and outcomes is the
        best of the three..."), as a briefing bullet citing the glossary."""
        from rag.brief import Bullet
        from sendqa.domain import OUTCOME_WORDING

        glossary = self.glossary()
        wording = OUTCOME_WORDING.get(outcome, outcome)
        term = next((t for t in glossary[1] if t.name.lower() == wording.lower()), None) if glossary else None
        if term is None:
            return None
        first = split_sentences_text(term.meaning)[0]
        record = glossary[0]
        return Bullet(first, citation=citation_for(term, record.title, record.source).model_copy(update={"quote": first}))

    def glossary_phrases(self) -> tuple[str, ...]:
        """The indexed glossary's terms written in more than one word (rag.glossary.multiword_forms)."""
        glossary = self.glossary()
        return multiword_forms(glossary[1]) if glossary else ()

    def glossary(self):
        """(the glossary's document record, its terms), or None when no glossary is indexed."""
        if self._glossary is None:
            record = next((d for d in self.index.documents() if d.kind == "glossary"), None)
            text = self.index.document_text(record.doc_id) if record else None
            self._glossary = (record, parse_glossary(text, record.doc_id)) if text else False
        return self._glossary or None

    def fetchable(self, areas: list[str]) -> list[str]:
        """Which of these areas have a published report listed in the bundled table (and none held here)."""
        if self._links is None:
            from ingest.fetch import report_links

            try:
                self._links = {area_key(link.area): link for link in report_links(self.settings)}
            except SendQAError:
                self._links = {}
        return [a for a in areas if area_key(a) in self._links and area_key(a) not in self.reported]


class _AnswerWriter:
    """Drafts, verifies and cites one answer's sentences, falling back to quotes where a model fails."""

    def __init__(self, qa: QA, plan: Plan, selection: Selection, started: float):
        self.qa, self.plan, self.selection, self.started = qa, plan, selection, started
        self.context: Context = selection.context
        self.resolver = CitationResolver(self.context, qa.index.document_text)
        self.sentences: list[AnswerSentence] = []
        self.verification = Verification()
        self.notice = plan.notice
        self.backend_id = qa.backend.backend_id
        self._covered: set[str] = set()  # evidence ids already shown (as a quote or a supported rewrite)
        self._restated: set[str] = set()  # evidence ids a composed lead says whole: not shown again under it
        self.shape = Shape(qa.settings.answer.max_points)
        self._placed: list[str | None] = []  # the evidence id of each placed sentence (None: composed by code)
        self.notes: list[AnswerSentence] = []  # said after the answer by finish(): a stream yields them before it

    def write_caveat(self) -> Iterator[AnswerSentence]:
        """What the reports cannot say about this question, said before what they do say."""
        if self.plan.caveat:
            text = MESSAGES[f"{self.plan.caveat}-caveat"].format(areas=self.plan.refuse_args.get("areas", ""))
            note = AnswerSentence(text=text, origin="message")
            self._place(note, None)
            yield note
        if self._unstated() and self.selection.chosen and not self.selection.abstained:
            # "what does their council say?" where only a news article or the report speaks: said first, so their
            # words are not taken for the council's
            speakers = {self.context.sentences[sid].evidence.speaker for sid in self.selection.chosen}
            others = "the press reported" if "press" in speakers else "the documents I hold say"
            note = AnswerSentence(text=MESSAGES["no-statement-caveat"].format(
                areas=join_names(self.plan.areas), others=others), origin="message")
            self._place(note, None)
            yield note

    def _no_report(self) -> bool:
        """What a report's sections answer (what must improve, what works, what it is like) is asked of one area
        none of whose inspection reports is held: a news article or a statement is not the inspectors' list."""
        return (self.context.check.intent in ("improve", "strengths", "experience") and len(self.plan.areas) == 1
                and area_key(self.plan.areas[0]) not in self.qa.reported)

    def _unstated(self) -> bool:
        """What the council or NHS said is asked, of areas none of whose council or NHS statements is held."""
        check = self.context.check
        return (check.wants_statements and not check.asks_press and bool(self.plan.areas)
                and not any(area_key(a) in self.qa.stated for a in self.plan.areas))

    def write_lead(self) -> Iterator[AnswerSentence]:
        """The direct answer composed from structured facts (an outcome and its meaning, a count of the actions
        that follow), where the question asks for one; otherwise the first selected sentence leads."""
        lead = outcome_lead(self.selection, self.qa._outcomes.get) or team_lead(
            self.selection, lambda sid: in_team_table(self.context.sentences[sid]))
        check = self.context.check
        if lead is None and check.intent == "improve" and not check.asks_action:  # only then are actions counted
            actions = set(report_actions(self.context))
            shown = self._units(self.selection.chosen)[: self.shape.max_points or None]
            lead = list_lead(self.selection, len(shown), lambda sid: sid in actions,
                             all_actions=all(unit[0] in actions for unit in shown))
        if lead is None:
            return
        numbers = self.resolver.numbers(lead.cites)
        if not numbers:
            return
        yield self._composed(lead.text, numbers)
        if lead.glossary_term or lead.restates:  # it says its sentence whole (an outcome, the inspection team)
            self._restated.update(lead.cites)
            self._covered.update(lead.cites)
        meaning = self.qa._outcome_meaning(next(k for k, v in OUTCOME_WORDING.items() if v == lead.glossary_term)) \
            if lead.glossary_term else None
        if meaning is not None and (n := self.resolver.adopt(meaning.citation)):
            text = meaning.text
            if text.lower().startswith(lead.glossary_term + " is "):
                text = "This is " + text[len(lead.glossary_term) + 4:]
            yield self._composed(text, [n], continues=True)

    def _composed(self, text: str, numbers: list[int], continues: bool = False) -> AnswerSentence:
        sentence = self._cited(text, numbers, "composed")
        sentence.language = "en"  # code writes it in English, whatever language its source is in
        self._place(sentence, None, lead=True)
        return sentence

    def _units(self, sids: list[str]) -> list[list[str]]:
        """Selected evidence grouped as it will be shown: each unit a sentence with those that can only be read
        after it."""
        units: list[list[str]] = []
        for sid in sids:
            previous = units[-1][-1] if units else None
            if previous is not None and self._reads_on(sid, previous):
                units[-1].append(sid)
            else:
                units.append([sid])
        return units

    def write_statistics(self, statistics) -> Iterator[AnswerSentence]:
        """Sentences composed from official statistics, each citing the rows whose values it states."""
        for n, stat in enumerate(statistics.sentences):
            if statistics.lead and n == statistics.lead_after:
                lead = AnswerSentence(text=statistics.lead, origin="message")
                self._place(lead, None)
                yield lead
            numbers = self.resolver.statistic_numbers(stat.facts, self.qa.index.statistics)
            if numbers:
                sentence = self.add_cited(stat.text, numbers, "statistic", area=stat.facts[0].area, place=True)
                if sentence.shown:
                    yield sentence

    def add_cited(self, text: str, numbers: list[int], origin: str, area: str | None = None,
                  place: bool = False) -> AnswerSentence:
        """Show a sentence built by code (a statistic, a comparison cell, a briefing bullet) under its citations;
        who speaks is its first citation's source. `place`: it is one of the answer's key points (a statistic)."""
        sentence = self._cited(text, numbers, origin)
        sentence.area = area or sentence.area
        if place:
            self._place(sentence, None)
        else:
            self.sentences.append(sentence)
        return sentence

    def _place(self, sentence: AnswerSentence, sid: str | None, lead: bool = False) -> None:
        """Add a shown sentence to the answer and to its shape (the lead, or a key point, shown or kept for later)."""
        previous = self._placed[-1] if self._placed else None
        last = self.sentences[-1] if self.sentences else None
        # a composed lead ends "these five things:", but what follows is its points, not its items
        if sid is not None and previous is not None:
            continues = self._reads_on(sid, previous)
        else:  # a note ("the official statistics show:") heads the figures that follow it
            continues = last is not None and last.origin != "composed" and last.text.rstrip().endswith(":")
        section = self.context.sentences[sid].evidence.section if sid in self.context.sentences else None
        if lead:
            sentence.shown = True
            self.shape.lead.append(len(self.sentences))
        else:
            sentence.shown = self.shape.add(len(self.sentences), sentence, section, continues)
            at = len(self.sentences)
            point = next((n for n, p in enumerate(self.shape.points) if at in p.members), None)
            if point is not None:
                sentence.point, sentence.heading = point, self.shape.points[point].heading
        self.sentences.append(sentence)
        self._placed.append(sid)

    def _reads_on(self, sid: str, previous: str) -> bool:
        """Whether evidence `sid` is shown in the same unit as `previous`: an item after its lead-in (not a sentence
        from elsewhere that happens to follow it), or a sentence leaning on it."""
        return (previous_sentence(self.context, sid) == previous
                and self.context.sentences[previous].text.rstrip().endswith(":")) or self._leans_on(sid, previous)

    def _leans_on(self, sid: str, previous: str) -> bool:
        """Whether evidence `sid` can only be read after `previous`: an item of the same list, or a sentence that
        leans on the one just before it in its document."""
        sentences = self.context.sentences
        if sid not in sentences or previous not in sentences:
            return False
        if (item_of := lead_in(self.context, sid)) is not None:
            return item_of == previous or lead_in(self.context, previous) == item_of
        adjacent = previous_sentence(self.context, sid) == previous
        if adjacent and is_bullet(sentences[sid]) and is_bullet(sentences[previous]):
            return True  # the next item of the same list
        text = sentences[sid].text
        # a lead-in inside its paragraph ("In particular, they should urgently improve:") also reads on from it
        return (leans(text) or text.rstrip().endswith(":")) and previous_sentence(self.context, sid) == previous

    def numbers_for(self, part) -> list[int]:
        """Citation numbers, in this answer, for a statistic, a comparison cell or a briefing bullet."""
        if isinstance(part, StatRow):
            return self.resolver.statistic_numbers([part], self.qa.index.statistics)
        if getattr(part, "citation", None) is not None:
            n = self.resolver.adopt(part.citation)
            return [n] if n else []
        if part.facts:
            return self.resolver.statistic_numbers(part.facts, self.qa.index.statistics)
        if part.answer is None:
            return []
        sentence = getattr(part, "sentence", None) or next(
            (s for s in part.answer.sentences if s.citations and s.origin not in ("message", "composed")), None)
        cited = [c for c in part.answer.citations if sentence and c.n in sentence.citations]
        return [n for n in (self.resolver.adopt(c) for c in cited) if n]

    def write(self, backend: Backend) -> Iterator[AnswerSentence]:
        try:
            if backend.can_invent and self.qa.settings.answer.llm.mode == "rewrite":
                for draft, by in self._rewritten(backend):
                    yield from self._accept(draft, by)
            else:
                for draft in backend.draft(self.selection):
                    yield from self._accept(draft, backend)
        except Exception as exc:
            from sendqa.errors import SendQAError

            if not isinstance(exc, SendQAError) or backend is self.qa.extractive:
                raise
            self._add_notice(f"{exc}; showing the report passages instead")
        if backend.can_invent:
            rewrite = self.qa.settings.answer.llm.mode == "rewrite"
            if rewrite or not self.verification.supported:
                # rewrite: each selected quote the model skipped is said by the quote itself; free: when no drafted
                # sentence survived, the extractive answer is shown.
                for sid in self.selection.chosen:
                    if sid not in self._covered:
                        yield from self._accept(DraftSentence(self.context.sentences[sid].text, [sid], "quote"), None)

    def _rewritten(self, backend: Backend) -> Iterator[tuple[DraftSentence, Backend | None]]:
        """Rewrite mode, in answer order: each shown quote a parent would find hard, rewritten by the model (or
        translated); a quote already plain, one kept for "show more" or one the lead says whole is shown as it is,
        since rewriting it would only add to the wait. (draft, the backend that drafted it or None for a quote)."""
        llm = self.qa.settings.answer.llm
        units = self._units(self.selection.chosen)
        shown = {sid for unit in units[: self.shape.max_points + 1 if self.shape.max_points else None]
                 for sid in unit}
        rewrites, started = 0, time.perf_counter()
        for sid in self.selection.chosen:
            sentence = self.context.sentences[sid]
            foreign = sentence.evidence.language != "en"
            hard = foreign or reading_ease(sentence.text) < llm.plain_enough
            # the next rewrite is expected to take as long as those so far took on average
            spent = time.perf_counter() - started
            in_time = not llm.rewrite_budget_s or not rewrites or spent + spent / rewrites <= llm.rewrite_budget_s
            if (hard and sid in shown and sid not in self._restated and rewrites < llm.max_rewrites
                    and (in_time or foreign)):
                rewrites += 1
                for draft in backend.draft(Selection(self.context, chosen=[sid])):
                    yield draft, backend
            else:
                yield DraftSentence(sentence.text, [sid], "quote"), None

    def _accept(self, draft: DraftSentence, backend: Backend | None) -> Iterator[AnswerSentence]:
        drafted = backend is not None and backend.can_invent
        if draft.cites and set(draft.cites) <= self._restated:
            if not drafted:  # kept, unshown, for what reads an answer's sentences (a comparison's cells, a briefing)
                self._keep_unshown(draft)
            return  # the lead already says it
        if drafted:
            self.verification.sentences += 1
            verdict = self.qa.verifier.check(draft.text, [self.context.sentences[s] for s in draft.cites
                                                          if s in self.context.sentences])
            if not verdict.supported:
                quotes = [s for s in draft.cites if s not in self._covered]
                if self.qa.settings.answer.llm.mode == "rewrite" and quotes:
                    self.verification.replaced += 1  # shown as the verbatim passages it cites, in its place
                    for sid in quotes:
                        yield from self._accept(DraftSentence(self.context.sentences[sid].text, [sid], "quote"), None)
                else:
                    self.verification.dropped += 1
                return
        numbers = self.resolver.numbers(draft.cites)
        if not numbers or any(s.text == draft.text for s in self.sentences):
            if drafted:
                self.verification.dropped += 1
            return
        if drafted:
            self.verification.supported += 1
        self._covered.update(draft.cites)
        sentence = self._cited(draft.text, numbers, draft.origin if drafted else "quote")
        self._place(sentence, draft.cites[0] if draft.cites else None)
        yield sentence

    def _cited(self, text: str, numbers: list[int], origin: str, shown: bool = True) -> AnswerSentence:
        """An answer sentence said by the source of its first citation."""
        first = self.resolver.citations[numbers[0] - 1]
        return AnswerSentence(text=text, citations=numbers, speaker=first.speaker, area=first.area,
                              doc_id=first.doc_id, language=first.language, origin=origin, shown=shown)

    def _keep_unshown(self, draft: DraftSentence) -> None:
        numbers = self.resolver.numbers(draft.cites)
        if numbers:
            self.sentences.append(self._cited(draft.text, numbers, "quote", shown=False))
            self._placed.append(draft.cites[0])

    def _add_notice(self, text: str) -> None:
        self.notice = f"{self.notice}; {text}" if self.notice else text

    def finish(self, timings: dict, retrieved: list[str], message: str | None = None) -> Answer:
        citations = self.resolver.citations
        shaped = bool(self.shape.points or self.shape.lead) and self.plan.mode != "compare"
        text = shaped_text(self.sentences, self.shape) if shaped else answer_text(self.sentences)
        abstained = self.selection.abstained or not citations
        reason = self.selection.reason or (None if citations else "no-evidence")
        sentences = list(self.sentences)
        if abstained:
            if not message and (reason or "no-evidence") == "no-evidence" and self._unstated():
                message = MESSAGES["no-statement"].format(areas=join_names(self.plan.areas))
            message = message or refusal_message(reason or "no-evidence", self.plan)
            if reason == "false-premise" and text:
                message += " What the report says:"
            text = message + ("\n" + text if text else "")
            sentences.insert(0, AnswerSentence(text=message, origin="message"))
        said = not_held(self.plan.areas) if not abstained and self._no_report() else None
        if said and not any(s.text.startswith(said) for s in sentences):
            # what the report's sections would answer comes from others' words: said after the answer, which the
            # source labels already credit to its speaker
            speakers = {s.speaker for s in sentences if s.shown and s.origin != "message"}
            speaker = next(iter(speakers)) if len(speakers) == 1 else None
            others = _SOURCE_NAMES.get(speaker, _SOURCE_NAMES[None])
            note = AnswerSentence(text=MESSAGES["no-report-note"].format(not_held=said, others=others),
                                  origin="message")
            sentences.append(note)
            self.notes.append(note)
            text = text + "\n" + note.text
        if not abstained and (foreign := self._quoted_languages(sentences)):
            # Verbatim quotes cannot be translated: the parent is told why some words are not in English (after
            # them, so the answer still comes first; each one's label already names its language).
            note = AnswerSentence(text=_foreign_note(foreign, self.backend_id), origin="message")
            sentences.append(note)
            self.notes.append(note)
            text = text + "\n" + note.text
        lead, points = self.shape.contract(sentences) if shaped and not abstained else (None, [])
        words = [] if abstained else self.words_used([s for s in sentences if s.shown])
        timings["total"] = _ms(self.started)
        return Answer(question=self.plan.question, answer=text, abstained=abstained, citations=citations,
                      backend=self.backend_id, timings_ms=timings, sentences=sentences, glossary=words, lead=lead, points=points,
                      verification=self.verification, notice=self.notice, retrieved_doc_ids=retrieved, reason=reason)

    def _quoted_languages(self, sentences: list[AnswerSentence]) -> list[str]:
        """Languages other than English that shown verbatim quotes are in (an LLM backend writes them in English)."""
        return list(dict.fromkeys(s.language for s in sentences if s.origin == "quote" and s.language != "en"))

    def words_used(self, sentences: list[AnswerSentence]) -> list[dict]:
        """The glossary's meaning of each term the shown sentences use, cited to the glossary."""
        glossary = self.qa.glossary()
        if glossary is None:
            return []
        record, terms = glossary
        shown = [s.text for s in sentences if s.origin != "message"]
        cited = {n for s in sentences for n in s.citations}
        out = []
        for term in words_used(shown, terms):
            n = self.resolver.adopt(citation_for(term, record.title, record.source))
            if n and n not in cited:  # a meaning the answer already gives (an outcome's, in its lead) is not repeated
                out.append({"term": term.name, "meaning": term.meaning, "citation": n})
        return out


def _foreign_note(languages: list[str], backend_id: str) -> str:
    from sendqa.domain import LANGUAGE_NAMES

    names = join_names([LANGUAGE_NAMES.get(code, code) for code in languages])
    said = f"The passages marked “in {names}” are quoted as written, in {names}."
    if backend_id == "extractive":
        return f"{said} An English version needs an LLM backend (sendqa ask --backend local)."
    return f"{said} The language model gave no English version that matched them."


def refusal_message(reason: str, plan: Plan) -> str:
    if reason == "no-evidence" and plan.areas:
        # The area is known (named or chosen as a filter): asking the user to name it would be wrong.
        return (f"The documents I hold for {join_names(plan.areas)} don't say. Try asking about something an "
                "inspection covers, such as waiting times, EHC plans or what must improve.")
    args = dict(plan.refuse_args)
    args["areas_for"] = f" about {args['areas']}" if args.get("areas") else ""
    return MESSAGES.get(reason, MESSAGES["no-evidence"]).format(**args)


def _answers_something(context: Context) -> bool:
    """Whether any gathered sentence answers: a relevance at the off-topic level, or (for a user's own document,
    which the relevance model, trained on inspection reports, scores low) most of the question's words in it."""
    level = default_relevance().off_topic
    return any(context.relevance.get(sid, 0.0) >= level or context.lexical.get(sid, 0.0) > 0.5
               for sid in context.sentences)


def reading_ease(text: str) -> float:
    """Flesch reading ease (textstat) of one sentence: 60 and over is plain English."""
    import textstat

    return float(textstat.flesch_reading_ease(text))


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
