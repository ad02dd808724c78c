"""Facts read from a report's own text: area, dates, previous inspection, outcome, WSoA."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sendqa.domain import OUTCOME_IN_REPORT, OUTCOMES

_MONTHS = "january february march april may june july august september october november december".split()
_AREA_RE = re.compile(
    r"Area SEND inspection of (?:the )?(?P<area>.+?)\s+(?:Local Area Partnership|local area partnership)", re.S
)
_LETTER_AREA_RE = re.compile(r"(?:Joint local area SEND (?:inspection|revisit) in|local area of) (?P<area>[A-Z][\w&' -]+?)[\n.,]")
_DATES_RE = re.compile(r"Inspection dates?:\s*(?P<d>[^\n]+?)(?=\s*Dates? of previous|\n|$)")
_PREV_RE = re.compile(r"Dates? of previous inspection:\s*(?P<d>[^\n]+)")
_FILENAME_DATE_RE = re.compile(r"(\d{1,2})_(" + "|".join(_MONTHS) + r")_(\d{4})", re.I)

_OUTCOME_PATTERNS = tuple(OUTCOME_IN_REPORT.items())
_WSOA_RE = re.compile(r"written statement of action", re.I)
_WSOA_REQUIRED_RE = re.compile(
    r"(?:required|requires|determined that)[^.]{0,200}written statement of action|written statement of action[^.]{0,80}(?:is required|must be)",
    re.I,
)
_REVISIT_RE = re.compile(r"\brevisit\b|sufficient progress", re.I)

assert {o for o, _ in _OUTCOME_PATTERNS} == set(OUTCOMES)


@dataclass
class ReportFacts:
    area: str | None = None
    kind: str | None = None
    speaker: str | None = None
    inspection_dates: str | None = None
    previous_inspection: str | None = None
    outcome: str | None = None
    outcome_sentence: str | None = None
    wsoa_required: bool | None = None
    date: str | None = None


def extract_facts(text: str, filename: str = "") -> ReportFacts:
    """Read what an inspection report or letter says about itself; leaves fields None when unsure."""
    facts = ReportFacts(date=date_from_filename(filename))
    head = text[:6000]
    if match := _AREA_RE.search(head):
        facts.area = " ".join(match.group("area").split())
        facts.kind, facts.speaker = "inspection report", "Ofsted/CQC"
    elif match := _LETTER_AREA_RE.search(head):
        facts.area = match.group("area").strip()
    if match := _DATES_RE.search(head):
        facts.inspection_dates = match.group("d").strip()
    if match := _PREV_RE.search(head):
        facts.previous_inspection = match.group("d").strip()
    if facts.kind == "inspection report":
        outcome_zone = text[: text.find("Information about the local area partnership")] if "Information about the local area partnership" in text else head
        for label, pattern in _OUTCOME_PATTERNS:
            if m := pattern.search(outcome_zone):
                facts.outcome = label
                facts.outcome_sentence = _sentence_around(outcome_zone, m.start())
                break
    elif _WSOA_RE.search(text) and ("Ofsted" in head or "Care Quality Commission" in head):
        facts.kind = "revisit letter" if _REVISIT_RE.search(head) else "inspection report"
        facts.speaker = "Ofsted/CQC"
        facts.wsoa_required = bool(_WSOA_REQUIRED_RE.search(text))
    return facts


def date_from_filename(filename: str) -> str | None:
    """Ofsted's download names end with the publication date, e.g. '..._-_07_may_2024.pdf'."""
    match = _FILENAME_DATE_RE.search(filename)
    if not match:
        return None
    day, month, year = match.groups()
    return f"{year}-{_MONTHS.index(month.lower()) + 1:02d}-{int(day):02d}"


def _sentence_around(text: str, pos: int) -> str:
    start = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos))
    start = 0 if start < 0 else start + 1
    end = text.find(".", pos)
    end = len(text) if end < 0 else end + 1
    return text[start:end].strip()
