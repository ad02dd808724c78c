"""The official statistics files (pandas reads .ods/.xlsx/.csv) -> typed rows, each with a `text` sentence, and the
summary lines computed from them. Imported only when a table is (re)loaded: pandas costs half a second to import.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from rag.areas import area_key, gazetteer
from rag.statistics import long_date
from sendqa.domain import OUTCOME_WORDING

OUTCOME_BY_GRADE = {1: "positive", 2: "inconsistent", 3: "widespread and/or systemic failings"}


def display_area(name: str) -> str:
    """'stoke-on-trent' / 'Kingston upon Hull, City of' -> 'Stoke-on-Trent' / 'Kingston upon Hull'."""
    shown = gazetteer().get(area_key(name)) or str(name).strip().title()
    return re.sub(r",\s*(City|County) of$", "", shown)


def _listed(areas: list[str]) -> str:
    return "; ".join(areas)  # some names hold commas ("Bournemouth, Christchurch and Poole")


def _day(value) -> str | None:
    """A date cell (datetime, 'dd/mm/yy', 'dd/mm/yyyy') as ISO yyyy-mm-dd; None for blanks and placeholders."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, (datetime, date, pd.Timestamp)):
        day = pd.Timestamp(value).date()
    else:
        text = str(value).strip()
        for fmt in ("%d/%m/%y", "%d/%m/%Y", "%Y-%m-%d"):
            try:
                day = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            return None
    return None if day.year < 1950 else day.isoformat()  # 01/01/1900 stands for "none"


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value).strip() or None


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None  # "x", "z", "c": suppressed or not applicable
    return None if pd.isna(number) else number


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None (not NaN) for blanks."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _pct(value: float | None) -> str:
    return "not published" if value is None else f"{value:g}%"


