"""Recognise the places a question names, however typed: "Bury's", "bury", "north northants", "somerest", "B&H".

Places come from one typed gazetteer (rag/understand/gazetteer.csv: councils, former councils, regions, England,
and places outside England), so a region is never read as a council and no two places share a key. Names that are
also everyday words ("bury", "reading") count only when capitalised or standing where a place stands ("in bury",
"bury council"). A word that is no known word of the corpus and is close to a council's name is read as a typo of it
(rapidfuzz). Councils abolished since 2009 lead to their successors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from rag.understand.gazetteer import Place, default_gazetteer, place_key

# County abbreviations people type inside longer names, expanded word by word before matching ("north northants",
# "south glos"); whole short forms ("Herts", "B&H") are aliases in the gazetteer.
ABBREVIATIONS = {
    "northants": "northamptonshire", "notts": "nottinghamshire", "glos": "gloucestershire", "gloucs": "gloucestershire",
    "lancs": "lancashire", "worcs": "worcestershire", "herts": "hertfordshire", "bucks": "buckinghamshire",
    "cambs": "cambridgeshire", "leics": "leicestershire", "lincs": "lincolnshire", "yorks": "yorkshire",
    "oxon": "oxfordshire", "wilts": "wiltshire", "hants": "hampshire", "staffs": "staffordshire",
    "derbys": "derbyshire", "shrops": "shropshire", "warks": "warwickshire", "northumb": "northumberland",
    "cornwal": "cornwall", "middlesboro": "middlesbrough",
}
# Place names that are also everyday words (or first names): only a place when capitalised or where a place stands.
_WORD_LIKE = {"reading", "bury", "bath", "sutton", "halton", "merton", "poole", "wrekin", "richmond", "brent",
              "kingston", "angus", "highland", "derby", "hull"}
_PLACE_BEFORE = {"in", "for", "at", "about", "from", "of", "near", "around", "across", "is", "does", "did", "has",
                 "was", "will", "compare", "and", "or", "vs", "versus", "with", "than", "between", "live", "living", "on"}
_PLACE_AFTER = {"council", "area", "local", "send", "partnership", "inspection", "report", "reports", "ofsted",
                "icb", "families", "parents", "schools", "children", "and", "or", "vs", "compared", "do", "did",
                "does", "doing", "get", "got", "need", "needs", "still", "briefing", "summary", "findings", "outcome",
                "result", "results", "inspected", "be", "been"}
# Words an official name may carry that a question drops ("Bury Metropolitan Borough Council" is Bury).
_DROP = re.compile(r"\b(city of|county of|county|borough|metropolitan|council|the)\b")
_FUZZY_MIN_LEN = 5
_FUZZY_CUTOFF = 84  # rapidfuzz ratio (0-100)
_MATCHED_TYPES = ("council", "former_council", "outside_england")  # fuzzy matching: never a region


def _possessive_free(text: str) -> str:
    return re.sub(r"['’]s\b", "", text.replace("’", "'"))


def _text_key(text: str) -> str:
    """A question as place names are matched in it: lower case, punctuation as spaces, abbreviations spelled out."""
    return " ".join(ABBREVIATIONS.get(w, w) for w in place_key(_possessive_free(text)).split())


@lru_cache(maxsize=8192)
def area_key(name: str) -> str:
    """Canonical key of a place name: the gazetteer's own for any name it knows ('Kingston upon Hull, City of' and
    'Hull' -> 'kingston upon hull'; 'City of London' -> 'city of london', 'London' -> 'london', the region), else
    the name without official words ('Zorbleton Borough Council' -> 'zorbleton')."""
    place = _lookup(name)
    if place is not None:
        return place_key(place.name)
    return " ".join(_DROP.sub(" ", _text_key(name)).split())


def _lookup(name: str) -> Place | None:
    gaz = default_gazetteer()
    key = _text_key(name)
    return gaz.lookup(key) or gaz.lookup(" ".join(_DROP.sub(" ", key).split()))


def place_of(name: str) -> Place | None:
    """The gazetteer's place for a name or short form, if any."""
    return _lookup(name)


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, str]:
    """key -> display name for every English council (current or former) the gazetteer knows."""
    return {place_key(p.name): p.name for p in default_gazetteer().places()
            if p.type in ("council", "former_council")}


