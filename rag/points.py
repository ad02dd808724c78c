"""Stage 8a, shape: an answer's sentences as a lead (the direct answer) and key points under plain headings.

A key point is one shown unit: a sentence, with the sentences that lean on it ("This means ...") or the list items
its lead-in introduces. At most `max_points` are shown by default; the rest are kept for "show more" (`--all`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendqa.domain import (ACTION_SECTIONS, EXPERIENCE_SECTIONS, SECTION_BETTER, SECTION_EFFECTIVE, SECTION_OUTCOME,
                           outcomes_mentioned)
from sendqa.types import AnswerSentence

# Plain headings a parent reads, by what speaks and, for a report, by its section.
NEEDS_BETTER = "What needs to get better"
FIGURES = "The official figures"
HEADINGS_BY_SECTION = {SECTION_BETTER: NEEDS_BETTER, **{s: NEEDS_BETTER for s in ACTION_SECTIONS},
                       SECTION_EFFECTIVE: "What is working",
                       **{s: "What it is like for children and families" for s in EXPERIENCE_SECTIONS},
                       SECTION_OUTCOME: "What inspectors found"}
HEADINGS_BY_SPEAKER = {"council": "What the council says", "NHS": "What the NHS says",
                       "council and NHS": "What the council and NHS say", "press": "What the press reported",
                       "politician": "What politicians said", "glossary": "What the words mean",
                       "official statistics": FIGURES}
REPORT_OTHER = "What inspectors found"
OTHER = "What the documents say"


def heading_for(sentence: AnswerSentence, section: str | None) -> str:
    """The plain heading a sentence's point goes under."""
    if sentence.origin == "statistic":
        return HEADINGS_BY_SPEAKER["official statistics"]
    if sentence.speaker != "Ofsted/CQC":
        return HEADINGS_BY_SPEAKER.get(sentence.speaker, OTHER)
    key = (section or "").strip().lower()
    if key in HEADINGS_BY_SECTION:
        return HEADINGS_BY_SECTION[key]
    if outcomes_mentioned(key):  # a report's outcome heading ("Inconsistent experiences and outcomes")
        return HEADINGS_BY_SECTION[SECTION_OUTCOME]
    return REPORT_OTHER


def head_and_items(members: list[int], texts: list[str]) -> tuple[list[int], list[int]]:
    """A point's (or the lead's) sentences read as a line, and those after a lead-in ending ':' as its list items."""
    for at, i in enumerate(members):
        if texts[i].rstrip().endswith(":") and at + 1 < len(members):
            return members[:at + 1], members[at + 1:]
    return members, []


@dataclass
class Point:
    heading: str
    members: list[int] = field(default_factory=list)  # indices into the answer's sentences


@dataclass
class Shape:
    """Which shown sentences lead, and which key points follow under which headings."""

    max_points: int  # 0: all are shown
    lead: list[int] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    _open: bool = False  # the lead is still taking sentences that lean on it
    _figures_lead: bool = False  # the official figures are the direct answer

    def add(self, index: int, sentence: AnswerSentence, section: str | None, continues: bool) -> bool:
        """Place the answer's sentence `index`; `continues` when it can only be read after the one before it (it
        leans on it, or is an item of its list). True when it is shown by default."""
        if continues and (self.points or self.lead):
            if self.points:
                point = self.points[-1]
                if len(point.members) == 1 and heading_for(sentence, section) != point.heading \
                        and point.heading == OTHER:  # a note ("the official statistics show:") heads what follows
                    point.heading = heading_for(sentence, section)
                point.members.append(index)
                return self.shown(len(self.points) - 1)
            self.lead.append(index)
            return True
        if not self.lead and not self.points:
            self.lead.append(index)  # the direct answer: the first sentence (a list's lead-in, with its items)
            self._figures_lead = sentence.origin == "statistic"
            return True
        self.points.append(Point(heading_for(sentence, section), [index]))
        return self.shown(len(self.points) - 1)

    def shown(self, point: int) -> bool:
        # official figures are always shown (where they are asked they are the answer) and take no key point's place
        if not self.max_points or self.points[point].heading == FIGURES:
            return True
        # where the figures lead, the documents' own best sentence is shown too, as it would have led
        return sum(p.heading != FIGURES for p in self.points[:point]) < self.max_points + self._figures_lead

    def contract(self, sentences: list[AnswerSentence]) -> tuple[dict | None, list[dict]]:
        """(lead, points) as the JSON contract gives them: text with its citations, and where each point's
        sentences are in `sentences`."""
        def joined(members: list[int]) -> dict:
            cited = [n for i in members for n in sentences[i].citations]
            return {"text": " ".join(sentences[i].text for i in members), "citations": list(dict.fromkeys(cited)),
                    "sentences": list(members)}

        lead = joined(self.lead) if self.lead else None
        points = [joined(p.members) | {"heading": p.heading, "speaker": sentences[p.members[0]].speaker,
                                        "area": sentences[p.members[0]].area, "shown": self.shown(i)}
                  for i, p in enumerate(self.points)]
        return lead, points

    def grouped(self, show_all: bool = False) -> list[tuple[str, list[Point]]]:
        """Shown points under their headings, each heading once, in order of its first point."""
        groups: dict[str, list[Point]] = {}
        for i, point in enumerate(self.points):
            if show_all or self.shown(i):
                groups.setdefault(point.heading, []).append(point)
        return list(groups.items())

    def hidden(self) -> int:
        return sum(not self.shown(i) for i in range(len(self.points)))
