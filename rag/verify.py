"""Stage 6, verify: a drafted sentence is shown only if the passages it cites support it.

Hard checks (each a reason to reject): it cites nothing; a number, month, name or area it states is in none of its
passages; it says inspectors, the council, the NHS or parents acted or spoke where its passages name no such actor
and are not theirs; it hands the action its passage describes to someone else, or turns a duty or plan into something
done (or the reverse); it states an inspection outcome other than its report's, or an Ofsted grade; it compares or ranks (better,
longest, first ...) where the passages do not; it negates what the passages affirm. Soft checks, with thresholds
tuned on evals/verifier/pairs.jsonl: enough of its content words appear in the passages (English passages), and its
meaning is close to theirs (multilingual embedding similarity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rag.doers import COUNCIL, INSPECTORS, LEADERS, SAME_DOER, doer_and_modality
from rag.evidence import content_terms
from rag.sentences import Sentence
from rag.areas import find_areas, gazetteer
from sendqa.domain import ACRONYMS, GRADE_ASSERTED, outcomes_mentioned

# "one" is left out: "one of", "no one" and "one-to-one" are idiom more often than a figure.
_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
                 "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                 "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b(?:" + "|".join(_WORD_NUMBERS) + r")\b", re.I)
_MONTHS = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december)\b", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z'’&-]*[A-Za-z]\b|\b[A-Z]{2,}\b")
# Capitalised words any sentence about SEND may use without a passage saying them.
_GENERIC_NAMES = {"send", "sen", "ehc", "ehcp", "ehcps", "nhs", "ofsted", "cqc", "uk", "england", "english", "i",
                  "council", "councils", "local", "area", "partnership", "the", "a", "an", "in", "it", "this", "these",
                  "there", "they", "their", "its", "some", "many", "most", "children", "young", "families", "parents",
                  "leaders", "inspectors", "however", "also", "but", "and", "for", "when", "while", "since", "at", "on"}
# Judgements and rankings a small model must never make up ...
_RANKING = re.compile(r"\b(better|worse|best|worst|highest|lowest|longest|shortest|fastest|slowest|first|last|"
                      r"top|bottom|leading|lagging)\b", re.I)
# ... and comparisons, which only matter when a sentence sets two areas side by side.
_COMPARATIVE = re.compile(r"\b(more than|less than|fewer than|higher|lower|longer|shorter|faster|slower|most|least|"
                          r"compared (?:to|with)|unlike|than|whereas)\b", re.I)
# Who a sentence says acted or spoke. A rewrite that hands a finding to someone else ("Inspectors agreed" -> "The
# council agreed") misattributes it: each actor it names must be named in its passages or be their speaker.
_ACTORS = {
    "inspectors": (INSPECTORS, {"Ofsted/CQC"}),
    "the council": (COUNCIL, {"council", "council and NHS"}),
    "the NHS": (re.compile(r"\b(nhs|icb|integrated care boards?|clinical commissioning groups?)\b", re.I),
                {"NHS", "council and NHS"}),
    "parents": (re.compile(r"\b(parents?|carers?|famil(?:y|ies))\b", re.I), set()),
}
# Area leaders are the council and the NHS together: a passage about them supports either.
_LEADERS = LEADERS


def who_does_what(claim: str, passages: list[str]) -> list[str]:
    """Reasons a claim changes who acts or what is asked of them, against the passage whose action it restates."""
    doer, modality = doer_and_modality(claim)
    if modality is None:
        return []
    read = [doer_and_modality(p) for p in passages]
    read = [(d, m) for d, m in read if m is not None]
    if not read:
        return []
    reasons = []
    if modality not in {m for _, m in read} and not (modality == "duty" and "plan" in {m for _, m in read}
                                                      and "done" not in {m for _, m in read}):
        said = "/".join(sorted({m for _, m in read}))
        reasons.append(f"says it is {'done' if modality == 'done' else 'still to do'} where the passages say {said}")
    doers = {d for d, _ in read if d is not None}
    if doer is not None and doers and doer not in doers and not (SAME_DOER.get(doer, set()) & doers):
        reasons.append(f"gives to {doer} what the passages give to {'/'.join(sorted(doers))}")
    return reasons


_NEGATION = re.compile(r"\b(not|no|never|none|nor|cannot|can't|don't|doesn't|didn't|isn't|aren't|wasn't|weren't|"
                       r"without|lack\w*|unable|rarely|seldom|insufficient\w*|inadequate\w*|poor\w*|ineffective|too long|"
                       r"too few|non)\b|n't\b", re.I)


def all_areas() -> list[str]:
    return list(gazetteer().values())


@dataclass
class Verdict:
    supported: bool
    reasons: list[str] = field(default_factory=list)
    similarity: float = 0.0
    coverage: float = 1.0


@dataclass
class Thresholds:
    min_similarity: float
    min_coverage: float
    check_negation: bool = True


def _numbers(text: str) -> set[str]:
    out = set()
    for m in _NUMBER.finditer(text):
        token = m.group(0).lower()
        out.add(str(_WORD_NUMBERS[token]) if token in _WORD_NUMBERS else token.replace(",", ""))
    return out


def _names(text: str) -> set[str]:
    """Capitalised words and acronyms a sentence asserts (its first word only when it is an acronym)."""
    found = set()
    for i, m in enumerate(_CAPITALISED.finditer(text)):
        word = m.group(0)
        starts = not text[:m.start()].strip() or text[:m.start()].rstrip().endswith((".", ":", "!", "?"))
        if starts and not word.isupper():
            continue
        if word.lower() in _GENERIC_NAMES or _MONTHS.fullmatch(word):
            continue
        found.add(word.lower().replace("’", "'").removesuffix("'s"))
    return found


def features(claim: str, passages: list[Sentence], outcome_of: Callable[[str], str | None]) -> dict:
    """What the verifier looks at, for one sentence and the passages it cites (also used to tune it)."""
    joined = " ".join(p.text for p in passages)
    english = [p for p in passages if p.evidence.language == "en"]
    lowered = joined.lower().replace("’", "'")
    metadata = " ".join(f"{p.evidence.area or ''} {p.evidence.title}" for p in passages).lower()
    # Number words and comparisons can only be matched in the passage's own language: across languages, digits.
    claim_numbers = _numbers(claim) if english else _numbers(" ".join(re.findall(r"\d+(?:[.,]\d+)*", claim)))
    missing_numbers = claim_numbers - _numbers(joined)
    missing_months = {m.lower() for m in _MONTHS.findall(claim)} - {m.lower() for m in _MONTHS.findall(joined)}
    missing_names = {n for n in _names(claim) if n not in lowered and n not in metadata
                     and not (n in ACRONYMS and ACRONYMS[n] in lowered)}
    report_outcomes = {outcome_of(p.evidence.doc_id) for p in passages if p.evidence.kind == "inspection report"} - {None}
    stated = outcomes_mentioned(claim)
    wrong_outcome = bool(stated - outcomes_mentioned(joined) - report_outcomes) or (
        bool(stated) and bool(report_outcomes) and not stated <= report_outcomes)
    grade = bool(GRADE_ASSERTED.search(claim)) and not GRADE_ASSERTED.search(joined)
    comparative = set()
    if english:
        said = {w.lower() for w in _RANKING.findall(joined) + _COMPARATIVE.findall(joined)}
        comparative = {w.lower() for w in _RANKING.findall(claim)} - said
        if len(find_areas(claim, all_areas()).in_corpus) > 1 or len({p.evidence.area for p in passages}) > 1:
            comparative |= {w.lower() for w in _COMPARATIVE.findall(claim)} - said
    english_text = " ".join(p.text for p in english)
    speakers = {p.evidence.speaker for p in english}
    named = {name for name, (pattern, _) in _ACTORS.items() if pattern.search(english_text)}
    missing_actors = sorted(
        name for name, (pattern, speaking) in _ACTORS.items()
        if english and pattern.search(claim) and name not in named
        # a statement's own voice ("we will ...") is its speaker's, unless the passage credits someone else
        and not (speakers & speaking and not named - {"parents"})
        and not (name in ("the council", "the NHS") and _LEADERS.search(english_text)))
    claim_neg = bool(_NEGATION.search(claim))
    passage_neg = bool(_NEGATION.search(joined))
    terms = content_terms(claim) - content_terms(metadata)
    passage_terms = content_terms(" ".join(p.text for p in english)) if english else set()
    coverage = len(terms & passage_terms) / len(terms) if terms and english else 1.0
    moved = who_does_what(claim, [p.text for p in english]) if english else []
    return {"who_does_what": moved, "missing_numbers": sorted(missing_numbers), "missing_months": sorted(missing_months),
            "missing_names": sorted(missing_names), "missing_actors": missing_actors, "wrong_outcome": wrong_outcome, "grade": grade,
            "comparative": sorted(comparative), "claim_negated": claim_neg, "passage_negated": passage_neg,
            "coverage": round(coverage, 3), "english": bool(english)}


def decide(f: dict, similarity: float, thresholds: Thresholds) -> Verdict:
    reasons = []
    if f["missing_numbers"]:
        reasons.append(f"numbers not in passages: {', '.join(f['missing_numbers'])}")
    if f["missing_months"]:
        reasons.append(f"dates not in passages: {', '.join(f['missing_months'])}")
    if f["missing_names"]:
        reasons.append(f"names not in passages: {', '.join(f['missing_names'])}")
    if f.get("missing_actors"):
        reasons.append(f"names as acting or speaking someone the passages do not: {', '.join(f['missing_actors'])}")
    reasons += f.get("who_does_what", [])
    if f["wrong_outcome"]:
        reasons.append("states an outcome its report does not give")
    if f["grade"]:
        reasons.append("states an Ofsted grade area SEND inspections do not give")
    if f["comparative"]:
        reasons.append(f"compares where the passages do not: {', '.join(f['comparative'])}")
    if thresholds.check_negation and f["claim_negated"] != f["passage_negated"] and f["english"]:
        reasons.append("negation differs from the passages")
    if f["coverage"] < thresholds.min_coverage:
        reasons.append(f"content words not in passages ({f['coverage']:.2f} covered)")
    if similarity < thresholds.min_similarity:
        reasons.append(f"meaning differs from the passages (similarity {similarity:.2f})")
    return Verdict(not reasons, reasons, round(similarity, 3), f["coverage"])


class Verifier:
    """Checks drafted sentences against the passages they cite."""

    def __init__(self, encode: Callable[[list[str], bool], np.ndarray], outcome_of: Callable[[str], str | None],
                 thresholds: Thresholds):
        self._encode = encode  # normalised embeddings, one row per text
        self._outcome_of = outcome_of
        self.thresholds = thresholds

    def similarity(self, claim: str, passages: list[Sentence]) -> float:
        vectors = self._encode([claim] + [p.text for p in passages], False)
        return float(np.max(vectors[1:] @ vectors[0])) if len(passages) else 0.0

    def check(self, claim: str, passages: list[Sentence]) -> Verdict:
        if not passages:
            return Verdict(False, ["cites no passage"])
        f = features(claim, passages, self._outcome_of)
        return decide(f, self.similarity(claim, passages), self.thresholds)
