"""One typed gazetteer of the places people name in questions (gazetteer.csv beside this file).

Each row is a place: an English council (the DfE 20-week timeliness table's local authorities), a council abolished
since 2009 whose name people still type (with its successors), one of the nine English regions, England itself, or
a place outside England (the Welsh, Scottish and Northern Irish councils and the three nations). Every name and alias
is matched on one key (`place_key`): lower case, "&" read as "and", accents, apostrophes and punctuation dropped. The
key keeps "City of", "County" and "the", so the City of London ("city of london") and London, the region ("london"),
never meet. No key may belong to two places: loading a file where one does raises ValueError naming both.

Only the standard library is used, so anything may import this cheaply.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("gazetteer.csv")
TYPES = ("council", "former_council", "region", "country", "outside_england")
COLUMNS = ("id", "name", "type", "code", "region", "aliases", "successors")


def place_key(text: str) -> str:
    """The matching key of a place name: "Brighton & Hove" -> "brighton and hove", "St. Helens" -> "st helens"."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"['\u2018\u2019`]", "", text)  # "King's Lynn" -> "kings lynn", not "king s lynn"
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass(frozen=True)
class Place:
    id: str  # typed and stable: council:<code>, region:<code>, country:E92000001, former:<slug>, outside:<slug>
    name: str  # the display name ("Kingston upon Hull", "Bournemouth, Christchurch and Poole")
    type: str  # one of TYPES
    code: str  # ONS GSS code where there is one ("" for councils abolished before the codes)
    region: str  # a council's region, an outside place's nation; "" for regions, nations and England
    aliases: tuple[str, ...] = ()  # other names and the short forms people type ("Hull", "B&H", "Herts")
    successors: tuple[str, ...] = ()  # a former council's successors, by name

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


class Gazetteer:
    """Places by id and by the key of any of their names."""

    key = staticmethod(place_key)

    def __init__(self, places: list[Place]):
        self._places = list(places)
        self._by_id: dict[str, Place] = {}
        self._by_key: dict[str, Place] = {}
        for place in self._places:
            if place.type not in TYPES:
                raise ValueError(f"{place.id}: unknown type {place.type!r}")
            if place.id in self._by_id:
                raise ValueError(f"duplicate id {place.id!r}")
            self._by_id[place.id] = place
            for name in place.names:
                k = place_key(name)
                other = self._by_key.get(k)
                if other is not None and other.id != place.id:
                    raise ValueError(f"key {k!r} is shared by {other.id} ({other.name!r}) and {place.id} "
                                     f"({name!r})")
                self._by_key[k] = place
        for place in self._places:
            if place.region and self.region_of(place) is None:
                raise ValueError(f"{place.id}: region {place.region!r} is no region or nation in the gazetteer")
            for successor in place.successors:
                if self.lookup(successor) is None:
                    raise ValueError(f"{place.id}: successor {successor!r} is not in the gazetteer")

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Gazetteer":
        """Read gazetteer.csv (or another file with the same columns)."""
        with open(path or DEFAULT_PATH, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{path or DEFAULT_PATH}: missing columns {sorted(missing)}")
            places = [Place(id=row["id"].strip(), name=row["name"].strip(), type=row["type"].strip(),
                            code=(row["code"] or "").strip(), region=(row["region"] or "").strip(),
                            aliases=_split(row["aliases"]), successors=_split(row["successors"]))
                      for row in reader if (row.get("id") or "").strip()]
        return cls(places)

    def by_id(self, place_id: str) -> Place | None:
        return self._by_id.get(place_id)

    def by_code(self, code: str) -> Place | None:
        """The place with this GSS code ("E09000001" -> City of London)."""
        code = code.strip().upper()
        return next((p for p in self._places if p.code == code), None)

    def lookup(self, text: str) -> Place | None:
        """The place whose name or alias has exactly this key ("hull", "B&H", "London" -> the region)."""
        return self._by_key.get(place_key(text))

    def places(self, type: str | None = None) -> list[Place]:
        """Every place, or those of one type, in file order."""
        if type is not None and type not in TYPES:
            raise ValueError(f"unknown type {type!r}; one of {TYPES}")
        return [p for p in self._places if type is None or p.type == type]

    def region_of(self, place: Place) -> Place | None:
        """A council's region, an outside place's nation; None for regions, nations and England."""
        if not place.region:
            return None
        found = self.lookup(place.region)
        return found if found is not None and found.type in ("region", "outside_england") and not found.region \
            else None

    def successors_of(self, place: Place) -> list[Place]:
        """The places that replaced a former council ([] for any other place)."""
        return [p for p in map(self.lookup, place.successors) if p is not None]

    def keys(self) -> dict[str, Place]:
        """Every key (of every name and alias) and its place."""
        return dict(self._by_key)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer beside this file, loaded once per process."""
    return Gazetteer.load()
