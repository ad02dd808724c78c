"""Conversations: each turn is read against a structured state (areas, subject, intent, and the evidence of the last
answer) and becomes a standalone question that the pipeline answers like any other.

A follow-up inherits what it does not restate. How a turn reads on its own comes from the same parts that read any
question: the gazetteer finds its places, the router says what it asks (and which of its words only say that), and the
content words left over are its own subject. So:
- "why?", "what are they doing about it?": no place and no subject of their own, so the last subject and areas, with
  the new turn's question;
- "and in dudley?": a place and nothing else, so the last question with only the area changed;
- "which of the two is worse for over 16s?": the router reads a comparison, no place named, so the last two areas
  compared on the new subject (or on the last one when none is given).
An LLM backend may condense the question instead; its version is used only when it names exactly the areas the state
gives (a model that drops or invents a place is not trusted).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from rag.areas import area_key, find_areas, join_names
from rag.understand.intent import definition_term
from rag.understand.normalise import clean_question
from sendqa.settings import load_settings
from sendqa.types import Answer

# Closed classes of English words, not question wordings (a table beside this file, pointing_words.csv): the
# pronouns that stand for what was asked about, the words that stand for the place, the words that point back to
# places named before ("which of the two", "same for Bury?"), and the connectives a follow-up opens with.
POINTING_WORDS = Path(__file__).with_name("pointing_words.csv")


def _pointing(role: str) -> frozenset[str]:
    with POINTING_WORDS.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["word"] for row in csv.DictReader(handle) if row["role"] == role)


ANAPHORS = _pointing("anaphor")
PLACE_WORDS = _pointing("place_word")
PLACE_NOUNS = _pointing("place_noun")
SET_WORDS = _pointing("set_word")
CONNECTIVES = _pointing("connective")
_DUMMY_AFTER_IT = _pointing("dummy_after_it")  # "what is it like ...": a dummy "it"
_TOKEN = re.compile(r"[\w’'-]+|[^\w\s]")  # words (with their apostrophes and hyphens) and punctuation marks


@dataclass
class TurnState:
    """One answered turn, as later turns read it."""

    question: str  # as typed
    standalone: str  # as searched
    areas: list[str]
    topic: str  # what it was about, in the words typed ("waits for autism assessment"); "" for a bare briefing
    intent: str = "general"  # the router's reading of the standalone question
    evidence: list = field(default_factory=list)  # the citations of its answer (sendqa.types.Citation)

    @property
    def rewritten(self) -> str:  # the name the JSON output and the UI have always used
        return self.standalone


@dataclass
class _Reading:
    """A turn on its own: the places it names, what the router reads, and its own subject words."""

    areas: list[str]
    predicted: str
    intent: str
    subject: set[str]  # content words beyond places, the intent's own words and words that narrow nothing
    tokens: list[str]


@dataclass
class Session:
    """A conversation with a QA; `turns` is its state."""

    qa: object
    turns: list[TurnState] = field(default_factory=list)
    _pending: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)  # standalone -> (topic, intent)

    @property
    def state(self) -> TurnState | None:
        """The last turn that was about something (a place or a subject)."""
        return next((t for t in reversed(self.turns) if t.areas or t.topic), None)

    def rewrite(self, question: str) -> str:
        """The question as a standalone one (unchanged when it needs nothing from earlier turns)."""
        question = clean_question(question)
        last = self.state
        if not question or last is None:
            return question
        reading = self._read(question)
        if reading.intent == "definition" and definition_term(question, self._router().frame_words("definition"),
                                                              self._slots().read(question)):
            return question  # "what is an EHC plan?" is about no area
        if reading.intent == "compare" and len(reading.areas) < 2:
            return self._compare(reading, last)
        if reading.areas:
            if not reading.subject and reading.intent == "general":
                # "what about Stoke?", "and in dudley?": the last question, about the new place
                return self._keep(_with_areas(last.standalone, last.areas, reading.areas), last.topic, last.intent)
            return question
        if not last.areas:
            return question
        tokens = _strip_connectives(reading.tokens)
        where = f"in {join_names(last.areas)}"
        anaphor = _anaphor(tokens)
        if anaphor is not None and last.topic:
            # "what are they doing about it?": it is what the last turn was about, in the same place
            tokens = tokens[:anaphor] + [last.topic] + tokens[anaphor + 1:]
            return self._keep(_sentence(_place(tokens, where)), last.topic, reading.intent)
        if not reading.subject and last.topic and reading.intent == "general" \
                and "statements" not in self._slots().read(question):
            # "why?": the last question again, with the new turn's question word ("what does their council say?"
            # asks another speaker about the place instead)
            return self._keep(f"{_sentence(tokens).rstrip(' ?.')}: {last.standalone.rstrip(' ?.')}?", last.topic,
                              reading.intent)
        if self._names_something_elsewhere(tokens, last.areas):
            return question
        return _sentence(_place(tokens, where))

    def _names_something_elsewhere(self, tokens: list[str], areas: list[str]) -> bool:
        """Whether the question names something only other places' documents hold: its rarest word that is no
        English word (a name: "the Zorbleton Otter Club") is in the index but in no document of the last areas.
        Then it is a new question, not a follow-up about the last place."""
        from rag.understand.names import rarest_name

        index = getattr(self.qa, "index", None)
        rarest = rarest_name(" ".join(tokens), index.lexical) if index is not None else None
        if rarest is None:
            return False
        last = {area_key(a) for a in areas}
        return not any(area_key(area) in last for _, area in rarest[1] if area)

    def standalone(self, question: str) -> str:
        """The state's rewrite; where an LLM backend is configured its condensed question (llama-index's
        condense-question pattern) is used instead when it names exactly the areas the state gives and keeps the
        subject it carried."""
        ruled = self.rewrite(question)
        llm = getattr(self.qa.backend, "standalone_question", None)
        if llm is None or not self.turns or ruled == question:
            return ruled
        proposed = llm([t.standalone for t in self.turns], question)
        if proposed and len(proposed) <= 400 and sorted(self._areas(proposed)) == sorted(self._areas(ruled)) \
                and _keeps_subject(proposed, self._pending.get(ruled, ("", ""))[0]):
            if ruled in self._pending:
                self._pending[proposed] = self._pending[ruled]
            return proposed
        return ruled

    def ask(self, question: str, **kwargs) -> Answer:
        question = clean_question(question)
        rewritten = self.standalone(question)
        answer = self.qa.ask(rewritten, **kwargs)
        answer.question, answer.rewritten = question, rewritten
        self.remember(question, rewritten, answer)
        return answer

    def remember(self, question: str, rewritten: str, answer: Answer | None = None) -> None:
        """Record a turn answered elsewhere (the UI streams it through QA.stream)."""
        areas = self._areas(rewritten)
        topic, intent = self._pending.pop(rewritten, (None, None))
        if topic is None:
            topic = _topic(rewritten, areas)
        if intent is None:
            intent = self._router().route(rewritten).intent
        evidence = list(answer.citations) if answer is not None else []
        self._pending.clear()
        self.turns.append(TurnState(question, rewritten, areas, topic, intent, evidence))

    def _keep(self, standalone: str, topic: str, intent: str) -> str:
        """A rewrite that carries the last subject: remembered, so the subject stays what was first asked about."""
        self._pending[standalone] = (topic, intent)
        return standalone

    def _compare(self, reading: _Reading, last: TurnState) -> str:
        """"compare that with Leeds", "which of the two is worse for over 16s?": the last areas (or the last two
        named in the conversation) beside any named now, on the new subject or the last one."""
        recent = list(dict.fromkeys(a for t in reversed(self.turns) for a in reversed(t.areas)))
        areas = list(dict.fromkeys(last.areas + reading.areas)) if reading.areas else list(reversed(recent[:2]))
        if len(areas) < 2:
            return " ".join(reading.tokens)
        subject = _topic(" ".join(reading.tokens), reading.areas, self._router().frame_words("compare") | SET_WORDS) \
            if reading.subject else last.topic
        return self._keep(f"Compare {join_names(areas)}" + (f": {subject}" if subject else ""), subject, "compare")

    def _read(self, question: str) -> _Reading:
        from rag.evidence import content_terms
        from rag.plan import broad_terms

        from rag.understand.focus import split_context
        from rag.understand.normalise import normalise_question

        catalog = self.qa.catalog
        whole = normalise_question(question, catalog.vocabulary)  # "wot bout oldhm" reads as "what about oldhm"
        text = split_context(whole)[1]  # the asked part: "My cousin lives there. And what about Oldham?"
        router = self._router()
        route = router.route(text)
        match = self._match(whole)
        areas = match.in_corpus + match.unknown
        typed = " ".join([*areas, *match.corrected])  # "oldhm" is Oldham as typed, not a subject
        area_words = {w for w in area_key(typed).split()}
        subject = {t for t in content_terms(text) if t not in area_words and area_key(t) not in area_words}
        subject -= broad_terms() | router.frame_words(route.predicted) | SET_WORDS
        return _Reading(areas, route.predicted, route.intent, subject, _TOKEN.findall(text))

    def _router(self):
        return self.qa.catalog.intent_router(getattr(self.qa, "settings", None) or load_settings())

    def _slots(self):
        return self.qa.catalog.slot_reader(getattr(self.qa, "settings", None) or load_settings())

    def _match(self, text: str):
        catalog = self.qa.catalog
        known = list(dict.fromkeys(catalog.areas + list(catalog.stat_areas.values())))
        return find_areas(text, known, catalog.vocabulary)

    def _areas(self, text: str) -> list[str]:
        match = self._match(text)
        return match.in_corpus + match.unknown


def _keeps_subject(proposed: str, topic: str) -> bool:
    """Whether a model's condensed question still asks about the subject the state carried (at least half of its
    content words): "why?" after waits for autism assessment must not become a question about something else."""
    from rag.evidence import content_terms

    wanted = content_terms(topic)
    return not wanted or len(wanted & content_terms(proposed)) * 2 >= len(wanted)


def _strip_connectives(tokens: list[str]) -> list[str]:
    while tokens and tokens[0].lower() in CONNECTIVES:
        tokens = tokens[1:]
    return tokens


def _anaphor(tokens: list[str]) -> int | None:
    """Where the last pronoun standing for the earlier subject is ("what are they doing about it?" -> "it")."""
    lowered = [t.lower() for t in tokens]
    for i in range(len(lowered) - 1, -1, -1):
        after = lowered[i + 1] if i + 1 < len(lowered) else ""
        if lowered[i] in ANAPHORS and not (lowered[i] == "it" and after in _DUMMY_AFTER_IT) \
                and after not in PLACE_NOUNS:
            return i
    return None


def _place(tokens: list[str], where: str) -> list[str]:
    """The words standing for the place ("there", "that council") become the last place; without any, the place is
    added at the end."""
    lowered = [t.lower() for t in tokens]
    for i, token in enumerate(lowered):
        if token in PLACE_WORDS:
            return tokens[:i] + [where] + tokens[i + 1:]
        if token in ANAPHORS and i + 1 < len(lowered) and lowered[i + 1] in PLACE_NOUNS:
            return tokens[:i] + [where] + tokens[i + 2:]
    end = len(tokens)
    while end and not re.match(r"\w", tokens[end - 1]):
        end -= 1
    return tokens[:end] + [where] + tokens[end:]


def _sentence(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = re.sub(r"\s+([?.!,;:’'])", r"\1", text).replace(" ’ ", "’").replace(" ' ", "'")
    text = text.rstrip(" .")
    text = text if text.endswith("?") else f"{text}?"
    return text[:1].upper() + text[1:]


def _with_areas(question: str, old: list[str], new: list[str]) -> str:
    """The question with the old areas' names (an exact form) replaced by the new ones."""
    out = question
    for name in old:
        out = re.sub(rf"\b{re.escape(name)}(?:'s)?\b", "\0", out, flags=re.I)
    if "\0" not in out:
        return f"{question.rstrip(' ?.')} in {join_names(new)}?"
    return re.sub(r"\0(?:(?:,\s*|\s+and\s+)\0)*", join_names(new), out)


def _topic(question: str, areas: list[str], frame: frozenset[str] = frozenset()) -> str:
    """What a question is about, in the words typed: in the clause holding most content words, from its first
    content word to its last, area names (and any of the intent's own words given) left out. "How long are waits for
    autism assessment in Bury?" -> "waits for autism assessment"; "we have been waiting ages for speech therapy in
    wakefield, is that normal there?" -> "waiting ages for speech therapy"; "tell me about Oldham" -> ""."""
    from rag.evidence import content_terms

    text = question
    for name in areas:
        text = re.sub(rf"\b{re.escape(name)}(?:'s)?\b", " ", text, flags=re.I)
    if text.lower().startswith("compare ") and ":" in text:  # our own form: "Compare Bury and Leeds: waits"
        text = text.split(":", 1)[1]

    def counts(token: str) -> bool:
        terms = content_terms(token)
        return bool(terms) and not terms <= frame

    best: list[str] = []
    for clause in re.split(r"[,;:?.!]", text):
        tokens = re.findall(r"[\w'’-]+", clause)
        kept = [i for i, token in enumerate(tokens) if counts(token)]
        if len(kept) > len([t for t in best if counts(t)]):
            best = tokens[kept[0]:kept[-1] + 1]
    return " ".join(best)
