"""What a question is asking for, and whether it should be answered at all.

The intent comes from the router (rag/understand/router.py) and what the answer must hold (a figure, a date, a name,
a speaker) from the slot reader (rag/understand/slots.py), both learned from labelled example questions. The only
patterns left here read exact forms: injection markers and the names of grades area SEND inspections never give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.understand.router import Route
from rag.understand.slots import AnswerSlots

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
    slots: AnswerSlots = field(default_factory=AnswerSlots)  # what the answer must hold (rag.understand.slots)
    needs_number: bool = False
    asks_dates: bool = False
    speaker_hint: bool = False  # the question asks what a council, the NHS or the press said
    needs_name: bool = False
    term: str | None = None  # the term a definitional question asks about
    names_thing: bool = False  # the question asks what something is called
    wants_statements: bool = False  # what the council, NHS or press said, not what the inspectors found
    asks_action: bool = False  # what is being done about it (planned, done, under way), not what must be done
    asks_press: bool = False  # what the press reported, not what the council or NHS said
    asks_duration: bool = False  # how long a wait or a process takes
    asks_inspectors: bool = False  # "what did inspectors / Ofsted say": the report itself, before press accounts of it
    intent_words: str = ""  # the words that gave the intent ("any issues", "needs to improve"), not its subject


def check_question(question: str, names_area: bool, route: Route | None = None,
                   cue_words: frozenset[str] = frozenset(), slots: AnswerSlots | None = None,
                   definition_words: frozenset[str] = frozenset()) -> QuestionCheck:
    """Read a question's intent (from the router) and slots (from the slot reader); `refuse` is set for injections
    and for questions the reports cannot answer (off topic, predictions, personal cases).

    definition_words: the words that mark a definitional question in the router's examples ("mean", "stand"), so
    what is left of one is the term it asks about."""
    from rag.evidence import content_terms

    route = route or Route("general", "general", 0.0)
    slots = slots or AnswerSlots()
    check = QuestionCheck(intent=ANSWER_PATH.get(route.intent, "general"), asked=route.intent,
                          confidence=route.confidence, probabilities=dict(route.probabilities), slots=slots,
                          needs_number="figure" in slots, asks_dates="when" in slots,
                          speaker_hint="statements" in slots, needs_name="person" in slots,
                          names_thing="called" in slots, asks_inspectors="inspectors" in slots,
                          asks_action="action_taken" in slots, asks_press="press" in slots,
                          asks_duration="duration" in slots)
    check.intent_words = " ".join(t for t in content_terms(question, expand=True) if t in cue_words)
    check.wants_statements = check.speaker_hint and not check.asks_inspectors
    if check.intent == "definition":
        term = None if names_area else definition_term(question, definition_words, slots)
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


def definition_term(question: str, definition_words: frozenset[str], slots: AnswerSlots | None = None) -> str | None:
    """The term a definitional question names: its words beyond those that ask for a meaning ("what does SENDIASS
    mean?": SENDIASS). None when it points back instead ("what does it mean?"), asks what someone said ("whats the
    council said": its slots say so) or names nothing."""
    from rag.understand.conversation import ANAPHORS

    words = _WORD.findall(question)
    if any(w.lower() in ANAPHORS for w in words) or (slots and {"statements", "inspectors"} & slots.present):
        return None
    # the words marking a definitional question in the examples can include a term asked about often ("dco"):
    # when nothing else is left, that word is the term
    return _words_beyond(question, definition_words) or _words_beyond(question, frozenset()) or None


def _words_beyond(text: str, frame: frozenset[str]) -> str:
    """The text's content words, in order and as typed, less those whose stem is in `frame`."""
    from rag.evidence import content_terms

    return " ".join(w for w in _WORD.findall(text) if (terms := content_terms(w)) and not terms & frame)


_WORD = re.compile(r"[\w&/'’()-]+")  # a word with the marks inside names ("B&H", "SEND/AP", "parent's")
