"""A briefing on one area: a headline (the outcome, the inspection dates, and what that outcome means in plain words),
previous inspection and WSoA history, EHC plan timeliness, what works, what must improve (priority actions first)
and next steps, at most five bullets a section. Every bullet is cited: statistics bullets state table values, the
others are verbatim passages chosen by the ordinary answer path or the glossary's meaning of the outcome. A briefing
asked for in a number of bullets ("in 3 bullets") keeps the headline and that many bullets, taken in turn from the
sections a reader needs first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from rag.areas import area_key
from rag.compare import previous_inspection_cell, span, timeliness_cell
from rag.select import leans
from rag.stat_answers import possessive
from rag.statistics import StatRow, Statistics, fact, long_date
from sendqa.domain import ACTION_SECTIONS, IMPROVE_SECTIONS, OUTCOME_WORDING, STRENGTH_SECTIONS, speaker_label

OGL = ("Contains public sector information licensed under the Open Government Licence v3.0 "
       "(inspection reports: Ofsted and CQC; statistics: Ofsted and the Department for Education).")


@dataclass
class Bullet:
    text: str
    facts: list[StatRow] = field(default_factory=list)
    answer: object | None = None  # the sub-answer a quoted bullet comes from
    sentence: object | None = None  # ... and which of its sentences
    citation: object | None = None  # a glossary entry it quotes (sendqa.types.Citation)


# A numeral (an exact form) in a briefing request is the number of bullets asked for: "in 3 bullets", "five points".
_NUMERAL = re.compile(r"\b(?:10|[1-9]|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
_NUMERAL_VALUES = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
HEADLINE = "Headline"
MAX_BULLETS = 5  # per section
# Which sections a short briefing ("in 3 bullets") draws on first: what must change, then what works, then figures.
_FIRST_NEEDED = ("What must improve", "What works", "EHC plan timeliness",
                 "Previous inspection and written statement of action", "Next steps")


@dataclass
class Briefing:
    area: str
    sections: dict[str, list[Bullet]] = field(default_factory=dict)

    def shortened(self, bullets: int | None) -> "Briefing":
        """The headline and at most `bullets` bullets, one section's best in turn (None: every section whole)."""
        if bullets is None:
            return self
        taken = {name: [] for name in self.sections}
        queues = {name: list(self.sections.get(name, [])) for name in _FIRST_NEEDED}
        left = bullets
        while left and any(queues.values()):
            for name in _FIRST_NEEDED:
                if left and queues[name]:
                    taken[name].append(queues[name].pop(0))
                    left -= 1
        taken[HEADLINE] = self.sections.get(HEADLINE, [])
        return Briefing(self.area, {name: bullets for name, bullets in taken.items() if bullets or name == HEADLINE})


def requested_count(question: str) -> int | None:
    """The number of bullets a briefing request asks for, if it gives one."""
    m = _NUMERAL.search(question or "")
    if m is None:
        return None
    word = m.group(0).lower()
    return int(word) if word.isdigit() else _NUMERAL_VALUES[word]


