"""What a question is asking for, and whether it should be answered at all.

The intent comes from the router (rag/understand/router.py), learned from labelled example questions. The patterns
left here read exact forms and slots, not intents: injection markers, grades that area SEND inspections never give,
a definition's term, and whether a figure, a date, a name or a speaker is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.understand.router import Route

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|instructions|source|sources|report|reports|document|documents|context|rules|evidence|above|previous)\b"
    r"|\byou are now\b|\bpretend (to be|you)\b|\bact as\b|^\s*(system|assistant)\s*:|\bjailbreak\b|\bdeveloper mode\b"
    r"|\b(just|simply) (say|tell me|answer|reply|write)\b.{0,60}\b(rated|outstanding|inadequate|passed|failed|good)\b"
    r"|\bsay (that|it)\b.{0,80}\b(rated|outstanding|inadequate|passed|failed)\b",
    re.I | re.S,
)
# Names of grades and sanctions that exist elsewhere (schools, children's services) but never in an area SEND
# inspection: exact multi-word names, so they mark a false premise wherever they appear. Every other false premise
# ("why was Kent rated inadequate?", "did bury get outstanding") is read by the router (intent false_premise).
_FOREIGN_GRADE = re.compile(r"\b(?:requires improvement|special measures)\b", re.I)
_DATES = re.compile(r"\b(when|what date|dates?|previous(ly)?|before that|last inspected|next inspect\w*|again)\b", re.I)
# A person's name is asked for ("who is the director?"); the name of a forum or service is an ordinary question.
_NEEDS_NAME = re.compile(r"\b(who is|who's|who are|who was|who were|who leads|who runs|who heads)\b", re.I)
# The name of a thing (a forum, service, school): the evidence must contain a proper name.
_NAMES_THING = re.compile(r"\b(name of|names of|named|what(?:'s| is| are)? (?:it|they|the \w+(?: \w+){0,3}) called|called\??$)", re.I)
# "What is an EHC plan?", "what does SENDIASS mean", "define co-production": a term, not a local area's story.
_DEFINITION = re.compile(r"^\s*(?:(?:what(?:'s| is| are)|whats|define|meaning of|explain)\s+(?:an?\s+|the\s+)?"
                         r"(?P<term>[\w&/()' -]{2,40}?)(?:\s+(?:mean|stand for|stands for))?\s*\??\s*$|"
                         r"what\s+(?:does|do)\s+(?:an?\s+|the\s+)?(?P<term2>[\w&/()' -]{2,40}?)\s+"
                         r"(?:mean|stand for|stands for)\s*\??\s*$)", re.I)
# "What are they doing about it?" asks about something said before, not for the meaning of "they doing about it".
_NOT_A_TERM = re.compile(r"\b(?:it|they|them|their|this|that|these|those|we|you|he|she|doing|happening|going|done|"
                         r"said|say|says|think|thinks|found|find)\b", re.I)
_SPEAKER_HINT = re.compile(r"\b(council|nhs|councillors?|cllr|statement|said|says|say|respon\w*|press|news|article|"
                           r"accept\w*|claims?|according to (the )?(council|nhs|leader))\b", re.I)
_INSPECTORS = re.compile(r"\b(inspectors?|ofsted|cqc|inspection report|the report)\b", re.I)
# Questions only a figure can answer (a duration or rate may also be answered in words: "unacceptably long").
_NEEDS_NUMBER = re.compile(r"\b(how many|how much|what (?:number|percentage|proportion|share)|what per ?cent|"
                           r"by how much|percent\w*|"
                           r"budget|cost|spend|spent|£)\b", re.I)



# The pipeline's answer paths, for each intent the router tells apart. A plain-words request is a briefing (issue 15
# decides how plain it reads); a figure, a comparison or a subject across areas is answered by the tables and the
# general path, which plan.py reads from the areas named.
ANSWER_PATH = {"experience": "experience", "outcome": "outcome", "improve": "improve", "strengths": "strengths",
               "briefing": "briefing", "explain_simply": "briefing", "definition": "definition",
               "false_premise": "outcome"}  # the premise corrected, then the outcome the area did get
# Intents the reports cannot answer: told so kindly, pointed to help, never shown evidence as if it answered.
REFUSED = {"out_of_scope": "off-topic", "prediction": "prediction", "personal_case": "personal-case"}


@dataclass
class QuestionCheck:
    refuse: str | None = None  # a reason to refuse outright
    false_premise: bool = False
    intent: str = "general"  # the answer path: experience, outcome, improve, strengths, briefing, definition, general
    asked: str = "general"  # the router's intent (rag.understand.router.INTENTS), confident or "general"
    confidence: float = 0.0
    probabilities: dict[str, float] = field(default_factory=dict)  # the router's calibrated probability per intent
    needs_number: bool = False
    asks_dates: bool = False
    speaker_hint: bool = False  # the question asks what a council, the NHS or the press said
    needs_name: bool = False
    term: str | None = None  # the term a definitional question asks about
    names_thing: bool = False  # the question asks what something is called
    wants_statements: bool = False  # what the council, NHS or press said, not what the inspectors found
    asks_inspectors: bool = False  # "what did inspectors / Ofsted say": the report itself, before press accounts of it
    findings_about: str | None = None  # "what did inspectors find about X": the X (read as a briefing when no X)
    intent_words: str = ""  # the words that gave the intent ("any issues", "needs to improve"), not its subject


def check_question(question: str, names_area: bool, route: Route | None = None,
                   cue_words: frozenset[str] = frozenset()) -> QuestionCheck:
    """Read a question's intent (from the router) and slots; `refuse` is set for injections and for questions the
    reports cannot answer (off topic, predictions, personal cases)."""
    from rag.evidence import content_terms

    route = route or Route("general", "general", 0.0)
    check = QuestionCheck(intent=ANSWER_PATH.get(route.intent, "general"), asked=route.intent,
                          confidence=route.confidence, probabilities=dict(route.probabilities), needs_number=bool(_NEEDS_NUMBER.search(question)),
                          asks_dates=bool(_DATES.search(question)), speaker_hint=bool(_SPEAKER_HINT.search(question)),
                          needs_name=bool(_NEEDS_NAME.search(question)), names_thing=bool(_NAMES_THING.search(question)))
    check.asks_inspectors = bool(_INSPECTORS.search(question))
    check.intent_words = " ".join(t for t in content_terms(question, expand=True) if t in cue_words)
    check.wants_statements = check.speaker_hint and not check.asks_inspectors
    if check.intent == "briefing" and (m := _FINDINGS_ABOUT.search(question)):
        check.findings_about = m.group("topic")
    if check.intent == "definition":
        term = None if names_area else definition_term(question)
        if term is None:
            check.intent = check.asked = "general"  # "what does Bury's EHC plan say": about an area, not a term
        else:
            check.term = term
    injection, foreign_grade = safety_flags(question)
    check.false_premise = foreign_grade or route.intent == "false_premise"
    if injection:
        check.refuse = "injection"
    elif not check.false_premise and route.intent in REFUSED:
        check.refuse = REFUSED[route.intent]
    return check


def section_weights(check: QuestionCheck) -> dict[str, float]:
    """How much the sections answering improve / strengths / experience questions count for this question.

    A confident intent counts its own sections whole (a briefing both improve's and strengths'). On the general path
    each counts by the router's probability that it is what was asked, so an unsure "where is Bury letting families
    down?" still leans to the report's actions without being sent down one path."""
    if check.asked != "general":  # (a confident outcome question pins the outcome statement instead)
        return {"improve": float(check.intent in ("improve", "briefing")),
                "strengths": float(check.intent in ("strengths", "briefing")),
                "experience": float(check.intent == "experience"), "outcome": 0.0}
    p = check.probabilities
    summary = p.get("briefing", 0.0) + p.get("explain_simply", 0.0)
    return {"improve": p.get("improve", 0.0) + summary, "strengths": p.get("strengths", 0.0) + summary,
            "experience": p.get("experience", 0.0), "outcome": p.get("outcome", 0.0) + summary}


def safety_flags(question: str) -> tuple[bool, bool]:
    """(an injected instruction, the name of a grade the inspections never give)."""
    injection = bool(_INJECTION.search(question))
    return injection, not injection and bool(_FOREIGN_GRADE.search(question))


def definition_term(question: str) -> str | None:
    """The term a "what is X / what does X mean" question names ("what are they doing about it?" names none)."""
    m = _DEFINITION.match(question)
    term = (m.group("term") or m.group("term2")) if m else None
    return term.strip() if term and not _NOT_A_TERM.search(term) else None


# "What did inspectors find about transition in Oldham?" asks about transition, not for the main findings.
_FINDINGS_ABOUT = re.compile(r"\bwhat did .{0,30}\b(?:find|found|say|conclude|think)\s+(?:about|on|regarding|of)\s+"
                             r"(?P<topic>.+?)\s*\??$", re.I)
