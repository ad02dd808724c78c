"""Stage 1, plan: question (+ filters) -> which areas, what kind of answer, or a reason to refuse before retrieving."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from rag.areas import area_key, find_areas, join_names, names_england, nearest_areas
from rag.understand.intent import QuestionCheck, check_question, safety_flags
from rag.understand.focus import split_context
from rag.understand.normalise import clean_question, normalise_question
from rag.retrieve import Filters
from rag.stat_answers import statistics_topic
from rag.understand.router import IntentRouter, default_router
from rag.understand.slots import SlotReader, default_slots
from sendqa.settings import Settings


@dataclass
class Catalog:
    """What the index holds, as planning needs it: area names, languages, and the words of its documents."""

    areas: list[str]
    languages: list[str]  # non-English languages present
    vocabulary: frozenset[str] = frozenset()
    outcomes: dict[str, str] = field(default_factory=dict)  # area -> 2023-framework outcome of its report
    stat_areas: dict[str, str] = field(default_factory=dict)  # area_key -> name: councils the statistics cover
    router: IntentRouter | None = None  # the intent router (default: the settings' embedding model's)
    slots: SlotReader | None = None  # what an answer must hold (default: the settings' embedding model's)

    def intent_router(self, settings: Settings) -> IntentRouter:
        return self.router or default_router(settings)

    def slot_reader(self, settings: Settings) -> SlotReader:
        return self.slots or default_slots(settings)


@dataclass
class Plan:
    question: str  # as typed
    check: QuestionCheck
    areas: list[str] = field(default_factory=list)  # corpus areas the answer is about
    unknown_areas: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # nearest areas held, for an unknown one
    filters: Filters = field(default_factory=Filters)
    refuse: str | None = None  # reason to refuse without retrieving
    refuse_args: dict = field(default_factory=dict)
    from_table: bool = False  # "which areas had ...": answered from the document table
    outcome_asked: str | None = None
    notice: str | None = None  # e.g. how a typed name was read
    caveat: str | None = None  # said before the answer: the reports cannot say this ("prediction", "personal-case")
    query: str = ""  # what retrieval searches: shorthand spelled out, typos read as corpus words
    stat_topic: str | None = None  # what the official statistics answer (rag.stat_answers.statistics_topic)
    stat_areas: list[str] = field(default_factory=list)  # every named area the statistics cover, report or not
    mode: str = "answer"  # answer | compare | brief
    neighbours: bool = False  # set the one council named against its statistical neighbours
    off_topic: bool = False  # the router reads it as off topic: refused unless some evidence is relevant
    compare_areas: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.query = self.query or self.question

    @property
    def intent(self) -> str:
        return self.check.intent


@functools.cache
def broad_terms() -> frozenset[str]:
    """Words that narrow nothing when asked about: "what did inspectors say about SEND services in Bury?". Who
    wrote the report (inspectors, Ofsted, the CQC) is who speaks in it, not a subject of its own."""
    from rag.evidence import content_terms

    return frozenset(content_terms("services service provision support system systems arrangements things everything "
                                   "inspection report findings inspectors ofsted cqc hmi"))


def _has_own_topic(text: str, areas: list[str]) -> bool:
    """Whether "about ..." names a subject beyond the areas and words that narrow nothing ("SEND services")."""
    from rag.evidence import content_terms

    area_words = {w for a in areas for w in area_key(a).split()} | content_terms(" ".join(areas))  # as stemmed too
    broad = broad_terms()
    return any(t not in area_words and area_key(t) not in area_words and t not in broad for t in content_terms(text))


def _places(match) -> list[str]:
    return match.in_corpus + match.unknown + match.regions + match.outside


def plan_question(question: str, catalog: Catalog, settings: Settings, area: str | None = None,
                  filters: Filters | None = None) -> Plan:
    """Read the question: areas (any case, abbreviations, typos, successors), intent, refusals."""
    question = clean_question(question)
    filters = filters or Filters()
    limit = settings.answer.max_question_chars
    if not question:
        return Plan(question, QuestionCheck(), refuse="empty")
    if len(question) > limit:
        return Plan(question[:limit], QuestionCheck(), refuse="too-long", refuse_args={"n": len(question), "limit": limit})
    named = find_areas(question if not area else f"{question} in {area}", catalog.areas, catalog.vocabulary)
    source = question
    respelled = normalise_question(question, catalog.vocabulary)
    if respelled != question:
        again = find_areas(respelled if not area else f"{respelled} in {area}", catalog.areas, catalog.vocabulary)
        if set(_places(again)) > set(_places(named)):
            # a place name's neighbours misspelt ("compar bury n stoke"): read as the words they stand for
            named, source = again, respelled
    whole = normalise_question(named.spell_out(source), catalog.vocabulary)  # "salt in lancs": in Lancashire
    background, query = split_context(whole)
    names_area = bool(named.in_corpus or named.unknown)
    if background:
        # places named only in the background still say where the question is about
        asked = find_areas(query, catalog.areas, catalog.vocabulary)
        missing = [a for a in named.in_corpus + named.unknown if a not in asked.in_corpus + asked.unknown]
        query = query.rstrip(" ?") + "".join(f" in {a}" for a in missing) + "?" if missing else query
    router = catalog.intent_router(settings)
    route = router.route(query)
    check = check_question(query, names_area, route, router.cue_words(route.intent),
                           catalog.slot_reader(settings).read(query), router.frame_words("definition"))
    if background and not check.false_premise and router.route(whole).intent == "false_premise":
        check = replace(check, false_premise=True)  # "Suffolk is now outstanding. Confirm this."
    injection, foreign_grade = safety_flags(question)
    if injection or foreign_grade:  # safety reads the words as typed
        check = replace(check, refuse="injection" if injection else check.refuse,
                        false_premise=check.false_premise or foreign_grade)
    if check.intent != "definition" and not filters.kinds and (names_area or check.asked != "general"):
        # The glossary explains terms and what parents can do ("how do I appeal?", asked of no area); it is not
        # evidence about any area, nor about all of them.
        filters = replace(filters, exclude_kinds=("glossary",))
    plan = Plan(question, check, filters=filters, query=query)
    notes = [f"read “{typed}” as {name.title()}" for typed, name in named.corrected.items()]
    notes += [f"{old} was replaced by {' and '.join(new)}" for old, new in named.replaced.items()]
    plan.notice = "; ".join(notes) or None
    if named.outside and not names_area and check.refuse != "injection":
        # Ofsted and the CQC inspect English areas only: "we live in Cardiff" is answered, not matched elsewhere.
        plan.refuse, plan.refuse_args = "outside-england", {"place": named.outside[0]}
        return plan
    if check.refuse in ("prediction", "personal-case"):
        plan.refuse_args = {"areas": join_names(named.in_corpus + named.unknown) if names_area else ""}
        if names_area:
            # A named area's reports still say something: answered after saying what they cannot say.
            plan.caveat = check.refuse
            check = plan.check = replace(check, refuse=None)
    if check.refuse == "off-topic" and (named.in_corpus or not names_area):
        # The router's reading is checked against the evidence: off topic only when nothing gathered is relevant
        # (a user's own document about anything is answerable). A place with no documents has none to check.
        plan.off_topic = True
        check = plan.check = replace(check, refuse=None)
    if check.refuse:
        plan.refuse = check.refuse
        return plan
    everywhere = named.in_corpus + named.unknown
    if route.predicted == "compare" and len(everywhere) >= 2 and all(a in named.in_corpus or area_key(a) in catalog.stat_areas
                                                   for a in everywhere):
        plan.mode, plan.compare_areas, plan.areas = "compare", everywhere, named.in_corpus
        return plan
    if (check.intent != "definition" and not everywhere and not named.regions and not filters.areas
            and not _has_own_topic(query, [])):
        # "is that good?" with nothing before it: no place and no subject to search for
        plan.refuse = "vague"
        return plan
    if (check.intent == "general" and len(named.in_corpus) == 1 and len(everywhere) == 1 and not check.wants_statements
            and not check.false_premise and not _has_own_topic(query, everywhere)):
        # Nothing asked beyond the area ("B&H - what did ofsted say about send"): its main findings.
        check = plan.check = replace(check, intent="briefing")
    if check.intent == "briefing" and check.wants_statements:
        # "Summarise the news article on Stoke" asks what the article says: its words, not a briefing on the report
        check = plan.check = replace(check, intent="general")
    # "What did Ofsted say about Kent?" asks for a report's words: without the report it is refused (with the
    # figures held); "a briefing on Kent" can be made from the statistics alone.
    briefing_asked = check.asked in ("briefing", "explain_simply") and not check.asks_inspectors
    if check.intent == "briefing" and len(everywhere) == 1 and (
            named.in_corpus or (area_key(everywhere[0]) in catalog.stat_areas and briefing_asked)):
        plan.mode, plan.compare_areas, plan.areas = "brief", everywhere, named.in_corpus
        return plan
    covered = [a for a in everywhere if area_key(a) in catalog.stat_areas]
    slots = check.slots
    across = route.predicted == "topic_across_areas" or (route.predicted == "compare" and not everywhere)
    topic = (statistics_topic(slots, bool(everywhere), query, across)
             if catalog.stat_areas and check.intent != "definition" else None)
    # A comparison of one council's timeliness with nothing to set it against (no second area, region or England)
    # is with the councils most like it: its statistical neighbours (the DfE's exact term, which asks it outright).
    asked_outright = "neighbours" in slots
    plan.neighbours = len(everywhere) == 1 and (asked_outright or (
        route.predicted == "compare" and topic == "timeliness" and not named.regions and not names_england(query)))
    if asked_outright and plan.neighbours and topic in (None, "outcome"):
        topic = "timeliness"  # the figure the tables hold for every council: EHC plans issued within 20 weeks
    if topic and len(covered) == len(everywhere) and not check.false_premise:
        plan.stat_topic, plan.stat_areas = topic, covered
        if topic == "wsoa" and everywhere and check.intent == "general":
            # progress since the last inspection: the outcome now beside what the earlier one required
            check = plan.check = replace(check, intent="outcome")
        plan.areas = named.in_corpus
        if not named.in_corpus and named.unknown:
            return plan  # a council with no report held: the statistics are the whole answer
    if named.unknown and not named.in_corpus:
        plan.refuse, plan.unknown_areas = "unknown-area", named.unknown
        plan.stat_areas = [a for a in named.unknown if area_key(a) in catalog.stat_areas]
        plan.suggestions = [s for u in named.unknown for s in nearest_areas(u, catalog.areas)]
        return plan
    plan.areas = named.in_corpus
    if check.false_premise:
        plan.check = replace(check, intent="outcome")
    # A comparison that names no area ranks them all ("which areas are best for send?").
    if not plan.areas and across and plan.stat_topic not in ("timeliness", "wsoa"):
        # ("which councils did worst on EHC plan timeliness?" ranks the figures, not the inspection outcomes)
        outcome = next(iter(slots.outcomes_named()), None)
        if outcome or (check.intent == "outcome" and "outcome" in slots):
            plan.from_table, plan.outcome_asked = True, outcome
            plan.check = replace(plan.check, intent="outcome")
    if plan.from_table:
        plan.areas = sorted(a for a, o in catalog.outcomes.items() if outcome is None or o == outcome)
        if not plan.areas and not plan.stat_topic:
            plan.refuse = "no-evidence"
    return plan