@lru_cache(maxsize=1)
def _phrases() -> dict[str, Place]:
    """Every name and alias key -> its place (matched as whole words in a question)."""
    return {k: p for k, p in default_gazetteer().keys().items()
            if k and not (p.type == "country")}  # "England" narrows nothing


@lru_cache(maxsize=1)
def _england_keys() -> frozenset[str]:
    return frozenset(k for k, p in default_gazetteer().keys().items() if k and p.type == "country")


def names_england(text: str) -> bool:
    """Whether the text names England as a whole ("England", "nationally", "the England average")."""
    flat = f" {_text_key(text)} "
    return any(f" {key} " in flat for key in _england_keys())


@dataclass
class AreaMatch:
    in_corpus: list[str] = field(default_factory=list)  # display names as stored on documents
    unknown: list[str] = field(default_factory=list)  # English councils with no document in the corpus
    corrected: dict[str, str] = field(default_factory=dict)  # what was typed -> the area it was read as
    replaced: dict[str, list[str]] = field(default_factory=dict)  # abolished council -> its successors in the corpus
    regions: list[str] = field(default_factory=list)  # English regions named ("London", "the North West")
    outside: list[str] = field(default_factory=list)  # places outside England ("Cardiff", "Scotland")
    short_forms: dict[str, str] = field(default_factory=dict)  # a short form typed ("lancs", "b&h") -> the name

    def spell_out(self, text: str) -> str:
        """The text with each short form typed replaced by the place's name ("salt in lancs" -> "salt in
        Lancashire", "B&H" -> "Brighton and Hove"), and each misspelt name by the name it was read as ("surey" is
        Surrey, not the word "survey"), so searching matches the documents' own words."""
        for typed, name in (self.short_forms | self.corrected).items():
            words = [r"(?:and|&)" if w == "and" else re.escape(w) for w in typed.split()]
            text = re.sub(r"(?<![\w&])" + r"[\W_]*".join(words) + r"(?![\w&])", name, text, flags=re.I)
        return re.sub(r"[A-Za-z]+", lambda m: ABBREVIATIONS.get(m.group().lower(), m.group()).title()
                      if m.group().lower() in ABBREVIATIONS else m.group(), text)


def find_areas(question: str, corpus_areas: list[str], vocabulary: frozenset[str] = frozenset(),
               fuzzy: bool = True) -> AreaMatch:
    """Places named in the question: corpus areas, other English councils, regions, and places outside England.

    vocabulary: ordinary words (e.g. every word of the indexed documents); only other words may be read as typos.
    fuzzy: read misspelt names too (people type questions; documents spell their places).
    """
    corpus = {area_key(a): a for a in corpus_areas if a}
    # phrase key -> canonical key; the corpus's own names (a user's "Zorbleton") are places too
    candidates: dict[str, str] = {k: place_key(p.name) for k, p in _phrases().items()}
    for key, name in corpus.items():
        candidates.setdefault(key, key)
        candidates.setdefault(_text_key(name), key)
    text = question.replace("’", "'")
    flat = " " + _text_key(text) + " "
    words = flat.split()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    aliases: dict[str, str] = {}
    for phrase in sorted(candidates, key=len, reverse=True):
        if f" {phrase} " not in flat:
            continue
        for m in re.finditer(rf"(?<= ){re.escape(phrase)}(?= )", flat):
            span = (m.start(), m.end())
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            if phrase in _WORD_LIKE and not _stands_as_place(phrase, text, flat, span):
                continue
            taken.append(span)
            found.append((span[0], candidates[phrase]))
            aliases[phrase] = candidates[phrase]
    match = AreaMatch()
    if fuzzy:
        _fuzzy(words, taken, corpus, vocabulary, found, match)
    gaz = default_gazetteer()
    for key in dict.fromkeys(target for _, target in sorted(found)):
        place = gaz.lookup(key)
        if key in corpus:
            match.in_corpus.append(corpus[key])
        elif place is None:
            continue
        elif place.type == "region":
            match.regions.append(place.name)
        elif place.type == "outside_england":
            match.outside.append(place.name)
        elif place.type == "former_council" and any(area_key(s) in corpus for s in place.successors):
            successors = [corpus[area_key(s)] for s in place.successors if area_key(s) in corpus]
            match.replaced[place.name] = successors
            match.in_corpus += [s for s in successors if s not in match.in_corpus]
        elif place.type == "former_council":  # no successor held: the successors are what the tables know
            match.replaced[place.name] = list(place.successors)
            match.unknown += [s for s in place.successors if s not in match.unknown]
        else:
            match.unknown.append(place.name)
    for phrase, key in aliases.items():
        name = corpus.get(key) or (gaz.lookup(key).name if gaz.lookup(key) else None)
        if name and phrase != _text_key(name) and len(phrase) < len(name):
            match.short_forms[phrase] = name
    return match


