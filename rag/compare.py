"""Compare two or more areas: one row per aspect, one cited cell per area, and comparative sentences computed by
code from the cells' values (which outcome is better, who was inspected first, how timeliness moved).

Cells come from the official statistics where they hold the figure, and otherwise from the area's own documents
through the ordinary answer path (so every quote is selected, verified and cited the same way); a cell the
evidence is silent on says "not stated".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.areas import area_key, join_names
from rag.stat_answers import StatSentence, possessive
from rag.statistics import StatRow, Statistics, fact, long_date
from sendqa.domain import OUTCOME_WORDING

_RANK = {"positive": 3, "inconsistent": 2, "widespread and/or systemic failings": 1}
# aspect -> the question asked of one area's documents when the statistics do not hold it
REPORT_ASPECTS = {
    "waiting times": "How long do children wait for assessments and services in {area}?",
    "strengths": "What is {area} doing well for children with SEND?",
    "what must improve": "What does {area} need to improve?",
}
NOT_STATED = "not stated"


@dataclass
class Cell:
    area: str
    text: str
    facts: list[StatRow] = field(default_factory=list)  # statistics the text states
    answer: object | None = None  # or: the sub-answer (from documents) the text comes from
    outcome: str | None = None  # the outcome cell's value, for computed comparisons
    support: list[StatRow] = field(default_factory=list)  # statistics agreeing with a document cell (they name the area)


@dataclass
class Comparison:
    areas: list[str]
    aspects: dict[str, list[Cell]] = field(default_factory=dict)
    sentences: list[StatSentence] = field(default_factory=list)  # computed comparatives


def compare_areas(areas: list[str], stats: Statistics, ask_documents, reported: set[str],
                  held: set[str] | None = None, outcome_of=lambda doc_id: None) -> Comparison:
    """ask_documents(question) -> Answer from the documents (used for aspects the statistics do not hold).
    reported: area keys with an inspection report held; held: area keys with any document held;
    outcome_of(doc_id): the outcome read from a held report at ingest."""
    held = reported if held is None else held
    comparison = Comparison(areas=areas)
    rows_2023 = {a: stats.inspection_2023(area_key(a)) for a in areas}
    rows_2016 = {a: stats.inspection_2016(area_key(a)) for a in areas}
    timeliness = {a: [r for r in stats.timeliness(area_key(a)) if r["pct"] is not None] for a in areas}

    outcome_cells = []
    for area in areas:
        row = rows_2023[area]
        if area_key(area) in reported:
            answer = ask_documents(f"What was the outcome of {possessive(area)} area SEND inspection?")
            first = _first_quote(answer)
            cited = _first_cited_doc(answer)
            if first and outcome_of(cited):
                support = [fact("inspections_2023", row)] if row and row["outcome"] == outcome_of(cited) else []
                outcome_cells.append(Cell(area, first, answer=answer, outcome=outcome_of(cited), support=support))
                continue
        if row and row["outcome"]:
            text = f"{OUTCOME_WORDING[row['outcome']].capitalize()} (inspected {span(row['start'], row['end'])})"
            outcome_cells.append(Cell(area, text, facts=[fact("inspections_2023", row)], outcome=row["outcome"]))
        else:
            outcome_cells.append(Cell(area, NOT_STATED))
    comparison.aspects["outcome"] = outcome_cells
    comparison.aspects["inspection dates"] = [
        Cell(a, f"{span(r['start'], r['end'])}; published {long_date(r['published'])}; next inspection by "
                f"{long_date(r['next_inspection_by'])}", facts=[fact("inspections_2023", r)]) if r else Cell(a, NOT_STATED)
        for a, r in rows_2023.items()]
    comparison.aspects["previous inspection"] = [previous_inspection_cell(a, rows_2016[a]) for a in areas]
    comparison.aspects["EHC plan timeliness"] = [timeliness_cell(a, timeliness[a]) for a in areas]
    for aspect, template in REPORT_ASPECTS.items():
        cells = []
        for area in areas:
            answer = ask_documents(template.format(area=area)) if area_key(area) in held else None
            first = _first_quote(answer) if answer is not None else None
            cells.append(Cell(area, first, answer=answer) if first else Cell(area, NOT_STATED))
        comparison.aspects[aspect] = cells

    comparison.sentences += _outcome_sentences(outcome_cells)
    comparison.sentences += _date_sentences(areas, rows_2023)
    comparison.sentences += _timeliness_sentences(areas, timeliness)
    return comparison


# --- cells --------------------------------------------------------------------------------------------------
def _first_cited_doc(answer) -> str | None:
    if answer is None or answer.abstained:
        return None
    first = next((s for s in answer.sentences if s.citations and s.origin not in ("message", "composed")), None)
    return answer.citations[first.citations[0] - 1].doc_id if first else None


def _first_quote(answer) -> str | None:
    if answer is None or answer.abstained:
        return None
    return next((s.text for s in answer.sentences if s.citations and s.origin not in ("message", "composed")), None)


def previous_inspection_cell(area: str, row: dict | None) -> Cell:
    if not row:
        return Cell(area, NOT_STATED)
    year = row["inspected"][:4] if row.get("inspected") else "?"
    if not row["wsoa_required"]:
        text = f"{year}: no written statement of action required"
    else:
        text = f"{year}: written statement of action required"
        if row["significant_weaknesses"] is not None:
            n = row["significant_weaknesses"]
            text += f" ({n:g} significant weakness{'' if n == 1 else 'es'})"
        if row["revisit_start"] and row["weaknesses_progress"] is not None:
            text += (f"; {row['revisit_start'][:4]} revisit: sufficient progress on {row['weaknesses_progress']:g}, "
                     f"not on {row['weaknesses_no_progress']:g}")
    return Cell(area, text, facts=[fact("inspections_2016_22", row)])


def timeliness_cell(area: str, rows: list[dict]) -> Cell:
    if not rows:
        return Cell(area, NOT_STATED)
    first, last = rows[0], rows[-1]
    text = f"{first['pct']:g}% in {first['year']} → {last['pct']:g}% in {last['year']} issued within 20 weeks"
    return Cell(area, text, facts=[fact("timeliness", first), fact("timeliness", last)])


# --- computed comparatives ----------------------------------------------------------------------------------
def _outcome_sentences(cells: list[Cell]) -> list[StatSentence]:
    """Which outcome is better, from each area's outcome cell; the sentence cites those cells' sources (the
    reports themselves where held)."""
    known = [c for c in cells if c.outcome in _RANK]
    if len(known) < 2:
        return []
    ranked = sorted(known, key=lambda c: _RANK[c.outcome], reverse=True)
    best, worst = ranked[0], ranked[-1]
    if _RANK[best.outcome] == _RANK[worst.outcome]:
        return [StatSentence(f"{join_names([c.area for c in known])} had the same outcome: {OUTCOME_WORDING[best.outcome]}.",
                             known + [f for c in known for f in c.support])]
    return [StatSentence(f"The outcome for {best.area} ({OUTCOME_WORDING[best.outcome]}) was better than for "
                         f"{worst.area} ({OUTCOME_WORDING[worst.outcome]}).", [best, worst, *best.support, *worst.support])]


def _date_sentences(areas: list[str], rows: dict[str, dict | None]) -> list[StatSentence]:
    dated = sorted(((a, r) for a, r in rows.items() if r and r["start"]), key=lambda ar: ar[1]["start"])
    if len(dated) < 2 or dated[0][1]["start"] == dated[1][1]["start"]:
        return []
    first, rest = dated[0], dated[1:]
    later = "; ".join(f"{a} on {long_date(r['start'])}" for a, r in rest)
    return [StatSentence(f"{first[0]} was inspected first, from {long_date(first[1]['start'])}; {later}.",
                         [fact("inspections_2023", r) for _, r in dated])]


def _timeliness_sentences(areas: list[str], rows: dict[str, list[dict]]) -> list[StatSentence]:
    out = []
    for area, series in rows.items():
        if len(series) >= 2:
            first, last = series[0], series[-1]
            verb = "rose" if last["pct"] > first["pct"] else "fell" if last["pct"] < first["pct"] else "stayed"
            out.append(StatSentence(f"EHC plan timeliness in {area} {verb} from {first['pct']:g}% in "
                                    f"{first['year']} to {last['pct']:g}% in {last['year']}.",
                                    [fact("timeliness", first), fact("timeliness", last)]))
    latest = {a: s[-1] for a, s in rows.items() if s}
    years = {r["year"] for r in latest.values()}
    if len(latest) >= 2 and len(years) == 1:
        ranked = sorted(latest.items(), key=lambda ar: ar[1]["pct"], reverse=True)
        if ranked[0][1]["pct"] != ranked[-1][1]["pct"]:
            out.append(StatSentence(f"In {years.pop()}, {ranked[0][0]} issued a higher share of EHC plans within 20 "
                                    f"weeks ({ranked[0][1]['pct']:g}%) than {ranked[-1][0]} ({ranked[-1][1]['pct']:g}%).",
                                    [fact("timeliness", ranked[0][1]), fact("timeliness", ranked[-1][1])]))
    return out


def span(start: str | None, end: str | None) -> str:
    return f"{long_date(start)} to {long_date(end)}" if start and end else long_date(start)
