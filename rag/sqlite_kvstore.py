"""llama-index's key-value store interface on SQLite, so the docstore lives beside the document table.

A `SimpleDocumentStore` is one JSON file read whole by every process and rewritten whole on every save: at a few
thousand documents that is hundreds of MB parsed before the first answer. Here each document is a row, read only
when a citation needs its text, and a batch of writes is one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from llama_index.core.storage.kvstore.types import DEFAULT_COLLECTION, DEFAULT_BATCH_SIZE, BaseKVStore


class SQLiteKVStore(BaseKVStore):
    """(collection, key) -> JSON value rows in one SQLite table."""

    def __init__(self, path: Path, table: str = "kvstore") -> None:
        self.path = Path(path)
        self.table = table
        with closing(self._db()) as db, db:
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} (collection TEXT NOT NULL, key TEXT NOT NULL, "
                       "value TEXT NOT NULL, PRIMARY KEY (collection, key))")

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def put(self, key: str, val: dict, collection: str = DEFAULT_COLLECTION) -> None:
        self.put_all([(key, val)], collection=collection)

    def put_all(self, kv_pairs: list[tuple[str, dict]], collection: str = DEFAULT_COLLECTION,
                batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        with closing(self._db()) as db, db:
            db.executemany(f"INSERT OR REPLACE INTO {self.table} (collection, key, value) VALUES (?, ?, ?)",
                           [(collection, key, json.dumps(val)) for key, val in kv_pairs])

    def get(self, key: str, collection: str = DEFAULT_COLLECTION) -> dict | None:
        with closing(self._db()) as db:
            row = db.execute(f"SELECT value FROM {self.table} WHERE collection = ? AND key = ?",
                             (collection, key)).fetchone()
        return json.loads(row[0]) if row else None

    def get_all(self, collection: str = DEFAULT_COLLECTION) -> dict[str, dict]:
        with closing(self._db()) as db:
            rows = db.execute(f"SELECT key, value FROM {self.table} WHERE collection = ?", (collection,)).fetchall()
        return {key: json.loads(value) for key, value in rows}

    def keys(self, collection: str = DEFAULT_COLLECTION) -> list[str]:
        """The keys alone (consistency checks need which documents are stored, not their texts)."""
        with closing(self._db()) as db:
            return [key for (key,) in db.execute(f"SELECT key FROM {self.table} WHERE collection = ?", (collection,))]

    def delete(self, key: str, collection: str = DEFAULT_COLLECTION) -> bool:
        with closing(self._db()) as db, db:
            cursor = db.execute(f"DELETE FROM {self.table} WHERE collection = ? AND key = ?", (collection, key))
        return cursor.rowcount > 0

    async def aput(self, key: str, val: dict, collection: str = DEFAULT_COLLECTION) -> None:
        self.put(key, val, collection)

    async def aput_all(self, kv_pairs: list[tuple[str, dict]], collection: str = DEFAULT_COLLECTION,
                       batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.put_all(kv_pairs, collection, batch_size)

    async def aget(self, key: str, collection: str = DEFAULT_COLLECTION) -> dict | None:
        return self.get(key, collection)

    async def aget_all(self, collection: str = DEFAULT_COLLECTION) -> dict[str, dict]:
        return self.get_all(collection)

    async def adelete(self, key: str, collection: str = DEFAULT_COLLECTION) -> bool:
        return self.delete(key, collection)