def brief_area(area: str, stats: Statistics, ask_documents, held: set[str],
               meaning_of: Callable[[str], Bullet | None] = lambda outcome: None) -> Briefing:
    """meaning_of(outcome label): the glossary's plain meaning of that outcome, as a cited bullet."""
    key = area_key(area)
    briefing = Briefing(area)
    row_2023 = stats.inspection_2023(key)
    outcome: list[Bullet] = []
    if key in held:
        outcome += _quoted(ask_documents(f"What was the outcome of {possessive(area)} area SEND inspection?"), 1)
    if row_2023 and row_2023["outcome"] and not outcome:  # no report held to quote: the statistics give it
        outcome.append(Bullet(f"Outcome: {OUTCOME_WORDING[row_2023['outcome']]}.", facts=[fact("inspections_2023", row_2023)]))
    if row_2023 and row_2023["start"]:
        outcome.append(Bullet(f"Inspected {span(row_2023['start'], row_2023['end'])}; report published "
                              f"{long_date(row_2023['published'])}.", facts=[fact("inspections_2023", row_2023)]))
    label = row_2023["outcome"] if row_2023 and row_2023["outcome"] else None
    if label and (meaning := meaning_of(label)):
        outcome.append(meaning)  # what the outcome means, in the glossary's plain words
    briefing.sections[HEADLINE] = outcome
    previous = previous_inspection_cell(area, stats.inspection_2016(key))
    briefing.sections["Previous inspection and written statement of action"] = \
        [Bullet(previous.text[:1].upper() + previous.text[1:] + ".", facts=previous.facts)] if previous.facts else []
    series = [r for r in stats.timeliness(key) if r["pct"] is not None]
    timely = timeliness_cell(area, series)
    bullets = [Bullet(f"EHC plans issued within 20 weeks: {timely.text.removesuffix(' issued within 20 weeks')}.",
                      facts=timely.facts)] if timely.facts else []
    england = {r["year"]: r for r in stats.timeliness("england") if r["pct"] is not None}
    if series and series[-1]["year"] in england:
        last, national = series[-1], england[series[-1]["year"]]
        bullets.append(Bullet(f"England in {last['year']}: {national['pct']:g}%; {area}: {last['pct']:g}%.",
                              facts=[fact("timeliness", national), fact("timeliness", last)]))
    briefing.sections["EHC plan timeliness"] = bullets
    if key in held:
        briefing.sections["What works"] = _quoted(ask_documents(f"What is {area} doing well for children with SEND?"), 3,
                                                  prefer=set(STRENGTH_SECTIONS))
        # Priority actions first, then areas for improvement: the report's own sections decide, not the wording.
        briefing.sections["What must improve"] = _quoted(ask_documents(f"What does {area} need to improve?"), 5,
                                                         prefer=set(ACTION_SECTIONS) | set(IMPROVE_SECTIONS))
    else:
        briefing.sections["What works"] = briefing.sections["What must improve"] = []
    next_steps = []
    if row_2023 and row_2023.get("next_inspection"):
        kind = "monitoring inspection" if row_2023["outcome"] == "widespread and/or systemic failings" else "next full inspection"
        next_steps.append(Bullet(f"The {kind} is due within about {row_2023['next_inspection']} "
                                 f"(by {long_date(row_2023['next_inspection_by'])}).",
                                 facts=[fact("inspections_2023", row_2023)]))
    briefing.sections["Next steps"] = next_steps
    return briefing


def _quoted(answer, limit: int, prefer: set[str] | None = None) -> list[Bullet]:
    """The answer's quoted sentences; with `prefer`, those from these report sections (in their order of priority)
    when there are any."""
    if answer is None or answer.abstained:
        return []
    # Whole sentences only: a briefing bullet stands alone, so a list's lead-in ("... should improve:"), its items
    # (which open in lower case) and a sentence leaning on the one before ("This means ...") are left to the full
    # answer.
    quoted = [s for s in answer.sentences if s.citations and s.origin not in ("message", "composed")
              and not s.text.rstrip().endswith(":") and not s.text[:1].islower() and not leans(s.text)]
    if prefer:
        section = {c.n: (c.section or "").lower() for c in answer.citations}
        rank = {name: i for i, name in enumerate(sorted(prefer, key=lambda n: ACTION_SECTIONS.get(n, 9)))}
        inside = [s for s in quoted if section.get(s.citations[0]) in prefer]
        if inside:
            quoted = sorted(inside, key=lambda s: rank.get(section.get(s.citations[0]), 9))
    return [Bullet(s.text, answer=answer, sentence=s) for s in quoted[:min(limit, MAX_BULLETS)]]


def _label(speaker: str | None) -> str:
    """Statements are not findings: a bullet quoting a council, the NHS or the press says so."""
    if speaker in (None, "Ofsted/CQC", "official statistics", "unknown"):
        return ""
    return f"({speaker_label(speaker)}) "


def briefing_markdown(answer) -> str:
    """A briefing Answer as Markdown: sections of cited bullets, the numbered sources, and the OGL attribution."""
    data = answer.briefing or {}
    lines = [f"# Briefing: {data.get('area', '')} area SEND inspection", ""]
    for section in data.get("sections", []):
        lines += [f"## {section['heading']}", ""]
        bullets = section["bullets"] or [{"text": "Not stated in the documents and statistics held.", "citations": []}]
        lines += [f"- {_label(b.get('speaker'))}{b['text']}" + "".join(f" [{n}]" for n in b["citations"]) for b in bullets]
        lines.append("")
    lines += ["## Sources", ""]
    for c in answer.citations:
        where = ", ".join(x for x in (f"p. {c.page}" if c.page else "", c.section or "",
                                      c.row if c.citation_type == "statistic" else "") if x)
        kind = {"statistic": "official statistics", "glossary": "glossary"}.get(c.citation_type, "quote")
        lines.append(f"{c.n}. {c.title} ({c.source}{'; ' + where if where else ''}; {kind}): “{c.quote}”")
    lines += ["", f"_{OGL}_", ""]
    return "\n".join(lines)
