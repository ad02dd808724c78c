"""Conversations: a follow-up ("and how long are the waits there?", "what about Stoke?", "compare that with Leeds")
is rewritten into a standalone question carrying the areas and topic of earlier turns, then answered as any other.

The rewrite is done by rules over what the plan recognised (areas, intent), so it works with every backend; the
rewritten question is returned with the answer so a user can see what was searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.areas import find_areas, join_names
from rag.intent import definition_term
from sendqa.settings import load_settings
from sendqa.types import Answer

# Words standing for an area named earlier.
_AREA_REFERENCE = re.compile(r"\b(there|that area|this area|the area|that council|this council|the council|"
                             r"that place|same area|their|they|them|it's|its)\b", re.I)
_THERE = re.compile(r"\b(there|that area|this area|that council|this council|that place|same area)\b", re.I)
# "what about Stoke?", "and Leeds?", "how about in Oldham", "same for Bury"
_SWITCH = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+|^\s*and\s+(?:in\s+|for\s+)?(?=[A-Z\w]+\W*$)|"
                     r"^\s*(?:same|the same)\s+(?:for|in)\s+|^\s*(?:and\s+)?(?:in|for)\s+(?=[\w -]+\??$)", re.I)
_COMPARE = re.compile(r"^\s*(?:and\s+)?(?:now\s+)?compar\w*\s+(?:that|this|it|them|those)?\s*(?:with|to|against|and)?\s*",
                      re.I)
# Words standing for the subject of the last turn: "what are they doing about it?", "is that getting better?" ("its"
# and "it's" stand for the area).
_TOPIC_REFERENCE = re.compile(r"\b(?:it|that|this)\b(?!['’]|\s+like\b)", re.I)
# A question word alone: "why?", "how come?", "since when?"
_BARE = re.compile(r"^\s*(?:and\s+)?(?:why|how|how come|since when|when|really|how so|in what way)\s*\??\s*$", re.I)
# "Which is worse?", "who did better?": the areas of the last turns compared on the last subject.
_WHICH_BETTER = re.compile(r"^\s*(?:and\s+|so\s+)?(?:which|who)(?:\s+(?:one|area|council|place|of them|of the two))?\s+"
                           r"(?:is|was|did|does|has|had|got|came out|comes out)?\s*(?:doing\s+)?(?:the\s+)?"
                           r"(?:worse|better|best|worst|faster|slower|quicker|higher|lower)\b", re.I)
_LEADING = re.compile(r"^\s*(?:and|also|so|but)\s+", re.I)
_FOLLOW_ON = re.compile(r"^\s*(?:and|also|so|but|what else|anything else|more|tell me more|go on)\b", re.I)


@dataclass
class Turn:
    question: str
    rewritten: str
    areas: list[str]
    topic: str


@dataclass
class Session:
    """A conversation with a QA: each question may refer to earlier turns."""

    qa: object
    turns: list[Turn] = field(default_factory=list)

    def rewrite(self, question: str) -> str:
        """The question as a standalone one (unchanged when it needs nothing from earlier turns)."""
        question = (question or "").strip()
        last = next((t for t in reversed(self.turns) if t.areas or t.topic), None)
        if not question or last is None:
            return question
        named = self._areas(question)
        if _COMPARE.match(question):
            others = named or [_COMPARE.sub("", question).strip(" ?.")]
            areas = list(dict.fromkeys(last.areas + others))
            return f"Compare {join_names(areas)}" + (f": {last.topic}" if last.topic else "")
        if named and _SWITCH.match(question):
            # "what about Stoke?": the earlier question, about the new area.
            return _with_areas(last.rewritten, last.areas, named)
        if not named and _WHICH_BETTER.match(question):
            recent = list(dict.fromkeys(a for t in reversed(self.turns) for a in t.areas))[:2]
            if len(recent) == 2:  # "what about waits in Stoke?" ... "and in Bury?" ... "which is worse?"
                return f"Compare {join_names(list(reversed(recent)))}" + (f": {last.topic}" if last.topic else "")
        if named or not last.areas:
            return question
        if _SWITCH.match(question) and (rest := _SWITCH.sub("", question, count=1).strip(" ?.")):
            # "what about waiting times?": a new subject in the same area.
            return f"{rest[:1].upper()}{rest[1:]} in {join_names(last.areas)}?"
        if self._router().route(question).intent == "definition" and definition_term(question):
            return question  # "what is an EHC plan?" is about no area
        if _THERE.search(question):
            return _LEADING.sub("", _THERE.sub(f"in {join_names(last.areas)}", question, count=1).replace("in in ", "in "))
        subject = last.topic
        if subject and _BARE.match(question):
            # "why?": the last question again, asking why.
            return f"{_LEADING.sub('', question).strip(' ?').capitalize()}: {last.rewritten.rstrip(' ?')}?"
        if subject and _TOPIC_REFERENCE.search(question):
            # "what are they doing about it?": it is what the last question was about, in the same area.
            carried = _TOPIC_REFERENCE.sub(subject.replace("\\", ""), _LEADING.sub("", question).rstrip(" ?."), count=1)
            return f"{carried[:1].upper()}{carried[1:]} in {join_names(last.areas)}?"
        if _AREA_REFERENCE.search(question) or _FOLLOW_ON.match(question):
            stripped = _LEADING.sub("", question).rstrip(" ?.")
            return f"{stripped[:1].upper()}{stripped[1:]} in {join_names(last.areas)}?"
        return question

    def standalone(self, question: str) -> str:
        """The rules' rewrite; where an LLM backend is configured its rewrite is used instead when it names exactly
        the areas the rules found (a model that drops or invents a place is not trusted)."""
        ruled = self.rewrite(question)
        llm = getattr(self.qa.backend, "standalone_question", None)
        if llm is None or not self.turns or ruled == question:
            return ruled
        proposed = llm([t.rewritten for t in self.turns], question)
        if proposed and sorted(self._areas(proposed)) == sorted(self._areas(ruled)) and len(proposed) <= 400:
            return proposed
        return ruled

    def ask(self, question: str, **kwargs) -> Answer:
        rewritten = self.standalone(question)
        answer = self.qa.ask(rewritten, **kwargs)
        answer.question, answer.rewritten = question, rewritten
        self.remember(question, rewritten)
        return answer

    def remember(self, question: str, rewritten: str) -> None:
        """Record a turn answered elsewhere (the UI streams it through QA.stream)."""
        areas = self._areas(rewritten)
        topic = _topic(rewritten, areas)
        if self.turns and rewritten != question and (_BARE.match(question) or _TOPIC_REFERENCE.search(question)):
            topic = self.turns[-1].topic  # "why?", "what about it?": still the subject asked about before
        self.turns.append(Turn(question, rewritten, areas, topic))

    def _router(self):
        return self.qa.catalog.intent_router(getattr(self.qa, "settings", None) or load_settings())

    def _areas(self, text: str) -> list[str]:
        catalog = self.qa.catalog
        known = list(dict.fromkeys(catalog.areas + list(catalog.stat_areas.values())))
        match = find_areas(text, known, catalog.vocabulary)
        return match.in_corpus + match.unknown


def _with_areas(question: str, old: list[str], new: list[str]) -> str:
    out = question
    for name in old:
        out = re.sub(rf"\b{re.escape(name)}(?:'s)?\b", "\0", out, flags=re.I)
    if "\0" not in out:
        return f"{question.rstrip(' ?.')} in {join_names(new)}?"
    out = re.sub(r"\0(?:(?:,\s*|\s+and\s+)\0)*", join_names(new), out)
    return out


def _topic(question: str, areas: list[str]) -> str:
    """What a question is about, in the words typed: in the clause holding most content words, from its first
    content word to its last, area names left out. "How long are waits for autism assessment in Bury?" -> "waits for
    autism assessment"; "we have been waiting ages for speech therapy in wakefield, is that normal there?" ->
    "waiting ages for speech therapy"; "tell me about Oldham" -> "" (a briefing's wording is no subject)."""
    from rag.evidence import content_terms

    text = question
    for name in areas:
        text = re.sub(rf"\b{re.escape(name)}(?:'s)?\b", " ", text, flags=re.I)
    text = re.sub(r"^\s*compare\s+(?:[^:]*:\s*)?", "", text, flags=re.I)  # "Compare Bury and Leeds: waits"
    best: list[str] = []
    for clause in re.split(r"[,;:?.!]", text):
        tokens = re.findall(r"[\w'’-]+", clause)
        kept = [i for i, token in enumerate(tokens) if content_terms(token)]
        if len(kept) > len([t for t in best if content_terms(t)]):
            best = tokens[kept[0]:kept[-1] + 1]
    return " ".join(best)
