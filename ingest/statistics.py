"""Official statistics (corpus/data/, Open Government Licence) -> typed tables in $SENDQA_HOME/statistics.sqlite.

Each row also carries `text`: one plain sentence stating the row, which is what a statistic citation quotes. A
table's citable text is its summary lines (computed from the rows, ingest/statistics_tables.py) followed by its
rows' sentences, so every quoted statistic is an exact substring of the text it cites, as report quotes are.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from sendqa.errors import SendQAError

DATA_MANIFEST = "manifest.json"
LOADER_VERSION = 4  # bump when rows or their sentences change: loaded tables are rebuilt
TABLES = ("timeliness", "inspections_2023", "inspections_2016_22")  # see ingest.statistics_tables.LOADERS


def data_manifest(data_dir: Path) -> list[dict]:
    path = data_dir / DATA_MANIFEST
    if not path.exists():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8")).get("tables", []))
    except ValueError as exc:
        raise SendQAError(f"{path}: invalid manifest ({exc})") from None


def _sha(path: Path) -> str:
    return f"{hashlib.sha256(path.read_bytes()).hexdigest()}:v{LOADER_VERSION}"


def load_statistics(data_dir: Path, db_path: Path) -> list[str]:
    """Load every table in data_dir's manifest whose file changed since it was last loaded; the tables loaded.

    A file that cannot be read is reported (SendQAError naming it) and the tables already loaded stay as they were.
    """
    loaded = []
    entries = data_manifest(data_dir)
    with closing(sqlite3.connect(db_path, timeout=30)) as db:
        db.execute("CREATE TABLE IF NOT EXISTS sources (tbl TEXT PRIMARY KEY, file TEXT, sha256 TEXT, title TEXT, "
                   "publication TEXT, publisher TEXT, published TEXT, licence TEXT, attribution TEXT, text TEXT)")
        known = {row[0]: row[1] for row in db.execute("SELECT tbl, sha256 FROM sources")}
        for entry in entries:
            table, path = entry["table"], data_dir / entry["file"]
            if table not in TABLES or not path.exists():
                continue
            sha = _sha(path)
            if known.get(table) == sha:
                continue
            from ingest.statistics_tables import LOADERS, summary_lines

            try:
                frame = LOADERS[table](path, entry["sheet"]) if "sheet" in entry else LOADERS[table](path)
            except Exception as exc:
                raise SendQAError(f"{path.name}: could not load the statistics table ({exc.__class__.__name__}: "
                                  f"{exc})") from None
            text = "\n".join(summary_lines(table, frame) + frame["text"].tolist())
            with db:
                frame.to_sql(table, db, if_exists="replace", index=False)
                db.execute(f"CREATE INDEX IF NOT EXISTS {table}_area ON {table} (area_key)")
                db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (table, entry["file"], sha, entry.get("title"), entry.get("publication"),
                            entry.get("publisher"), entry.get("published"), entry.get("licence"),
                            entry.get("attribution"), text))
            loaded.append(table)
    return loaded
