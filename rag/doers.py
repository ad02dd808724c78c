"""Who does what in a sentence: the doer of its first action and whether that action is a duty, a plan or done.

The doer is the last actor named before the sentence's first verb of duty, plan or completion, and each of those
verb forms is a closed class of English auxiliaries. The verifier uses it to reject a rewrite that moves a duty from
the council to parents, or turns "should improve" into "have improved"; the evidence scorer, to find what an area is
doing (planned or done by its leaders) when that is what was asked, not what it was told to do.
"""

from __future__ import annotations

import re

INSPECTORS = re.compile(r"\b(inspectors?|ofsted|cqc|inspection team)\b", re.I)
COUNCIL = re.compile(r"\b(councils?|councillors?|local authority)\b", re.I)
LEADERS = re.compile(r"\b(leaders?|partnerships?|partners)\b", re.I)
_DOERS = {
    "parents": re.compile(r"\b(parents?|carers?|famil(?:y|ies)|mothers?|fathers?)\b", re.I),
    "children": re.compile(r"\b(children|child|young people|young person|pupils?|learners?|students?)\b", re.I),
    "schools": re.compile(r"\b(schools?|colleges?|settings?|sencos?|teachers?|headteachers?|nurser(?:y|ies))\b", re.I),
    "inspectors": INSPECTORS,
    "NHS": re.compile(r"\b(nhs|icbs?|integrated care boards?|health (?:leaders|partners|services|professionals|"
                      r"commissioners|practitioners)|commissioners?|clinicians?|gps?|general practices?|"
                      r"paediatricians?|therapists?)\b", re.I),
    "council": COUNCIL,
    "leaders": LEADERS,
}
# Area leaders are the council and the NHS together; the partnership's practitioners and services are theirs.
SAME_DOER = {"leaders": {"council", "NHS"}, "council": {"leaders"}, "NHS": {"leaders"}}
AREA_LEADERS = frozenset({"leaders", "council", "NHS"})  # those who run an area's SEND services
_MODALITY = {
    "duty": re.compile(r"\b(should|must|ought to|needs?(?: \w+ly){0,2} to|ha(?:ve|s) to|(?:is|are) required to)\b", re.I),
    "plan": re.compile(r"\b(will|plans? to|planning to|intends? to|aims? to|(?:is|are) due to|(?:is|are) going to)\b",
                       re.I),
    "done": re.compile(r"\b(?:ha(?:ve|s)|had)(?P<negated> not| never)?(?: \w+ly){0,2} (?:been )?(?!to\b)"
                       r"\w+(?:ed|en|t|wn|ne|un)\b", re.I),
}


# Something under way: "leaders are developing ...", "the council is now recruiting ..." (not a duty or a plan).
_ONGOING = re.compile(r"\b(?:is|are)(?: \w+ly){0,2} (?!being\b)\w+ing\b", re.I)


def doer_and_modality(text: str) -> tuple[str | None, str | None]:
    """Who does the sentence's first action, and whether it is a duty, a plan or done (None where not said)."""
    first = _first_modality(text)
    if first is None:
        return None, None
    return _last_doer(text[:first[1].start()]), first[0]


def action_taken(text: str) -> tuple[bool, str | None]:
    """(whether the sentence says its first action is planned, done or under way rather than owed, who does it).
    "Leaders have not addressed these failures" says nothing was done."""
    first = _first_modality(text)
    if first is not None:
        modality, m = first
        negated = modality == "done" and m.group("negated") is not None
        return modality in ("plan", "done") and not negated, _last_doer(text[:m.start()])
    m = _ONGOING.search(text)
    return (True, _last_doer(text[:m.start()])) if m else (False, None)


def _first_modality(text: str) -> tuple[str, re.Match] | None:
    found = [(m.start(), modality, m) for modality, pattern in _MODALITY.items() if (m := pattern.search(text))]
    if not found:
        return None
    _, modality, m = min(found, key=lambda f: f[0])
    return modality, m


def _last_doer(before: str) -> str | None:
    named = sorted((m.start(), m.end(), doer) for doer, pattern in _DOERS.items() for m in pattern.finditer(before))
    if not named:
        return None
    doer = named[-1][2]
    if doer == "leaders" and len(named) > 1 and named[-1][0] - named[-2][1] <= 1:
        doer = named[-2][2]  # "school leaders", "health leaders": whose leaders they are
    return doer
