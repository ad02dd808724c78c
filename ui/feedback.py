"""Feedback on answers, kept in SQLite in the data directory (`sendqa feedback export` writes it as JSONL)."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path


class FeedbackStore:
    """store_questions=False keeps what was typed out of the store (the question and its rewrite are not saved),
    for councils that must not keep what the public types."""

    def __init__(self, path: Path, store_questions: bool = True):
        self.path = Path(path)
        self.store_questions = store_questions
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, created REAL, rating TEXT, "
                       "comment TEXT, question TEXT, rewritten TEXT, answer TEXT, citations TEXT, backend TEXT, "
                       "settings TEXT)")

    def add(self, rating: str, answer, comment: str = "", settings: dict | None = None) -> int:
        contract = answer.contract() if hasattr(answer, "contract") else dict(answer)
        with closing(sqlite3.connect(self.path)) as db, db:
            cursor = db.execute(
                "INSERT INTO feedback (created, rating, comment, question, rewritten, answer, citations, backend, settings)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), rating, comment, *((contract.get("question"), contract.get("rewritten"))
                                                 if self.store_questions else (None, None)), contract.get("answer"),
                 json.dumps(contract.get("citations", []), ensure_ascii=False), contract.get("backend"),
                 json.dumps(settings or {}, ensure_ascii=False)))
            return cursor.lastrowid

    def rows(self) -> list[dict]:
        with closing(sqlite3.connect(self.path)) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) | {"citations": json.loads(r["citations"] or "[]"), "settings": json.loads(r["settings"] or "{}")}
                    for r in db.execute("SELECT * FROM feedback ORDER BY id")]
