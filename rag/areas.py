"""Recognise the local areas a question names, however it is typed: "Bury's", "bury", "north northants", "somerest".

Area names are matched on a canonical key (lower case, no punctuation, "County"/"City of" dropped), after county
abbreviations are expanded. Names that are also everyday words ("bury", "reading") count only when capitalised or
standing where a place stands ("in bury", "bury council"). A word that is no known word of the corpus and is close
to an area's name is read as a typo of it. Councils abolished since 2019 lead to their successors.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_GAZETTEER = Path(__file__).with_name("local_authorities.txt")

# Everyday names for areas whose official names are longer (whole phrases, after abbreviation expansion).
ALIASES = {
    "hull": "kingston upon hull",
    "stoke": "stoke on trent",
    "the potteries": "stoke on trent",
    "potteries": "stoke on trent",
    "brighton": "brighton and hove",
    "hove": "brighton and hove",
    "southend": "southend on sea",
    "telford": "telford and wrekin",
    "wrekin": "telford and wrekin",
    "richmond": "richmond upon thames",
    "barking": "barking and dagenham",
    "dagenham": "barking and dagenham",
    "bcp": "bournemouth christchurch and poole",
    "bournemouth": "bournemouth christchurch and poole",
    "poole": "bournemouth christchurch and poole",
    "banes": "bath and north east somerset",
    "b and nes": "bath and north east somerset",
    "durham": "durham",
    "east riding": "east riding of yorkshire",
    "herefordshire": "herefordshire",
}
# County abbreviations people type, expanded word by word before matching ("north northants").
ABBREVIATIONS = {
    "northants": "northamptonshire", "notts": "nottinghamshire", "glos": "gloucestershire", "gloucs": "gloucestershire",
    "lancs": "lancashire", "worcs": "worcestershire", "herts": "hertfordshire", "bucks": "buckinghamshire",
    "berks": "berkshire", "cambs": "cambridgeshire", "leics": "leicestershire", "lincs": "lincolnshire",
    "oxon": "oxfordshire", "wilts": "wiltshire", "hants": "hampshire", "staffs": "staffordshire",
    "derbys": "derbyshire", "shrops": "shropshire", "yorks": "yorkshire", "beds": "bedfordshire",
    "warks": "warwickshire", "northumb": "northumberland", "cornwal": "cornwall", "middlesboro": "middlesbrough",
}
# Councils abolished since 2019 and the areas that replaced them.
SUCCESSORS = {
    "northamptonshire": ["North Northamptonshire", "West Northamptonshire"],
    "cumbria": ["Cumberland", "Westmorland and Furness"],
}
# Place names that are also everyday words: only a place when capitalised or where a place stands.
_WORD_LIKE = {"reading", "bury", "bath", "sutton", "halton", "merton", "poole", "wrekin", "richmond", "brent"}
_PLACE_BEFORE = {"in", "for", "at", "about", "from", "of", "near", "around", "across", "is", "does", "did", "has",
                 "was", "compare", "and", "or", "vs", "versus", "with", "than", "between", "live", "living"}
_PLACE_AFTER = {"council", "area", "local", "send", "partnership", "inspection", "report", "reports", "ofsted",
                "icb", "families", "parents", "schools", "children", "and", "or", "vs", "compared", "do", "did",
                "does", "doing", "get", "got", "need", "needs", "still"}
_DROP = re.compile(r"\b(city of|county of|county|borough|metropolitan|council|the)\b")
_FUZZY_MIN_LEN = 5
_FUZZY_CUTOFF = 0.84


def area_key(name: str) -> str:
    """Canonical form of an area name: 'Kingston upon Hull, City of' -> 'kingston upon hull'."""
    key = name.lower().replace("&", " and ").replace("’", "'")
    key = re.sub(r"'s\b", "", key)
    key = _DROP.sub(" ", key)
    key = re.sub(r"[^a-z0-9' ]+", " ", key).replace("'", "")
    return " ".join(ABBREVIATIONS.get(w, w) for w in key.split())


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, str]:
    """key -> display name for every English local authority we know of."""
    names = [line.strip() for line in _GAZETTEER.read_text(encoding="utf-8").splitlines()]
    return {area_key(n): n for n in names if n and not n.startswith("#")}


@dataclass
class AreaMatch:
    in_corpus: list[str] = field(default_factory=list)  # display names as stored on documents
    unknown: list[str] = field(default_factory=list)  # recognised places with no document in the corpus
    corrected: dict[str, str] = field(default_factory=dict)  # what was typed -> the area it was read as
    replaced: dict[str, list[str]] = field(default_factory=dict)  # abolished council -> its successors in the corpus


def find_areas(question: str, corpus_areas: list[str], vocabulary: frozenset[str] = frozenset()) -> AreaMatch:
    """Areas named in the question, split into those the corpus covers and those it does not.

    vocabulary: ordinary words (e.g. every word of the indexed documents); only other words may be read as typos.
    """
    corpus = {area_key(a): a for a in corpus_areas if a}
    known = dict(gazetteer())
    known.update(corpus)
    candidates = {k: k for k in known}
    candidates.update({alias: target for alias, target in ALIASES.items() if target in known})
    text = question.replace("’", "'")
    flat = " " + area_key(text) + " "
    words = flat.split()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for phrase in sorted(candidates, key=len, reverse=True):
        for m in re.finditer(rf"(?<= ){re.escape(phrase)}(?= )", flat):
            span = (m.start(), m.end())
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            if phrase in _WORD_LIKE and not _stands_as_place(phrase, text, flat, span):
                continue
            taken.append(span)
            found.append((span[0], candidates[phrase]))
    match = AreaMatch()
    _fuzzy(flat, words, taken, candidates, vocabulary, found, match)
    for key in dict.fromkeys(target for _, target in sorted(found)):
        if key in corpus:
            match.in_corpus.append(corpus[key])
        elif key in SUCCESSORS and any(area_key(s) in corpus for s in SUCCESSORS[key]):
            successors = [corpus[area_key(s)] for s in SUCCESSORS[key] if area_key(s) in corpus]
            match.replaced[known[key]] = successors
            match.in_corpus += [s for s in successors if s not in match.in_corpus]
        else:
            match.unknown.append(known[key])
    return match


def _stands_as_place(phrase: str, text: str, flat: str, span: tuple[int, int]) -> bool:
    if re.search(rf"\b{re.escape(phrase.capitalize())}\b", text):
        return True
    before = flat[:span[0]].split()[-1:] or [""]
    after = flat[span[1]:].split()[:1] or [""]
    possessive = re.search(rf"\b{re.escape(phrase)}'s\b", text, re.I)
    return before[0] in _PLACE_BEFORE or after[0] in _PLACE_AFTER or bool(possessive)


def _fuzzy(flat: str, words: list[str], taken: list[tuple[int, int]], candidates: dict[str, str],
           vocabulary: frozenset[str], found: list[tuple[int, str]], match: AreaMatch) -> None:
    """Read a word (or two) that is no ordinary word and close to an area's name as that area."""
    single = {k: v for k, v in candidates.items() if " " not in k}
    double = {k: v for k, v in candidates.items() if k.count(" ") == 1}
    position = 1
    offsets = []
    for w in words:
        offsets.append(position)
        position += len(w) + 1
    for i, w in enumerate(words):
        start = offsets[i]
        if (len(w) < _FUZZY_MIN_LEN or w in vocabulary or w in candidates or any(s <= start < e for s, e in taken)
                or not w.isalpha()):  # an exact name left unmatched was rejected on purpose ("reading support")
            continue
        options = []
        if i + 1 < len(words):
            pair = f"{w} {words[i + 1]}"
            options = [(pair, c) for c in difflib.get_close_matches(pair, double, n=1, cutoff=_FUZZY_CUTOFF)]
        options += [(w, c) for c in difflib.get_close_matches(w, single, n=1, cutoff=_FUZZY_CUTOFF)]
        if options:
            typed, key = options[0]
            taken.append((start, start + len(typed)))
            found.append((start, candidates[key]))
            match.corrected[typed] = key


def join_names(areas: list[str]) -> str:
    """'Bury', 'Bury and Oldham', 'Bury, Oldham and Leeds'."""
    return areas[0] if len(areas) == 1 else ", ".join(areas[:-1]) + " and " + areas[-1]


def nearest_areas(name: str, corpus_areas: list[str], n: int = 3) -> list[str]:
    """Corpus areas whose names are closest to one it does not hold (for "did you mean")."""
    keys = {area_key(a): a for a in corpus_areas}
    return [keys[k] for k in difflib.get_close_matches(area_key(name), list(keys), n=n, cutoff=0.6)]
