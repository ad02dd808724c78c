"""Sentence embeddings kept on disk, per embedding model: a sentence is encoded once, in any process, ever.

Scoring evidence sentences was most of an extractive answer's time (each question re-encoded ~100 sentences);
the report texts do not change, so their sentence vectors are looked up instead.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable

import numpy as np

from sendqa.errors import disk_full


class VectorCache:
    def __init__(self, path: Path, encode: Callable[[list[str], bool], np.ndarray]):
        self.path = path
        self._encode = encode
        with closing(sqlite3.connect(path, timeout=30)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised passage embeddings, one row per text; unseen texts are encoded and stored."""
        keys = [hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest() for t in texts]
        found: dict[bytes, np.ndarray] = {}
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            unique = list(dict.fromkeys(keys))
            for i in range(0, len(unique), 500):
                batch = unique[i:i + 500]
                rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({', '.join('?' * len(batch))})", batch)
                found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
            missing = [i for i, k in enumerate(keys) if k not in found]
            if missing:
                fresh = self._encode([texts[i] for i in missing], False)
                for i, vector in zip(missing, fresh):
                    found[keys[i]] = np.asarray(vector, dtype=np.float32)
                try:
                    with db:
                        db.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)",
                                       [(keys[i], found[keys[i]].tobytes()) for i in missing])
                except sqlite3.OperationalError as exc:
                    if not disk_full(exc):
                        raise  # a full disk only costs the cache: the vectors are in hand
        return np.vstack([found[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)
