"""The corpus index: Chroma vectors (via llama-index), the docstore, and the per-document table."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from llama_index.core.schema import TextNode
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.core.storage.docstore.keyval_docstore import KVDocumentStore
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.embeddings import get_embedding
from rag.lexical import LexicalIndex
from rag.sqlite_kvstore import SQLiteKVStore
from rag.statistics import Statistics
from rag.vector_cache import VectorCache
from sendqa.errors import SendQAError, disk_full
from sendqa.settings import Settings
from sendqa.types import DocumentRecord

_FIELDS = list(DocumentRecord.model_fields)
_LOW_SPACE = 50_000_000  # bytes free below which a Chroma that will not open is put down to the disk
_DOCSTORE_NAMESPACE = "docstore"
_DOCSTORE_TEXTS = f"{_DOCSTORE_NAMESPACE}/data"  # KVDocumentStore's collection of stored documents


def chroma_client(settings: Settings):
    """An embedded PersistentClient in SENDQA_HOME, or an HttpClient when chroma_url is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(host=url.hostname or "localhost", port=url.port or 8000,
                                         ssl=url.scheme == "https", settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:
            raise SendQAError(f"cannot reach the Chroma server at {settings.chroma_url} ({exc}): start it with "
                              f"`chroma run --path DIR --port {url.port or 8000}` or unset SENDQA_CHROMA_URL") from None
        return client
    path = settings.home_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _reset_chroma(settings: Settings) -> None:
    """Drop this embedding model's vectors; an embedded Chroma folder that cannot even be opened is removed."""
    import shutil

    name = f"sendqa-{settings.retrieval.embedding}"
    try:
        client = chroma_client(settings)
        if name in {c if isinstance(c, str) else c.name for c in client.list_collections()}:
            client.delete_collection(name)
    except Exception:
        if settings.chroma_url:
            raise
        from chromadb.api.shared_system_client import SharedSystemClient

        shutil.rmtree(settings.home_dir / "chroma", ignore_errors=True)
        SharedSystemClient.clear_system_cache()  # chromadb keeps the failed client per path for the process


STANDARD_SHARE = 0.5  # of the held inspection reports a sentence must be in, word for word, to be standard text
STANDARD_MIN_REPORTS = 5  # below this, a shared sentence is as likely two areas' shared finding


class CorpusIndex:
    """Everything ingest writes and retrieval reads, for one embedding model."""

    def __init__(self, settings: Settings, reset_vectors: bool = False):
        """reset_vectors: start from an empty Chroma collection (a rebuild after the vectors were lost or damaged)."""
        self.settings = settings
        self.dir: Path = settings.index_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.embed_model = get_embedding(settings.retrieval.embedding)
        if reset_vectors:
            _reset_chroma(settings)
        try:
            self.client = chroma_client(settings)
            self.collection = self.client.get_or_create_collection(
                f"sendqa-{settings.retrieval.embedding}", metadata={"hnsw:space": "cosine"}
            )
            self.collection.count()
        except SendQAError:
            raise
        except Exception as exc:  # e.g. "database disk image is malformed"
            # Chroma applies its pending log on opening, so a full disk fails it too, without saying so: then the
            # fix is room, not a rebuild.
            free = shutil.disk_usage(settings.home_dir).free if not settings.chroma_url else None
            if disk_full(exc) or (free is not None and free < _LOW_SPACE):
                raise SendQAError(f"the disk holding {settings.home_dir} is full ({free / 1e6:.1f} MB free), so the "
                                  f"Chroma index cannot be opened ({exc.__class__.__name__}: {exc}): free some space "
                                  "and try again; nothing in it is lost") from None
            raise SendQAError(f"the Chroma index in {settings.chroma_url or settings.home_dir / 'chroma'} cannot be read "
                              f"({exc.__class__.__name__}: {exc}): run `sendqa ingest --rebuild` to rebuild it from the "
                              "stored documents") from None
        self.vector_store = ChromaVectorStore(chroma_collection=self.collection)
        self._docstore_kv = SQLiteKVStore(self.dir / "docstore.sqlite")
        self.docstore = KVDocumentStore(self._docstore_kv, namespace=_DOCSTORE_NAMESPACE)
        self._migrate_json_docstore()
        self._db_path = self.dir / "documents.sqlite"
        with closing(self._db()) as db, db:
            db.execute(f"CREATE TABLE IF NOT EXISTS documents ({', '.join(_FIELDS)}, PRIMARY KEY (doc_id))")
            have = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
            for name in (f for f in _FIELDS if f not in have):  # fields are added, never renamed or removed
                db.execute(f"ALTER TABLE documents ADD COLUMN {name}")
        self.lexical = LexicalIndex(self._db_path)
        self.statistics = Statistics(settings.home_dir / "statistics.sqlite")
        self.sentence_vectors = VectorCache(self.dir / "sentence_vectors.sqlite", self.embed_model.encode)
        self._fill_lexical_from_chroma()
        self._standard: tuple[tuple[str, ...], frozenset[str]] = ((), frozenset())

    def _migrate_json_docstore(self) -> None:
        """Indexes written before the docstore moved into SQLite: copy docstore.json in once, then set it aside."""
        legacy = self.dir / "docstore.json"
        if not legacy.exists():
            return
        if not self._docstore_kv.keys(_DOCSTORE_TEXTS):
            old = SimpleDocumentStore.from_persist_path(str(legacy))
            documents = list(old.docs.values())
            self.docstore.add_documents(documents)
            self.docstore.set_document_hashes({d.id_: d.hash for d in documents})
        legacy.rename(legacy.with_suffix(".json.migrated"))

    def _fill_lexical_from_chroma(self) -> None:
        """Indexes made before the lexical index existed get it once, from the chunks Chroma holds."""
        if self.lexical.count() or not self.collection.count():
            return
        got = self.collection.get(include=["documents", "metadatas"])
        by_doc: dict[str, list[TextNode]] = {}
        for text, meta in zip(got["documents"], got["metadatas"]):
            node = metadata_dict_to_node(meta, text=text)
            by_doc.setdefault(node.metadata.get("doc_id", ""), []).append(node)
        for doc_id, nodes in by_doc.items():
            self.lexical.replace_document(doc_id, sorted(nodes, key=lambda n: n.metadata.get("chunk_index", 0)))

    # --- do the stores agree? -----------------------------------------------------------------
    def chunk_counts(self) -> dict[str, dict[str, int]]:
        """doc_id -> chunks each store holds for it: table (n_chunks), lexical, chroma, docstore (0 or 1)."""
        counts: dict[str, dict[str, int]] = {}

        def row(doc_id: str) -> dict[str, int]:
            return counts.setdefault(doc_id, {"table": 0, "lexical": 0, "chroma": 0, "docstore": 0, "listed": 0})

        for record in self.documents():
            row(record.doc_id)["table"] = record.n_chunks
            row(record.doc_id)["listed"] = 1
        for doc_id, n in self.lexical.chunk_counts().items():
            row(doc_id)["lexical"] = n
        total = self.collection.count()
        if total != sum(c["table"] for c in counts.values()):
            for meta in self.collection.get(include=["metadatas"])["metadatas"]:
                row(meta.get("doc_id", ""))["chroma"] += 1
        else:  # the common case: totals agree, so per-document counts need not be read from Chroma
            for c in counts.values():
                c["chroma"] = c["table"]
        for doc_id in self.docstore_ids():
            row(doc_id)["docstore"] = 1
        return counts

    def problems(self) -> list[str]:
        """What disagrees between the document table, the lexical index, Chroma and the docstore."""
        found = []
        for doc_id, c in sorted(self.chunk_counts().items()):
            if c["listed"] and not c["table"]:
                found.append(f"{doc_id}: listed in the document table with no chunks")
            elif not c["table"]:
                held = [name for key, name in (("lexical", "lexical index"), ("chroma", "vector index"),
                                               ("docstore", "docstore")) if c[key]]
                found.append(f"{doc_id}: in the {' and the '.join(held)} but not in the document table, left by an "
                             "ingest that did not finish: ingest the file again to replace it")
            elif c["lexical"] != c["table"] or c["chroma"] != c["table"] or not c["docstore"]:
                found.append(f"{doc_id}: {c['table']} chunks expected; lexical index has {c['lexical']}, Chroma "
                             f"{c['chroma']}{'' if c['docstore'] else ', and its text is missing from the docstore'}")
        return found

    # --- is the index on disk still the one this process opened? -------------------------------
    def _files(self) -> list[Path]:
        files = [self._db_path]
        if not self.settings.chroma_url:  # a Chroma server keeps its own files
            files.append(self.settings.home_dir / "chroma" / "chroma.sqlite3")
        return files

    def on_disk(self) -> tuple:
        """A stamp of the index files as they are now: which files they are (a rebuild or a deletion replaces them),
        and the document table's size and last change with its write-ahead log's (every ingest, replacement and
        removal writes it). Chroma's own file counts by identity only: it finishes writing in the background after
        an ingest returns, which is no change to follow. This process's answers change none of it."""
        stamp = []
        for path in self._files():
            entry: tuple = (path.name,)
            for file in (path, path.with_name(path.name + "-wal")):
                try:
                    st = file.stat()
                except FileNotFoundError:
                    entry += (None,)
                    continue
                if file is path:
                    entry += (st.st_ino, self._header(file))  # damaged in place: same file, no SQLite header
                if path == self._db_path:
                    entry += (st.st_size, st.st_mtime_ns)
            stamp.append(entry)
        return tuple(stamp)

    def reachable(self) -> bool:
        """Whether Chroma answers now (only a server can stop answering while this process runs)."""
        try:
            self.client.heartbeat()
            return True
        except Exception:
            return False

    @staticmethod
    def _header(path: Path) -> bytes:
        try:
            with path.open("rb") as handle:
                return handle.read(16)
        except OSError:
            return b""

    def damage(self) -> str | None:
        """Why the index files cannot be used as they are (deleted, or not an SQLite database any more), or None."""
        for path in self._files():
            try:
                with path.open("rb") as handle:
                    header = handle.read(16)
            except FileNotFoundError:
                return f"{path} was deleted"
            except OSError as exc:
                return f"{path} cannot be read ({exc.strerror})"
            if header != b"SQLite format 3\x00":
                return f"{path} is damaged"
        return None

    # --- the document table ---------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._db_path)
        db.row_factory = sqlite3.Row
        return db

    def documents(self, where: str = "", params: tuple = ()) -> list[DocumentRecord]:
        """Rows of the document table, optionally filtered by an SQL condition."""
        with closing(self._db()) as db:
            rows = db.execute(f"SELECT * FROM documents {('WHERE ' + where) if where else ''} ORDER BY doc_id", params)
            return [DocumentRecord(**dict(row)) for row in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        found = self.documents("doc_id = ?", (doc_id,))
        return found[0] if found else None

    def save_record(self, record: DocumentRecord) -> None:
        values = record.model_dump()
        with closing(self._db()) as db, db:
            db.execute(
                f"INSERT OR REPLACE INTO documents ({', '.join(_FIELDS)}) VALUES ({', '.join('?' for _ in _FIELDS)})",
                [values[f] for f in _FIELDS],
            )

    def docstore_ids(self) -> list[str]:
        """Which documents' texts the docstore holds (without reading the texts)."""
        return self._docstore_kv.keys(_DOCSTORE_TEXTS)

    def load_statistics(self) -> list[str]:
        """Load (or refresh) the official statistics tables shipped in corpus/data; the tables (re)loaded."""
        from ingest.statistics import load_statistics

        loaded = load_statistics(self.settings.corpus_dir / "data", self.statistics.path)
        if loaded:
            self.statistics = Statistics(self.statistics.path)
        return loaded

    def document_text(self, doc_id: str) -> str | None:
        """The canonical text every citation quote must be an exact substring of (a statistics table's text too)."""
        if doc_id.startswith("stat:"):
            return self.statistics.document_text(doc_id)
        doc = self.docstore.get_document(doc_id, raise_error=False)
        return doc.text if doc is not None else None

    def standard_sentences(self) -> frozenset[str]:
        """Sentences (whitespace collapsed) that at least STANDARD_SHARE of the held inspection reports print word
        for word: the publisher's standard text (the back page, "Information about this inspection"), which says
        nothing about any one area. Counted only once STANDARD_MIN_REPORTS are held; re-counted when they change."""
        from collections import Counter

        from sendqa.sentences import sentence_spans

        reports = tuple(d.doc_id for d in self.documents("kind = ?", ("inspection report",)))
        if reports == self._standard[0]:
            return self._standard[1]
        common: frozenset[str] = frozenset()
        if len(reports) >= STANDARD_MIN_REPORTS:
            counts: Counter[str] = Counter()
            for doc_id in reports:
                text = self.document_text(doc_id) or ""
                counts.update({" ".join(text[a:b].split()) for a, b in sentence_spans(text)})
            common = frozenset(t for t, n in counts.items() if n >= STANDARD_SHARE * len(reports))
        self._standard = (reports, common)
        return common

    # --- writes ------------------------------------------------------------------------------
    def persist(self) -> None:
        """The stores commit as they go; this records which embedding and settings the index was built with."""
        (self.dir / "index.json").write_text(
            json.dumps({"embedding": self.settings.retrieval.embedding, "index_fingerprint": self.settings.index_fingerprint()})
        )

    def delete(self, doc_id: str, persist: bool = True) -> bool:
        """Remove a document everywhere: vectors, lexical index, docstore and table. False if it was not there."""
        existed = self.document(doc_id) is not None

        def from_table() -> None:
            with closing(self._db()) as db, db:
                db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

        failed = None
        # Each store separately, the table first: a store that cannot be written now (a full disk) leaves the
        # others clean, and what is left of it is what `sendqa doctor` names and the next ingest replaces.
        for remove in (from_table, lambda: self.vector_store.delete(doc_id), lambda: self.lexical.delete_document(doc_id),
                       lambda: self.docstore.delete_ref_doc(doc_id, raise_error=False),
                       lambda: self.docstore.delete_document(doc_id, raise_error=False)):
            try:
                remove()
            except Exception as exc:
                failed = failed or exc
        if failed is not None:
            raise failed
        if persist:
            self.persist()
        return existed

    # --- reads -------------------------------------------------------------------------------
    def count_chunks(self) -> int:
        return self.collection.count()

    def is_empty(self) -> bool:
        return not self.documents() or self.count_chunks() == 0

    def all_nodes(self) -> list[TextNode]:
        """Every chunk as a TextNode, in document order (tests and tools; questions never need them all)."""
        return self.lexical.nodes()