# --- loaders: one file -> a DataFrame of typed rows with a `text` column -------------------------------------------
def load_timeliness(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    raw = raw[raw["breakdown_topic"] == "All EHC plans issued"]
    rows = []
    for r in raw.to_dict("records"):
        level = {"National": "England", "Regional": "region", "Local authority": "council"}.get(r["geographic_level"])
        if level is None:
            continue
        name = "England" if level == "England" else r["region_name"] if level == "region" else display_area(r["la_name"])
        rows.append({
            "area": name, "area_key": area_key(name), "level": level,
            "la_code": _text(r.get("old_la_code")) if level == "council" else None,  # the DfE's 3-digit code
            "region": r.get("region_name") if level == "council" else (r["region_name"] if level == "region" else None),
            "year": int(r["time_period"]), "plans": _number(r["plans_issued_den"]),
            "within_20_weeks": _number(r["plans_issued_within_20_weeks"]),
            "pct": _number(r["pc_plans_issued_within_20_weeks"]),
            "pct_excluding_exceptions": _number(r["PC_plans_issued_20_weeks_ex"]),
        })
    table = pd.DataFrame(rows).sort_values(["level", "area", "year"], kind="stable")
    table["text"] = [_timeliness_text(r) for r in _records(table)]
    return table


def _timeliness_text(r: dict) -> str:
    counts = (f" ({r['within_20_weeks']:,.0f} of {r['plans']:,.0f})"
              if r["within_20_weeks"] is not None and r["plans"] is not None else "")
    return (f"{r['area']}, {r['year']}: {_pct(r['pct'])} of new EHC plans were issued within 20 weeks{counts}; "
            f"excluding exceptions, {_pct(r['pct_excluding_exceptions'])}.")


def load_inspections_2023(path: Path, sheet: str | None = None) -> pd.DataFrame:
    raw = pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
    rows = []
    for r in raw.to_dict("records"):
        name = display_area(r["local_authority"])
        grade = _number(r.get("outcome_grade"))
        rows.append({
            "area": name, "area_key": area_key(name), "region_code": r.get("region_code"),
            "la_code": _text(r.get("la_code")),
            # the DfE's statistical neighbours: the ten councils most like this one, by 3-digit code
            "stat_neighbours": ",".join(c.strip() for c in str(r.get("stat_neighbours") or "").split(",") if c.strip()),
            "outcome": OUTCOME_BY_GRADE.get(int(grade)) if grade else None,
            "previous_inspection": _day(r.get("previous_inspection_date")),
            "start": _day(r.get("inspection_start_date")), "end": _day(r.get("inspection_end_date")),
            "published": _day(r.get("publication_date")),
            "next_inspection": _text(r.get("next_inspection")),
            "next_inspection_by": _day(r.get("next_inspection_by_date")),
            "report_url": r.get("inspection_link"),
        })
    table = pd.DataFrame(rows).sort_values("area", kind="stable")
    table["year"] = [int(s[:4]) if isinstance(s, str) else None for s in table["start"]]
    table["text"] = [_inspection_2023_text(r) for r in _records(table)]
    return table


def _inspection_2023_text(r: dict) -> str:
    outcome = OUTCOME_WORDING.get(r["outcome"] or "", "not recorded")
    previous = long_date(r["previous_inspection"]) if r["previous_inspection"] else "none listed"
    due = (f"within about {r['next_inspection']}, by {long_date(r['next_inspection_by'])}"
           if r["next_inspection"] else "not given")
    when = (f"from {long_date(r['start'])} to {long_date(r['end'])}" if r["start"] and r["end"]
            else "(inspection dates not given)")
    return (f"{r['area']}: area SEND inspection (2023 framework) {when}, published {long_date(r['published'])}; "
            f"outcome: {outcome}; previous inspection: {previous}; next inspection: {due}.")


def load_inspections_2016_22(path: Path, sheet: str | None = None) -> pd.DataFrame:
    raw = pd.read_excel(path, sheet_name=sheet or "Area_SEND_up_to_31_Aug_2022", header=None, dtype=object)
    header_row = next(i for i, row in raw.iterrows() if "Area name" in [str(v).strip() for v in row.values])
    raw.columns = [str(c).strip() for c in raw.iloc[header_row]]
    raw = raw.iloc[header_row + 1:]

    def col(prefix: str) -> str:
        return next(c for c in raw.columns if c.lower().startswith(prefix.lower()))

    rows = []
    for r in raw.to_dict("records"):
        name = r.get("Area name")
        if not isinstance(name, str) or not name.strip():
            continue
        name = display_area(name)
        wsoa = str(r[col("Inspection outcome")]).strip().lower()
        revisit = str(r[col("Revisit outcome")]).strip().lower()
        rows.append({
            "area": name, "area_key": area_key(name), "region": r.get("Ofsted region"),
            "inspected": _day(r[col("Inspection start date")]), "published": _day(r[col("Inspection publication date")]),
            "wsoa_required": 1 if wsoa == "yes" else 0 if wsoa == "no" else None,
            "significant_weaknesses": _number(r[col("Number significant weaknesses identified")]),
            "revisit_start": _day(r[col("Revisit start date")]), "revisit_published": _day(r[col("Revisit publication date")]),
            "revisit_progress": {"yes": "all", "some": "some", "no": "none"}.get(revisit),
            "weaknesses_progress": _number(r[col("Number significant weaknesses where sufficient progress has been made")]),
            "weaknesses_no_progress": _number(r[col("Number significant weaknesses where sufficient progress has not")]),
        })
    table = pd.DataFrame(rows).sort_values("area", kind="stable")
    table["year"] = [int(s[:4]) if isinstance(s, str) else None for s in table["inspected"]]
    table["text"] = [_inspection_2016_text(r) for r in _records(table)]
    return table


def _inspection_2016_text(r: dict) -> str:
    text = (f"{r['area']}: local area SEND inspection (2016 framework) starting {long_date(r['inspected'])}, published "
            f"{long_date(r['published'])}; written statement of action required: "
            f"{'yes' if r['wsoa_required'] else 'no' if r['wsoa_required'] == 0 else 'not recorded'}")
    if r["wsoa_required"]:
        if r["significant_weaknesses"] is not None:
            text += f"; significant weaknesses: {r['significant_weaknesses']:g}"
        if r["revisit_start"]:
            text += (f"; revisit starting {long_date(r['revisit_start'])}, published {long_date(r['revisit_published'])}: "
                     f"sufficient progress on {r['revisit_progress'] or 'an unrecorded number of'} significant weaknesses")
            if r["weaknesses_progress"] is not None and r["weaknesses_no_progress"] is not None:
                text += (f" ({r['weaknesses_progress']:g} with sufficient progress, {r['weaknesses_no_progress']:g} "
                         "without)")
        else:
            text += "; not revisited by 31 August 2022"
    return text + "."


LOADERS = {"timeliness": load_timeliness, "inspections_2023": load_inspections_2023,
           "inspections_2016_22": load_inspections_2016_22}


def summary_lines(table: str, frame: pd.DataFrame) -> list[str]:
    """Facts about a whole table, computed from its rows (what "how many" and "which areas" questions cite)."""
    lines = []
    if table == "inspections_2023":
        lines.append(f"Area SEND inspections under the 2023 framework in this table: {len(frame)}.")
        for outcome, wording in OUTCOME_WORDING.items():
            areas = frame[frame["outcome"] == outcome]["area"].tolist()
            lines.append(f"Outcome {wording}: {len(areas)} areas ({_listed(areas)}).")
        for year in sorted(y for y in frame["year"].dropna().unique()):
            areas = frame[frame["year"] == year]["area"].tolist()
            lines.append(f"Inspections starting in {int(year)}: {len(areas)} areas ({_listed(areas)}).")
    elif table == "inspections_2016_22":
        inspected = frame[frame["wsoa_required"].notna()]
        required = inspected[inspected["wsoa_required"] == 1]["area"].tolist()
        lines.append(f"Areas inspected under the 2016 framework by 31 August 2022: {len(inspected)}; written "
                     f"statement of action required: {len(required)} areas ({_listed(required)}).")
        revisited = inspected[inspected["revisit_progress"].notna()]
        for progress in ("all", "some", "none"):
            areas = revisited[revisited["revisit_progress"] == progress]["area"].tolist()
            lines.append(f"Revisited by 31 August 2022 with sufficient progress on {progress} of their significant "
                         f"weaknesses: {len(areas)} areas ({_listed(areas)}).")
    return lines
