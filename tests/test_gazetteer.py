"""The place gazetteer (rag/understand/gazetteer.csv): one key per place, London is the region, short forms resolve."""

from __future__ import annotations

import csv
from itertools import combinations
from pathlib import Path

import pytest

from rag.understand.gazetteer import DEFAULT_PATH, Gazetteer, Place, default_gazetteer, place_key

ROOT = Path(__file__).resolve().parent.parent
TIMELINESS = ROOT / "corpus" / "data" / "timeliness_20_week.csv"
# Councils the timeliness table still lists in its early years, abolished since: gazetteer type former_council.
ABOLISHED = {"Northamptonshire": 2, "Cumbria": 2}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_csv_columns_and_ids():
    with open(DEFAULT_PATH, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["id", "name", "type", "code", "region", "aliases", "successors"]
        rows = list(reader)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    prefix = {"council": "council:", "region": "region:", "country": "country:", "former_council": "former:",
              "outside_england": "outside:"}
    for r in rows:
        assert r["id"].startswith(prefix[r["type"]]), r
        if r["type"] in ("council", "region"):
            assert r["id"] == prefix[r["type"]] + r["code"], r


def test_no_two_places_share_a_key(gaz):
    keyed = [(place_key(name), p.id) for p in gaz.places() for name in p.names]
    clashes = [(a, b) for a, b in combinations(keyed, 2) if a[0] == b[0] and a[1] != b[1]]
    assert not clashes


def test_a_shared_key_is_refused_naming_both():
    one = Place("council:E1", "City of London", "council", "E1", "")
    two = Place("council:E2", "Elsewhere", "council", "E2", "", aliases=("City-of-London",))
    with pytest.raises(ValueError, match="council:E1.*council:E2"):
        Gazetteer([one, two])


def test_london_is_the_region_and_the_city_is_a_council(gaz):
    london, city = gaz.lookup("London"), gaz.lookup("City of London")
    assert london.type == "region" and london.id == "region:E12000007"
    assert city.type == "council" and city.id == "council:E09000001"
    assert london != city
    assert gaz.lookup("the City") is None  # "the city" is an ordinary phrase in questions
    assert gaz.region_of(city) == london
    assert place_key("City of London") != place_key("London")


def test_every_timeliness_council_resolves_with_its_region(gaz):
    with open(TIMELINESS, encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["geographic_level"] == "Local authority"]
    names = {(r["la_name"], r["region_name"]) for r in rows}
    assert len(names) > 150
    for la_name, region_name in names:
        place = gaz.lookup(la_name)
        assert place is not None, la_name
        if la_name in ABOLISHED:
            assert place.type == "former_council" and len(place.successors) == ABOLISHED[la_name], la_name
        else:
            assert place.type == "council", la_name
            assert place.code in {r["new_la_code"] for r in rows if r["la_name"] == la_name}
        assert place.region == region_name, la_name
        assert gaz.region_of(place).name == region_name


@pytest.mark.parametrize("typed, expected", [
    ("B&H", "Brighton and Hove"), ("brighton", "Brighton and Hove"), ("MK", "Milton Keynes"),
    ("Herts", "Hertfordshire"), ("W Sussex", "West Sussex"), ("west sx", "West Sussex"), ("Brum", "Birmingham"),
    ("Stoke", "Stoke-on-Trent"), ("stoke on trent", "Stoke-on-Trent"), ("Hull", "Kingston upon Hull"),
    ("Kingston upon Hull, City of", "Kingston upon Hull"), ("Bristol, City of", "Bristol"),
    ("BCP", "Bournemouth, Christchurch and Poole"), ("BANES", "Bath and North East Somerset"),
    ("B&NES", "Bath and North East Somerset"), ("RBKC", "Kensington and Chelsea"), ("H&F", "Hammersmith and Fulham"),
    ("LBBD", "Barking and Dagenham"), ("Kingston", "Kingston upon Thames"), ("IoW", "Isle of Wight"),
    ("St Helens", "St Helens"), ("St. Helens", "St Helens"), ("N Yorks", "North Yorkshire"),
    ("NE Lincs", "North East Lincolnshire"), ("East Riding", "East Riding of Yorkshire"),
])
def test_short_forms_resolve_to_councils(gaz, typed, expected):
    place = gaz.lookup(typed)
    assert place is not None and place.name == expected and place.type == "council", typed


def test_former_councils_lead_to_successors(gaz):
    northants = gaz.lookup("Northants")
    assert northants.type == "former_council" and northants.name == "Northamptonshire"
    assert [p.name for p in gaz.successors_of(northants)] == ["North Northamptonshire", "West Northamptonshire"]
    assert all(p.type == "council" for p in gaz.successors_of(northants))
    assert gaz.lookup("Cumbria").type == "former_council"
    for old in ("Bournemouth", "Poole", "Christchurch"):
        assert [p.name for p in gaz.successors_of(gaz.lookup(old))] == ["Bournemouth, Christchurch and Poole"]


def test_outside_england(gaz):
    for name, nation in [("Cardiff", "Wales"), ("Glasgow", "Scotland"), ("Belfast", "Northern Ireland")]:
        place = gaz.lookup(name)
        assert place.type == "outside_england" and place.region == nation
        assert gaz.region_of(place).name == nation
    assert gaz.lookup("Wales").type == "outside_england"
    counts = {n: sum(p.region == n for p in gaz.places("outside_england")) for n in ("Wales", "Scotland",
                                                                                      "Northern Ireland")}
    assert counts == {"Wales": 22, "Scotland": 32, "Northern Ireland": 11}


def test_regions_and_england(gaz):
    regions = gaz.places("region")
    assert len(regions) == 9 and all(p.type == "region" and not p.region for p in regions)
    assert "Yorkshire and The Humber" in {p.name for p in regions}
    assert all(gaz.lookup(p.name).type == "region" for p in regions)
    assert gaz.lookup("the North East").name == "North East"
    assert gaz.lookup("SW England").name == "South West"
    assert gaz.lookup("England").id == "country:E92000001"
    assert gaz.lookup("national").type == "country"
    for ambiguous in ("Yorkshire", "the Midlands", "UK"):
        assert gaz.lookup(ambiguous) is None
    assert len(gaz.places("council")) == 153


def test_default_is_cached_and_key_is_exposed():
    assert default_gazetteer() is default_gazetteer()
    assert Gazetteer.key("Brighton & Hove") == "brighton and hove" == place_key("brighton-and-hove")
    assert place_key("Ynys Môn") == "ynys mon"
    assert default_gazetteer().by_id("council:E09000001").name == "City of London"
    assert default_gazetteer().by_code("E09000001").name == "City of London"
