"""Questions the official statistics answer: figures and comparisons computed by code from table rows, each
sentence citing the rows it states. A model never decides a number or which area did better.

Which question is a statistics question is read from its slots (rag/understand/slots.py, learned from example
questions): EHC plan timeliness, written statements of action and progress since them, the next inspection, the
outcome, a ranking's direction. The areas come from the plan, and any council the tables cover can be asked about
even when no report of it is indexed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.areas import area_key, join_names
from rag.statistics import Statistics, StatRow, fact
from rag.understand.slots import AnswerSlots
from sendqa.domain import OUTCOME_WORDING

_YEAR = re.compile(r"\b(20(?:1[6-9]|2\d))\b")  # a year the tables could hold: an exact form


@dataclass
class StatSentence:
    text: str
    facts: list[StatRow]


@dataclass
class StatAnswer:
    sentences: list[StatSentence] = field(default_factory=list)
    lead: str | None = None  # e.g. "I don't hold Leeds' inspection report; the official statistics show:"
    lead_after: int = 0  # sentences said before the lead (the plain answer goes first)
    topic: str = ""


def statistics_topic(slots: AnswerSlots, named: bool, query: str = "", across: bool = True) -> str | None:
    """What a question asks the statistics, if anything: timeliness, wsoa, next, inspected, outcomes, outcome.

    across: the question is read as about all areas (the router's reading); with no area named, an outcome asked
    of none ("what was Zorbleton praised for?", a place no list knows) is not the national summary."""
    if "timeliness" in slots:
        return "timeliness"
    if "wsoa" in slots or (named and "progress" in slots):
        return "wsoa"  # progress since the last inspection: what that inspection required, and the revisit's verdict
    if named and "next_inspection" in slots:
        return "next"
    if not named:
        if slots.outcomes_named() or ("outcome" in slots and across):
            return "outcomes"
        if "which_inspected" in slots and _YEAR.search(query):
            return "inspected"
    if named and "outcome" in slots:
        return "outcome"
    return None


def answer_from_statistics(query: str, areas: list[str], stats: Statistics, reported: set[str],
                           neighbours: bool = False, topic: str | None = None,
                           slots: AnswerSlots | None = None) -> StatAnswer | None:
    """The statistics answer for a question about these areas (display names); None when they do not answer it.

    reported: area keys the index holds an inspection report for (others get a lead saying so). neighbours: set
    the one area against its statistical neighbours. topic: as the plan read it (else read from the slots).
    slots: what the question asks for (rag.understand.slots), as the plan read them.
    """
    slots = slots or AnswerSlots()
    if not stats.available():
        return None
    keys = [area_key(a) for a in areas if area_key(a) in stats.areas]
    topic = topic or statistics_topic(slots, bool(areas), query)
    if neighbours and len(keys) == 1 and topic == "timeliness" and (answer := _neighbours(query, keys[0], stats)):
        answer.topic = "neighbours"
        return answer
    if topic is None or (areas and not keys):
        return None
    if topic == "outcome":
        keys = [k for k in keys if k not in reported]  # an area's own report tells its outcome better
        if not keys:
            return None
    compose = {"timeliness": _timeliness, "wsoa": _wsoa, "next": _next_inspection, "outcomes": _outcomes,
               "inspected": _inspected, "outcome": _outcome}[topic]
    answer = compose(query, keys, stats, slots)
    if answer is None or not answer.sentences:
        return None
    answer.topic = topic
    missing = [stats.areas[k] for k in keys if k not in reported]
    if missing and topic in ("outcome", "next", "wsoa", "timeliness"):
        answer.lead = f"{not_held(missing)}; the official statistics show:"
    return answer


def not_held(areas: list[str]) -> str:
    """"I don't hold Leeds' inspection report": how an answer says which areas' reports it cannot quote."""
    return f"I don't hold {' or '.join(possessive(a) for a in areas)} inspection report"


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


# --- composers: each sentence states values from the rows it cites ---------------------------------------------
def _pct(value: float | None) -> str:
    return f"{value:g}%"


def _timeliness(query: str, keys: list[str], stats: Statistics, slots: AnswerSlots) -> StatAnswer | None:
    wanted_year = int(m.group(1)) if (m := _YEAR.search(query)) else None
    england = [r for r in stats.timeliness("england") if r["pct"] is not None]
    answer = StatAnswer()
    latest_by_area: dict[str, dict] = {}
    if not keys and ("lowest" in slots or "highest" in slots):
        return _timeliness_ranking(wanted_year, england, stats, lowest=slots.lowest_first())
    if not keys:  # "how many EHC plans are issued on time?": England
        keys = ["england"]

    for key in keys:
        rows = [r for r in stats.timeliness(key) if r["pct"] is not None]
        if not rows:
            continue
        if wanted_year and not any(r["year"] == wanted_year for r in rows):
            continue  # a year the tables do not hold (a future year above all) is not answered with another
        latest = next((r for r in rows if r["year"] == wanted_year), rows[-1])
        first = rows[0]
        latest_by_area[key] = latest
        name = latest["area"]
        counts = (f" ({latest['within_20_weeks']:,.0f} of {latest['plans']:,.0f})"
                  if latest["within_20_weeks"] is not None and latest["plans"] is not None else "")
        answer.sentences.append(StatSentence(
            f"In {latest['year']}, {_pct(latest['pct'])} of new EHC plans in {name} were issued within the 20-week "
            f"time limit{counts}.", [fact("timeliness", latest)]))
        if first["year"] != latest["year"]:
            change = latest["pct"] - first["pct"]
            direction = "rose" if change > 0 else "fell" if change < 0 else "was unchanged"
            span = (f"from {_pct(first['pct'])} in {first['year']} to {_pct(latest['pct'])} in {latest['year']}"
                    if change else f"at {_pct(latest['pct'])} between {first['year']} and {latest['year']}")
            answer.sentences.append(StatSentence(f"The figure for {name} {direction} {span}.",
                                                 [fact("timeliness", first), fact("timeliness", latest)]))
        if key == "england":
            continue
        same_year = next((r for r in england if r["year"] == latest["year"]), None)
        region = stats.region_of(key)
        regional = next((r for r in stats.timeliness(area_key(region)) if r["year"] == latest["year"]
                         and r["pct"] is not None), None) if region else None
        if same_year:
            gap = latest["pct"] - same_year["pct"]
            # Only values the cited rows state: the gap itself would be a number no source gives.
            points = "above" if gap > 0 else "below" if gap < 0 else "the same as"
            facts = [fact("timeliness", latest), fact("timeliness", same_year)]
            text = f"That is {points} the figure for England ({_pct(same_year['pct'])} in {latest['year']})"
            if regional:
                text += f"; the figure for the {regional['area']} region was {_pct(regional['pct'])}"
                facts.append(fact("timeliness", regional))
            answer.sentences.append(StatSentence(text + ".", facts))
    if len(latest_by_area) > 1:
        ranked = sorted(latest_by_area.values(), key=lambda r: r["pct"], reverse=True)
        best, worst = ranked[0], ranked[-1]
        if best["year"] == worst["year"] and best["pct"] != worst["pct"]:
            answer.sentences.append(StatSentence(
                f"Of these, {best['area']} issued the highest share within 20 weeks in {best['year']} "
                f"({_pct(best['pct'])}) and {worst['area']} the lowest ({_pct(worst['pct'])}).",
                [fact("timeliness", best), fact("timeliness", worst)]))
    return answer


def _neighbours(query: str, key: str, stats: Statistics) -> StatAnswer | None:
    """"How does Bury compare with similar councils?": Bury and its statistical neighbours, ranked by the share of
    new EHC plans issued within 20 weeks in one year, set against England. None where the tables list no
    neighbours for the council."""
    neighbours = stats.neighbours(key)
    own = [r for r in stats.timeliness(key) if r["pct"] is not None]
    if not neighbours or not own:
        return None
    wanted_year = int(m.group(1)) if (m := _YEAR.search(query)) else None
    year = wanted_year if wanted_year and any(r["year"] == wanted_year for r in own) else own[-1]["year"]
    rows = [r for k in [key, *neighbours] for r in stats.timeliness(k) if r["year"] == year and r["pct"] is not None]
    if len(rows) < 2:
        return None
    ranked = sorted(rows, key=lambda r: r["pct"], reverse=True)
    name = own[-1]["area"]
    listed = "; ".join(f"{r['area']} {_pct(r['pct'])}" for r in ranked)
    answer = StatAnswer([StatSentence(
        f"{name} and its statistical neighbours (the councils the Department for Education counts as most like it), "
        f"by the share of new EHC plans issued within 20 weeks in {year}, highest first: {listed}.",
        [fact("timeliness", r) for r in ranked])])
    mine = next(r for r in rows if r["area_key"] == key)
    above = [r for r in rows if r["pct"] > mine["pct"]]
    # Only what the cited rows state: which neighbours did better, named, not a rank no row gives.
    if above:
        answer.sentences.append(StatSentence(
            f"Of them, {join_names([r['area'] for r in sorted(above, key=lambda r: -r['pct'])])} issued a higher "
            f"share than {name} ({_pct(mine['pct'])}).", [fact("timeliness", mine), *(fact("timeliness", r) for r in above)]))
    else:
        answer.sentences.append(StatSentence(f"None of them issued a higher share than {name} ({_pct(mine['pct'])}).",
                                             [fact("timeliness", r) for r in rows]))
    england = next((r for r in stats.timeliness("england") if r["year"] == year and r["pct"] is not None), None)
    if england:
        answer.sentences.append(StatSentence(f"The figure for England in {year} was {_pct(england['pct'])}.",
                                             [fact("timeliness", england)]))
    return answer


def _timeliness_ranking(wanted_year: int | None, england: list[dict], stats: Statistics, lowest: bool,
                        n: int = 5) -> StatAnswer | None:
    """"Which councils are worst at issuing EHC plans on time?": the lowest (or highest) shares in a year."""
    year = wanted_year or (england[-1]["year"] if england else None)
    rows = stats.timeliness_in(year) if year else []
    if not rows:
        return None
    ordered = rows if lowest else rows[::-1]
    chosen = ordered[:n]
    while len(chosen) < len(ordered) and ordered[len(chosen)]["pct"] == chosen[-1]["pct"]:
        chosen.append(ordered[len(chosen)])  # a tie at the cut is listed whole, or "the 5 highest" would be untrue
    listed = "; ".join(f"{r['area']} {_pct(r['pct'])}" for r in chosen)
    # Only figures the cited rows state: how many are listed, or how many councils there are, no row gives.
    answer = StatAnswer([StatSentence(
        f"The councils with the {'lowest' if lowest else 'highest'} share of new EHC plans issued within 20 weeks in "
        f"{year}: {listed}.", [fact("timeliness", r) for r in chosen])])
    same_year = next((r for r in england if r["year"] == year), None)
    if same_year:
        answer.sentences.append(StatSentence(f"The figure for England in {year} was {_pct(same_year['pct'])}.",
                                             [fact("timeliness", same_year)]))
    return answer


def _wsoa(query: str, keys: list[str], stats: Statistics, slots: AnswerSlots) -> StatAnswer | None:
    answer = StatAnswer()
    if not keys:
        line = stats.summary("inspections_2016_22", "Areas inspected under the 2016 framework")
        if line:
            answer.sentences.append(StatSentence(line, [StatRow("inspections_2016_22", line, row="summary")]))
        if "progress" in slots or "earlier" in slots:  # how the revisits judged progress
            for progress in ("all", "some", "none"):
                line = stats.summary("inspections_2016_22", f"Revisited by 31 August 2022 with sufficient progress on {progress}")
                if line:
                    answer.sentences.append(StatSentence(line, [StatRow("inspections_2016_22", line, row="summary")]))
        return answer
    answer.sentences += [_stated("inspections_2016_22", row) for row in map(stats.inspection_2016, keys) if row]
    return answer


def _stated(table: str, row: dict) -> StatSentence:
    """A row's own sentence, citing the row."""
    return StatSentence(row["text"], [fact(table, row)])


def _next_inspection(query: str, keys: list[str], stats: Statistics, slots: AnswerSlots) -> StatAnswer | None:
    # A row that does not say when is no answer to "when".
    rows = [row for row in map(stats.inspection_2023, keys) if row and row.get("next_inspection")]
    return StatAnswer(sentences=[_stated("inspections_2023", row) for row in rows])


def _outcome(query: str, keys: list[str], stats: Statistics, slots: AnswerSlots) -> StatAnswer | None:
    answer = StatAnswer()
    for key in keys:
        row = stats.inspection_2023(key)
        if row:
            if len(keys) == 1 and (said := plain_outcome(row, slots)):
                answer.sentences.append(StatSentence(said, [fact("inspections_2023", row)]))
                answer.lead_after = 1
            answer.sentences.append(_stated("inspections_2023", row))
        earlier = stats.inspection_2016(key)
        if earlier and (row is None or "earlier" in slots or "progress" in slots
                        or any(int(y) <= 2022 for y in _YEAR.findall(query))):
            answer.sentences.append(_stated("inspections_2016_22", earlier))
    return answer


def plain_outcome(row: dict, slots: AnswerSlots) -> str | None:
    """"No. Stoke-on-Trent's area SEND inspection in 2024 found inconsistent experiences and outcomes for children
    and young people with SEND.": the row's outcome as the answer's first sentence, yes or no first when the
    question names one outcome ("did Bury get a positive outcome?")."""
    outcome = row.get("outcome")
    if outcome not in OUTCOME_WORDING or not row.get("start"):
        return None
    said = (f"{possessive(row['area'])} area SEND inspection in {row['start'][:4]} found {OUTCOME_WORDING[outcome]} "
            "for children and young people with SEND.")
    named = slots.outcomes_named()
    return (("Yes. " if named[0] == outcome else "No. ") + said) if len(named) == 1 else said


def _outcomes(query: str, keys: list[str], stats: Statistics, slots: AnswerSlots) -> StatAnswer | None:
    answer = StatAnswer()
    asked = slots.outcomes_named()
    wordings = {"positive": "Outcome typically positive", "inconsistent": "Outcome inconsistent",
                "widespread and/or systemic failings": "Outcome widespread"}
    total = stats.summary("inspections_2023", "Area SEND inspections under the 2023 framework")
    if total:
        answer.sentences.append(StatSentence(total, [StatRow("inspections_2023", total, row="summary")]))
    for label in asked or list(wordings):
        line = stats.summary("inspections_2023", wordings[label])
        if line:
            answer.sentences.append(StatSentence(line, [StatRow("inspections_2023", line, row="summary")]))
    return answer


def _inspected(query: str, keys: list[str], stats: Statistics, slots: AnswerSlots) -> StatAnswer | None:
    answer = StatAnswer()
    for year in dict.fromkeys(_YEAR.findall(query)):
        line = stats.summary("inspections_2023", f"Inspections starting in {year}")
        if line:
            answer.sentences.append(StatSentence(line, [StatRow("inspections_2023", line, row="summary")]))
        elif int(year) <= 2022:
            rows = [r for r in stats.all_2016() if r.get("year") == int(year)]
            if rows:
                names = "; ".join(r["area"] for r in rows)
                # Composed from the rows it cites (each row states its own inspection date).
                answer.sentences.append(StatSentence(
                    f"{len(rows)} areas had a local area SEND inspection starting in {year}: {names}.",
                    [fact("inspections_2016_22", r) for r in rows]))
    return answer


def held_figures(areas: list[str], stats: Statistics) -> StatAnswer | None:
    """What the statistics hold about areas no document covers (shown beneath a refusal)."""
    keys = [area_key(a) for a in areas if area_key(a) in stats.areas]
    answer = _outcome("", keys, stats, AnswerSlots(frozenset({"earlier"}))) if keys and stats.available() else None
    if answer is None or not answer.sentences:
        return None
    answer.lead, answer.topic = "The official statistics I hold show:", "outcome"
    return answer
