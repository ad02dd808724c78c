"""Stage 5a, lead: the direct answer, composed by code from structured facts where the question asks for them.

- the outcome, when the outcome is asked: what the report found, in plain words, then what that outcome means
  (after "Yes." or "No." when the question names one outcome: "did Bury get a positive outcome?");
- a count and then the list, when a report's actions are asked ("Inspectors asked leaders to improve these five
  things:").
Every other answer leads with the sentence that answers it best (rag.select). A composed lead names nothing its
citations do not say: the area is in the source tag, and the count is of the points shown under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.handoffs import Selection
from rag.understand.slots import OUTCOME_SLOTS
from sendqa.domain import OUTCOME_WORDING, outcomes_mentioned

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass
class Lead:
    text: str
    cites: list[str]  # evidence ids it rests on
    glossary_term: str | None = None  # an outcome whose plain meaning follows, from the glossary


def count_words(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def outcome_lead(selection: Selection, outcome_of) -> Lead | None:
    """"The inspection found inconsistent experiences and outcomes for children and young people with SEND.", citing
    the report's outcome sentence, when an outcome question's answer opens with one report's pinned outcome."""
    context = selection.context
    if context.check.intent != "outcome" or not selection.chosen or selection.chosen[0] not in context.pinned:
        return None
    sid = selection.chosen[0]
    sentence = context.sentences[sid]
    outcome = outcome_of(sentence.evidence.doc_id)
    if outcome not in OUTCOME_WORDING or outcome not in outcomes_mentioned(sentence.text):
        return None  # the sentence must say the outcome it is cited for
    wording = OUTCOME_WORDING[outcome]
    text = f"The inspection found {wording} for children and young people with SEND."
    named = [label for slot, label in OUTCOME_SLOTS.items() if slot in context.check.slots.present]
    if len(named) == 1:  # "did Bury get a positive outcome?": yes or no first
        text = ("Yes. " if named[0] == outcome else "No. ") + text
    return Lead(text, [sid], glossary_term=wording)


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