def _stands_as_place(phrase: str, text: str, flat: str, span: tuple[int, int]) -> bool:
    if re.search(rf"\b{re.escape(phrase.capitalize())}\b", text):
        return True
    before = flat[:span[0]].split()[-1:] or [""]
    after = flat[span[1]:].split()[:1] or [""]
    possessive = re.search(rf"\b{re.escape(phrase)}'s\b", text, re.I)
    # the question's last word ("who inspected bury?"): questions end on the place they ask about far more often
    # than on "bury" the verb or "reading" the noun
    return before[0] in _PLACE_BEFORE or after[0] in _PLACE_AFTER or not after[0] or bool(possessive)


@lru_cache(maxsize=1)
def _fuzzy_names() -> tuple[dict[str, str], dict[str, str]]:
    """(one-word, two-word) name keys -> canonical key, for typo matching (councils and places outside England)."""
    single, double = {}, {}
    for k, p in _phrases().items():
        if p.type in _MATCHED_TYPES and len(k) >= _FUZZY_MIN_LEN:
            (single if " " not in k else double if k.count(" ") == 1 else {})[k] = place_key(p.name)
    return single, double


def _fuzzy(words: list[str], taken: list[tuple[int, int]], corpus: dict[str, str], vocabulary: frozenset[str],
           found: list[tuple[int, str]], match: AreaMatch) -> None:
    """Read a word (or two) that is no ordinary word and close to a place's name as that place."""
    single, double = (dict(d) for d in _fuzzy_names())
    for key in corpus:  # a user's own area names can be misspelt too
        (single if " " not in key else double).setdefault(key, key)
    position = 1
    offsets = []
    for w in words:
        offsets.append(position)
        position += len(w) + 1
    for i, w in enumerate(words):
        start = offsets[i]
        if any(s <= start < e for s, e in taken):
            continue
        options = []
        nxt = words[i + 1] if i + 1 < len(words) else ""
        first_typo = _could_be_typo(w, vocabulary, single)
        if nxt and (first_typo or (w.isalpha() and _could_be_typo(nxt, vocabulary, single))):
            # a two-word name misspelt: either word may be; an ordinary first word must be the name's own ("north
            # yorkshre"), or "in somerest" would read as North Somerset
            pair = f"{w} {nxt}"
            names = list(double) if first_typo else [k for k in double if k.split(" ", 1)[0] == w]
            best = process.extractOne(pair, names, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
            options = [(pair, best[0], double)] if best else []
        if first_typo:  # an exact name left unmatched was rejected on purpose
            # a possessive typed without its apostrophe ("enfeilds") is the name's typo plus "s"
            for typed in (w, w[:-1]) if w.endswith("s") else (w,):
                best = process.extractOne(typed, list(single), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
                if best:
                    options.append((w, best[0], single))
                    break
        if options:
            typed, key, table = options[0]
            taken.append((start, start + len(typed)))
            found.append((start, table[key]))
            match.corrected[typed] = table[key]


def _could_be_typo(word: str, vocabulary: frozenset[str], names: dict[str, str]) -> bool:
    """A word that is no ordinary word of the documents nor a name already: only such words are read as typos."""
    return len(word) >= _FUZZY_MIN_LEN and word.isalpha() and word not in vocabulary and word not in names


def join_names(areas: list[str]) -> str:
    """'Bury', 'Bury and Oldham', 'Bury, Oldham and Leeds'."""
    return areas[0] if len(areas) == 1 else ", ".join(areas[:-1]) + " and " + areas[-1]


def nearest_areas(name: str, corpus_areas: list[str], n: int = 3) -> list[str]:
    """Corpus areas whose names are closest to one it does not hold (for "did you mean")."""
    keys = {area_key(a): a for a in corpus_areas}
    found = process.extract(area_key(name), list(keys), scorer=fuzz.token_set_ratio, score_cutoff=80, limit=n)
    return [keys[k] for k, _, _ in found]
