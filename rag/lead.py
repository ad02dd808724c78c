"""Stage 5a, lead: the direct answer, composed by code from structured facts where the question asks for them.

- the outcome, when the outcome is asked: what the report found, in plain words, then what that outcome means
  (after "Yes." or "No." when the question names one outcome: "did Bury get a positive outcome?");
- a count and then the list, when a report's actions are asked ("Inspectors asked leaders to improve these five
  things:");
- who led the inspection, when the inspectors are asked, from the report's team table.
Every other answer leads with the sentence that answers it best (rag.select). A composed lead names nothing its
citations do not say: the area is in the source tag, and the count is of the points shown under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.handoffs import Selection
from rag.understand.slots import OUTCOME_SLOTS
from sendqa.domain import OUTCOME_WORDING, outcomes_mentioned

# An acronym defined in place: "special educational needs and/or disabilities (SEND)".
_DEFINED_ACRONYM = re.compile(r"\(([A-Z]{2,6})\)")
_NOT_INITIALS = {"and", "or", "and/or", "of", "the", "for", "to", "in"}
# Words a report's outcome sentence may open with that are capitalised only because they open it.
_SENTENCE_OPENERS = {"the", "there", "a", "an", "this", "these", "its"}
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


# One inspector as a report's team table lists them: "Adam Sproston HMI, Ofsted lead inspector", "Charlie Fordham,
# HMI, Lead inspector", "Kaye Goodfellow, CQC Lead Inspector" (an exact form: a name, then the role's words).
_ROLE_WORDS = r"(?:Ofsted|CQC|HMI|[Ll]ead|[Ii]nspector)"
_INSPECTOR = re.compile(r"(?P<name>(?:(?:Mr|Mrs|Ms|Miss|Dr)\s)?[A-ZÀ-Þ][\w’'-]+(?:\s[A-ZÀ-Þ][\w’'-]+)*?(?:\sHMI)?),\s"
                        rf"(?P<role>{_ROLE_WORDS}(?:,?\s{_ROLE_WORDS})*)(?=\s|,|$)")
_TABLE_HEADER = "Ofsted Care Quality Commission "


@dataclass
class Lead:
    text: str
    cites: list[str]  # evidence ids it rests on
    glossary_term: str | None = None  # an outcome whose plain meaning follows, from the glossary
    restates: bool = False  # it says its cited sentence whole, so that sentence is not shown again under it


def count_words(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def outcome_lead(selection: Selection, outcome_of) -> Lead | None:
    """"The inspection found that the local area partnership's arrangements lead to inconsistent experiences and
    outcomes for children and young people with SEND.": the report's own outcome sentence, said as what inspectors
    found and with its acronyms in their short form (the glossary explains them), when an outcome question's
    answer opens with one report's pinned outcome. It restates that sentence whole, so the sentence is not shown
    again under it."""
    context = selection.context
    if context.check.intent != "outcome" or not selection.chosen or selection.chosen[0] not in context.pinned:
        return None
    sid = selection.chosen[0]
    sentence = context.sentences[sid]
    outcome = outcome_of(sentence.evidence.doc_id)
    if outcome not in OUTCOME_WORDING or outcome not in outcomes_mentioned(sentence.text):
        return None  # the sentence must say the outcome it is cited for
    found = short_forms(sentence.text.strip())
    first, _, rest = found.partition(" ")
    text = f"The inspection found that {first.lower()} {rest}" if first.lower() in _SENTENCE_OPENERS else \
        f"The inspection found: {found}"
    named = [label for slot, label in OUTCOME_SLOTS.items() if slot in context.check.slots.present]
    if len(named) == 1:  # "did Bury get a positive outcome?": yes or no first
        text = ("Yes. " if named[0] == outcome else "No. ") + text
    return Lead(text, [sid], glossary_term=OUTCOME_WORDING[outcome])


def inspectors(text: str) -> list[tuple[str, str]]:
    """(name, role) of each inspector a team table's line lists, in order; the role in plain case ("CQC lead
    inspector")."""
    text = text[len(_TABLE_HEADER):] if text.startswith(_TABLE_HEADER) else text
    found = []
    for m in _INSPECTOR.finditer(text):
        role = " ".join(w if w in ("Ofsted", "CQC", "HMI") else w.lower() for w in m["role"].replace(",", " ").split())
        found.append((m["name"], role))
    return found


def team_lead(selection: Selection, is_team) -> Lead | None:
    """"The inspection was led by Adam Sproston HMI (Ofsted lead inspector) and Kaye Goodfellow (CQC lead
    inspector), with ...": the report's team table said as a sentence, when "who inspected?" is answered by it."""
    context = selection.context
    if not (context.check.needs_name and "method" in context.check.slots) or not selection.chosen:
        return None
    sid = selection.chosen[0]
    if not is_team(sid):
        return None
    team = inspectors(context.sentences[sid].text)
    leads = [f"{name} ({role})" for name, role in team if "lead" in role]
    if not leads:
        return None
    others = [f"{name} ({role})" for name, role in team if "lead" not in role]
    text = f"The inspection was led by {_and(leads)}" + (f", with {_and(others)}" if others else "") + "."
    return Lead(text, [sid], restates=True)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def short_forms(text: str) -> str:
    """Text with each acronym defined in place said by its short form alone: "children with special educational
    needs and/or disabilities (SEND)" -> "children with SEND". The long form goes only where its words' initials
    spell the acronym, so nothing else is cut."""
    out, end = [], 0
    for m in _DEFINED_ACRONYM.finditer(text):
        acronym = m.group(1).lower()
        words = text[end:m.start()].rstrip().split(" ")
        initials, cut = "", len(words)
        while cut > 0 and len(initials) < len(acronym):
            cut -= 1
            word = words[cut].lower()
            if word not in _NOT_INITIALS and word:
                initials = word[0] + initials
        if initials == acronym and cut > 0:
            out.append(" ".join(words[:cut]) + " " + m.group(1))
        else:
            out.append(text[end:m.end()])
        end = m.end()
    out.append(text[end:])
    return "".join(out)


def list_lead(selection: Selection, points: int, is_action, all_actions: bool = True) -> Lead | None:
    """"Inspectors asked leaders to improve these five things:" before a report's actions, `points` being how many
    are shown under it (all of them actions, else no count is given); None unless the answer opens with them."""
    context = selection.context
    if context.check.intent != "improve" or not selection.chosen or points < 2:
        return None
    first = selection.chosen[0]
    if not is_action(first):
        return None
    if not all_actions:
        return Lead("Inspectors asked leaders to improve these things, among others:", [first])
    return Lead(f"Inspectors asked leaders to improve these {count_words(points)} things:", [first])
