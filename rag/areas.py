"""Recognise the local areas a question names ("in Somerset", "Bury's", "Hull"), in the corpus or not."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_GAZETTEER = Path(__file__).with_name("local_authorities.txt")

# Everyday names for areas whose official names are longer.
ALIASES = {
    "hull": "kingston upon hull",
    "stoke": "stoke on trent",
    "the potteries": "stoke on trent",
    "brighton": "brighton and hove",
    "hove": "brighton and hove",
    "southend": "southend on sea",
    "telford": "telford and wrekin",
    "richmond": "richmond upon thames",
    "barking": "barking and dagenham",
    "dagenham": "barking and dagenham",
    "bristol": "bristol",
    "bcp": "bournemouth christchurch and poole",
    "south glos": "south gloucestershire",
    "b&nes": "bath and north east somerset",
    "northants": "northamptonshire",
    "notts": "nottinghamshire",
    "worcs": "worcestershire",
    "lancs": "lancashire",
    "glos": "gloucestershire",
    "herefordshire": "herefordshire",
}
# Place names that are also everyday words: only recognised when capitalised in the question.
_WORD_LIKE = {"reading", "bury", "bath", "sutton", "halton", "merton"}
_DROP = re.compile(r"\b(city of|county of|county|borough|metropolitan|council|the)\b")


def area_key(name: str) -> str:
    """Canonical form of an area name: 'Kingston upon Hull, City of' -> 'kingston upon hull'."""
    key = name.lower().replace("&", " and ").replace("’", "'")
    key = re.sub(r"'s\b", "", key)
    key = _DROP.sub(" ", key)
    key = re.sub(r"[^a-z0-9' ]+", " ", key).replace("'", "")
    return " ".join(key.split())


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, str]:
    """key -> display name for every English local authority we know of."""
    names = [line.strip() for line in _GAZETTEER.read_text(encoding="utf-8").splitlines()]
    return {area_key(n): n for n in names if n and not n.startswith("#")}


@dataclass
class AreaMatch:
    in_corpus: list[str] = field(default_factory=list)  # display names as stored on documents
    unknown: list[str] = field(default_factory=list)  # recognised places with no document in the corpus


def find_areas(question: str, corpus_areas: list[str]) -> AreaMatch:
    """Areas named in the question, split into those the corpus covers and those it does not."""
    corpus = {area_key(a): a for a in corpus_areas if a}
    known = dict(gazetteer())
    known.update({k: v for k, v in corpus.items()})
    candidates = {k: k for k in known}
    candidates.update({alias: target for alias, target in ALIASES.items() if target in known})
    text = question.replace("’", "'")
    flat = " " + area_key(text) + " "
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for phrase in sorted(candidates, key=len, reverse=True):
        for m in re.finditer(rf"(?<= ){re.escape(phrase)}(?= )", flat):
            span = (m.start(), m.end())
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            if phrase in _WORD_LIKE and not re.search(rf"\b{phrase.capitalize()}\b", text):
                continue
            taken.append(span)
            found.append((span[0], candidates[phrase]))
    match = AreaMatch()
    for key in dict.fromkeys(target for _, target in sorted(found)):
        if key in corpus:
            match.in_corpus.append(corpus[key])
        else:
            match.unknown.append(known[key])
    return match
