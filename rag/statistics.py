"""Read the official statistics tables (loaded by ingest/statistics.py) and turn rows into statistic citations."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import datetime
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rag.areas import area_key
from sendqa.types import Citation

STAT_PREFIX = "stat:"  # doc ids of statistics tables: "stat:timeliness"


@dataclass(frozen=True)
class StatRow:
    """One cited fact: a row's (or a summary line's) sentence and where it comes from."""

    table: str
    text: str
    area: str | None = None
    year: int | None = None
    row: str | None = None  # which row: the area and year, or "summary"


def long_date(iso: str | None) -> str:
    """'2024-02-12' -> '12 February 2024' (the form the statistics' sentences and sendqa's bullets use)."""
    return datetime.strptime(iso, "%Y-%m-%d").strftime("%-d %B %Y") if iso else "not given"


def fact(table: str, row: dict) -> StatRow:
    """A table row as a citable fact."""
    year = row.get("year")
    return StatRow(table=table, text=row["text"], area=row.get("area"), year=int(year) if year else None,
                   row=f"{row.get('area')}, {int(year)}" if year else row.get("area"))


class Statistics:
    """The statistics tables in SENDQA_HOME; every method returns rows in a stable order."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        if not self.path.exists():
            return []
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.row_factory = sqlite3.Row
            try:
                return db.execute(sql, params).fetchall()
            except sqlite3.OperationalError:  # a table not loaded (its file absent from corpus/data)
                return []

    @cached_property
    def sources(self) -> dict[str, dict]:
        return {r["tbl"]: dict(r) for r in self._query("SELECT * FROM sources")}

    def available(self) -> bool:
        return bool(self.sources)

    # --- areas --------------------------------------------------------------------------------
    @cached_property
    def areas(self) -> dict[str, str]:
        """area_key -> display name, for every council any table covers."""
        names: dict[str, str] = {}
        for table, where in (("timeliness", "level = 'council'"), ("inspections_2023", "1"),
                             ("inspections_2016_22", "1")):
            for r in self._query(f"SELECT DISTINCT area_key, area FROM {table} WHERE {where}"):
                names.setdefault(r["area_key"], r["area"])
        return names

    def region_of(self, key: str) -> str | None:
        rows = self._query("SELECT region FROM timeliness WHERE area_key = ? AND level = 'council' "
                           "ORDER BY year DESC LIMIT 1", (key,))
        return rows[0]["region"] if rows else None

    # --- rows ---------------------------------------------------------------------------------
    def timeliness(self, key: str) -> list[dict]:
        """An area's (or 'england', or a region's) rows by year."""
        return [dict(r) for r in self._query("SELECT * FROM timeliness WHERE area_key = ? ORDER BY year", (key,))]

    def timeliness_in(self, year: int) -> list[dict]:
        """Every council's row for a year that states a share."""
        return [dict(r) for r in self._query("SELECT * FROM timeliness WHERE level = 'council' AND year = ? AND "
                                             "pct IS NOT NULL ORDER BY pct", (year,))]

    def neighbours(self, key: str) -> list[str]:
        """The area keys of a council's statistical neighbours (from the 2023-framework table, by LA code), in
        the table's order; [] where the table lists none."""
        row = self.inspection_2023(key)
        codes = [c for c in str((row or {}).get("stat_neighbours") or "").split(",") if c]
        if not codes:
            return []
        found = {r["la_code"]: r["area_key"] for r in self._query(
            f"SELECT DISTINCT la_code, area_key FROM timeliness WHERE level = 'council' AND la_code IN "
            f"({', '.join('?' for _ in codes)})", tuple(codes))}
        return [found[c] for c in codes if c in found]

    def inspection_2023(self, key: str) -> dict | None:
        rows = self._query("SELECT * FROM inspections_2023 WHERE area_key = ? ORDER BY start DESC", (key,))
        return dict(rows[0]) if rows else None

    def inspection_2016(self, key: str) -> dict | None:
        rows = self._query("SELECT * FROM inspections_2016_22 WHERE area_key = ?", (key,))
        return dict(rows[0]) if rows else None

    def summary(self, table: str, starts_with: str) -> str | None:
        """A summary line of a table (see ingest.statistics.summary_lines) that starts with these words."""
        text = self.sources.get(table, {}).get("text") or ""
        return next((line for line in text.splitlines() if line.startswith(starts_with)), None)

    def all_2023(self) -> list[dict]:
        return [dict(r) for r in self._query("SELECT * FROM inspections_2023 ORDER BY area")]

    def all_2016(self) -> list[dict]:
        return [dict(r) for r in self._query("SELECT * FROM inspections_2016_22 ORDER BY area")]

    # --- citing -------------------------------------------------------------------------------
    def document_text(self, doc_id: str) -> str | None:
        """A table's citable text (summary lines, then one sentence per row); None for other ids."""
        if not doc_id.startswith(STAT_PREFIX):
            return None
        source = self.sources.get(doc_id.removeprefix(STAT_PREFIX))
        return source["text"] if source else None

    def citation(self, n: int, fact: StatRow) -> Citation:
        source = self.sources.get(fact.table, {})
        return Citation(n=n, doc_id=STAT_PREFIX + fact.table, source=source.get("file") or fact.table,
                        title=source.get("title") or fact.table, area=fact.area, page=None, section=None,
                        quote=fact.text, citation_type="statistic", publication=source.get("publication"),
                        table=fact.table, year=fact.year, row=fact.row, licence=source.get("licence"),
                        speaker="official statistics", kind="official statistics")


_DAY = re.compile(r"(\d{1,2})\s+([A-Z][a-z]+)?\s*(\d{4})?")


def _dates(text: str | None) -> tuple[str | None, str | None]:
    """'12 to 16 February 2024' / '27 March 2023 to 31 March 2023' -> ('2024-02-12', '2024-02-16')."""
    found = _DAY.findall(text or "")
    if not found:
        return None, None
    end_day, end_month, end_year = found[-1]
    start_day, start_month, start_year = found[0]
    try:
        end = datetime.strptime(f"{end_day} {end_month} {end_year}", "%d %B %Y").date()
        start = datetime.strptime(f"{start_day} {start_month or end_month} {start_year or end_year}", "%d %B %Y").date()
    except ValueError:
        return None, None
    return start.isoformat(), end.isoformat()


def disagreements(records, stats: Statistics) -> list[str]:
    """Where facts extracted from indexed inspection reports differ from the official statistics: outcome,
    inspection dates and publication date. Reported (by `sendqa doctor` and the tests), never silently resolved."""
    found = []
    for record in records:
        if record.kind != "inspection report" or not record.area or not record.outcome:
            continue
        row = stats.inspection_2023(area_key(record.area))
        if row is None:
            continue
        name = f"{record.doc_id} ({record.area})"
        if row["outcome"] and row["outcome"] != record.outcome:
            found.append(f"{name}: the report's outcome is '{record.outcome}', the statistics say '{row['outcome']}'")
        start, end = _dates(record.inspection_dates)
        if start and row["start"] and (start, end) != (row["start"], row["end"]):
            found.append(f"{name}: the report gives inspection dates {start} to {end}, the statistics "
                         f"{row['start']} to {row['end']}")
        if record.date and row["published"] and record.date[:10] != row["published"]:
            found.append(f"{name}: the report was published {record.date}, the statistics say {row['published']}")
    return found
