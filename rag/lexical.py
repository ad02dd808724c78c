"""The lexical index: every chunk in SQLite beside the document table, searched with FTS5's bm25().

It lives on disk and changes one document at a time, so nothing is rebuilt per process or per filter set, and a
query costs about the same whatever the corpus size. Metadata filters are SQL conditions in the same query. Rows
are also the chunk store the other stages read (an area's sections, a translated document's chunks, the corpus
vocabulary for typo correction) without loading every chunk into memory.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Iterable

from llama_index.core.schema import BaseNode, TextNode

_COLUMNS = ("chunk_id", "doc_id", "chunk_index", "text", "area", "kind", "speaker", "language", "date", "date_int",
            "section", "page", "start", "end_", "source", "title")
_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = set("""a an the and or of in on at to for from by with about is are was were be been do does did what which who
whom when where why how that this these those it its their there here than then so such any all some can could should
would will may might must i me my we our you your they them he she his her tell give get show say said please""".split())


class LexicalIndex:
    """Chunks and their metadata in SQLite, with an FTS5 index (porter-stemmed) over text and context."""

    def __init__(self, path: Path):
        self.path = path
        with closing(self._db()) as db, db:
            db.executescript(f"""
                CREATE TABLE IF NOT EXISTS chunks ({', '.join(_COLUMNS)}, PRIMARY KEY (chunk_id));
                CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id, chunk_index);
                CREATE INDEX IF NOT EXISTS chunks_area ON chunks (area, section);
                CREATE INDEX IF NOT EXISTS chunks_kind ON chunks (kind);
                CREATE INDEX IF NOT EXISTS chunks_language ON chunks (language);
                CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
                    text, context, content='', tokenize='porter unicode61 remove_diacritics 2');
                CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, n INTEGER NOT NULL);
                -- one row: bumped by every write, so a reader's cache knows the chunks changed
                CREATE TABLE IF NOT EXISTS generation (n INTEGER NOT NULL);
                INSERT INTO generation (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM generation);
            """)

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    # --- writes -------------------------------------------------------------------------------
    def replace_document(self, doc_id: str, nodes: Iterable[BaseNode]) -> int:
        """Put a document's chunks in place of whatever it had (one transaction)."""
        rows = [_row(node) for node in nodes]
        with closing(self._db()) as db, db:
            self._delete(db, doc_id)
            db.execute("UPDATE generation SET n = n + 1")
            for row in rows:
                cursor = db.execute(f"INSERT INTO chunks ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                                    [row[c] for c in _COLUMNS])
                db.execute("INSERT INTO chunks_fts (rowid, text, context) VALUES (?, ?, ?)",
                           (cursor.lastrowid, row["text"], _context(row)))
                for word in set(_TOKEN.findall(row["text"].lower())):
                    db.execute("INSERT INTO words (word, n) VALUES (?, 1) ON CONFLICT(word) DO UPDATE SET n = n + 1",
                               (word,))
        return len(rows)

    def delete_document(self, doc_id: str) -> None:
        with closing(self._db()) as db, db:
            self._delete(db, doc_id)
            db.execute("UPDATE generation SET n = n + 1")

    @staticmethod
    def _delete(db: sqlite3.Connection, doc_id: str) -> None:
        # A contentless FTS5 table forgets a row only when given the values it indexed.
        for row in db.execute("SELECT rowid, * FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall():
            db.execute("INSERT INTO chunks_fts (chunks_fts, rowid, text, context) VALUES ('delete', ?, ?, ?)",
                       (row["rowid"], row["text"], _context(dict(row))))
            for word in set(_TOKEN.findall(row["text"].lower())):
                db.execute("UPDATE words SET n = n - 1 WHERE word = ?", (word,))
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM words WHERE n <= 0")

    # --- reads --------------------------------------------------------------------------------
    def search(self, query: str, where: str = "", params: tuple = (), top_k: int = 24,
               areas: tuple[str, ...] = ()) -> list[tuple[TextNode, float]]:
        """The best chunks for a query by BM25 (higher is better), under an SQL condition on chunk columns.

        areas: when the condition restricts to these areas, the full-text match is narrowed to chunks whose context
        names them, so FTS5 scores a few hundred chunks rather than every match in the corpus.
        """
        terms = [t for t in dict.fromkeys(_TOKEN.findall(query.lower())) if t not in _STOP]
        if not terms:
            return []
        with closing(self._db()) as db:
            terms = self._discriminating(db, terms)
        match = " OR ".join(f'"{t}"' for t in terms)
        phrases = [" ".join(_TOKEN.findall(a.lower())) for a in areas]
        if phrases and all(phrases):
            match = f"({match}) AND (" + " OR ".join(f'context : "{p}"' for p in phrases) + ")"
        if where:
            sql = (f"SELECT c.*, -bm25(chunks_fts, 1.0, 0.4) AS score FROM chunks_fts JOIN chunks c "
                   f"ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ? AND {where} "
                   "ORDER BY bm25(chunks_fts, 1.0, 0.4) LIMIT ?")
        else:  # rank first, then read only the top rows (joining every match costs more than ranking them)
            sql = ("SELECT c.*, f.score FROM (SELECT rowid, -bm25(chunks_fts, 1.0, 0.4) AS score FROM chunks_fts "
                   "WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1.0, 0.4) LIMIT ?) f "
                   "JOIN chunks c ON c.rowid = f.rowid ORDER BY f.score DESC")
        with closing(self._db()) as db:
            return [(_node(dict(r)), float(r["score"])) for r in db.execute(sql, (match, *params, top_k))]

    @staticmethod
    def _discriminating(db: sqlite3.Connection, terms: list[str]) -> list[str]:
        """Drop words found in more than a quarter of all chunks ("families", "plans" in a SEND corpus): their BM25
        weight is near nothing, yet FTS5 must score every chunk holding them, which at 90,000 chunks is most of
        the query's time. The two rarest words are always kept."""
        total = db.execute("SELECT max(rowid) FROM chunks").fetchone()[0] or 0
        if total < 2000:  # a small index is fast either way
            return terms
        marks = ", ".join("?" * len(terms))
        df = dict(db.execute(f"SELECT word, n FROM words WHERE word IN ({marks})", terms).fetchall())
        rarest = sorted(terms, key=lambda t: df.get(t, 0))[:2]
        return [t for t in terms if t in rarest or df.get(t, 0) <= 0.25 * total]

    def nodes(self, where: str = "", params: tuple = (), limit_per_doc: int | None = None,
              limit: int | None = None) -> list[TextNode]:
        """Chunks under an SQL condition, in document order (optionally the first N of each document, and at most
        `limit` in all)."""
        rank = "ROW_NUMBER() OVER (PARTITION BY doc_id ORDER BY chunk_index)"
        sql = (f"SELECT * FROM (SELECT *, {rank} AS nth FROM chunks {('WHERE ' + where) if where else ''}) "
               f"{'WHERE nth <= ?' if limit_per_doc else ''} ORDER BY doc_id, chunk_index"
               f"{' LIMIT ?' if limit else ''}")
        args = (*params, *([limit_per_doc] if limit_per_doc else []), *([limit] if limit else []))
        with closing(self._db()) as db:
            return [_node(dict(r)) for r in db.execute(sql, args)]

    def count_where(self, where: str, params: tuple = ()) -> int:
        with closing(self._db()) as db:
            return db.execute(f"SELECT count(*) FROM chunks WHERE {where}", params).fetchone()[0]

    def word_counts(self, words: list[str]) -> dict[str, int]:
        """How many chunks hold each word (words no chunk holds are left out)."""
        words = [w for w in words if _TOKEN.fullmatch(w)]
        if not words:
            return {}
        with closing(self._db()) as db:
            marks = ", ".join("?" * len(words))
            return dict(db.execute(f"SELECT word, n FROM words WHERE word IN ({marks})", words).fetchall())

    def holding(self, word: str) -> set[tuple[str, str, str]]:
        """(doc_id, area: "" for none, kind) of the documents whose text holds the word."""
        if not _TOKEN.fullmatch(word):
            return set()
        with closing(self._db()) as db:
            rows = db.execute("SELECT DISTINCT c.doc_id, c.area, c.kind FROM chunks_fts JOIN chunks c "
                              "ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ?", (f'text : "{word}"',))
            return {(r[0], r[1] or "", r[2] or "") for r in rows}

    def vocabulary(self) -> frozenset[str]:
        with closing(self._db()) as db:
            return frozenset(r[0] for r in db.execute("SELECT word FROM words WHERE word GLOB '[a-z]*'"))

    def generation(self) -> int:
        """A number that changes whenever a document is added, replaced or removed (by any process)."""
        with closing(self._db()) as db:
            return db.execute("SELECT n FROM generation").fetchone()[0]

    def count(self) -> int:
        with closing(self._db()) as db:
            return db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def chunk_counts(self) -> dict[str, int]:
        with closing(self._db()) as db:
            return dict(db.execute("SELECT doc_id, count(*) FROM chunks GROUP BY doc_id").fetchall())

    def page_counts(self) -> dict[str, int]:
        """Pages per paged document (PDFs): the last page any of its chunks comes from (text files have page 0)."""
        with closing(self._db()) as db:
            return dict(db.execute("SELECT doc_id, max(page) FROM chunks WHERE page > 0 GROUP BY doc_id"))


def _row(node: BaseNode) -> dict:
    meta = node.metadata
    return {"chunk_id": node.node_id, "doc_id": meta.get("doc_id", ""), "chunk_index": int(meta.get("chunk_index", 0)),
            "text": node.get_content(), "area": meta.get("area", ""), "kind": meta.get("kind", ""),
            "speaker": meta.get("speaker", ""), "language": meta.get("language", ""), "date": meta.get("date", ""),
            "date_int": int(meta.get("date_int") or 0), "section": meta.get("section", ""),
            "page": int(meta.get("page") or 0), "start": int(meta.get("start", 0)), "end_": int(meta.get("end", 0)),
            "source": meta.get("source", ""), "title": meta.get("title", "")}


def _context(row: dict) -> str:
    # Area, title and section help a chunk that never names its area ("the partnership") match "Bury".
    return " ".join(x for x in (row.get("area"), row.get("title"), row.get("section")) if x)


def _node(row: dict) -> TextNode:
    meta = {k: row[k] for k in _COLUMNS if k not in ("chunk_id", "text", "end_")}
    meta["end"] = row["end_"]
    return TextNode(id_=row["chunk_id"], text=row["text"], metadata=meta)

