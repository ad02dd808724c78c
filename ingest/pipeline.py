"""`sendqa ingest`: files and folders -> the corpus index, idempotently, one bad file never spoiling the batch."""

from __future__ import annotations

import multiprocessing
import shutil
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from tqdm import tqdm

from ingest import PARSER_VERSION
from ingest.chunking import StructureNodeParser
from ingest.manifest import MANIFEST_NAME
from ingest.prepare import doc_id_for, file_sha256, prepare
from ingest.readers import SUPPORTED
from rag.index import CorpusIndex
from sendqa.errors import DiskFull, SendQAError, disk_full
from sendqa.safety import instructions_in
from sendqa.sentences import sentence_spans


# The index grows by 50 to 80 bytes per character of text (measured on corpus/ and the 40 reports: chunks, vectors,
# Chroma's own full-text index, the lexical index, the docstore); below this floor a batch surely does not fit.
_MIN_BYTES_PER_CHAR = 20
_PARALLEL_FROM = 4  # fewer files than this are parsed in-process (a worker takes ~1 s to start)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file name, the file it has the content of)
    instructions: list[tuple[str, int]] = field(default_factory=list)  # (file name, lines addressed to a model)
    chunks_added: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        same = f", {len(self.duplicates)} duplicate" if self.duplicates else ""
        return (f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged{same}, "
                f"{len(self.skipped)} skipped; {self.chunks_added} chunks embedded in {self.seconds:.1f}s")


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand folders (recursively); unsupported or missing paths come back as skipped with a reason."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith(".") or child.name == MANIFEST_NAME or _is_statistics_table(child):
                    continue
                if child.suffix.lower() in SUPPORTED:
                    files.append(child)
                else:
                    skipped.append((child.name, f"unsupported file type '{child.suffix or 'none'}'"))
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED:
                files.append(path)
            else:
                skipped.append((path.name, f"unsupported file type '{path.suffix or 'none'}' (use .pdf, .txt, .md or .html)"))
        else:
            skipped.append((str(path), "no such file or folder"))
    return list(dict.fromkeys(files)), skipped


def _is_statistics_table(path: Path) -> bool:
    """Files a folder's manifest lists as statistics tables (corpus/data): loaded as tables, not ingested as text."""
    from ingest.statistics import data_manifest

    if path.suffix.lower() not in (".csv", ".ods", ".xlsx", ".xls"):
        return False
    return any(entry.get("file") == path.name for entry in data_manifest(path.parent))


def _pipeline(index: CorpusIndex) -> IngestionPipeline:
    """Chunk and embed, recording each document's text and hash in the docstore. Vectors are written by the
    caller (see _BatchWriter), because replacing a document is decided before the pipeline runs."""
    return IngestionPipeline(
        transformations=[StructureNodeParser(max_chars=index.settings.ingest.chunk_chars), index.embed_model],
        docstore=index.docstore,
        docstore_strategy=DocstoreStrategy.DUPLICATES_ONLY,
    )


def _embed_batch(index: CorpusIndex, pipeline: IngestionPipeline, documents: list) -> tuple[list, dict[str, int]]:
    """Chunk and embed documents in one pipeline run (one embedding call over every chunk) and put their chunks
    in the lexical index; (nodes, chunk counts by doc_id). Chroma is written separately."""
    nodes = pipeline.run(documents=documents)
    by_doc: dict[str, list] = {d.doc_id: [] for d in documents}
    for node in nodes:
        by_doc.setdefault(node.ref_doc_id, []).append(node)
    for doc_id, doc_nodes in by_doc.items():
        index.lexical.replace_document(doc_id, doc_nodes)
    # The sentences the evidence scorer reads, encoded now (while Chroma writes the previous batch): an answer then
    # looks their vectors up instead of encoding them (a full disk only costs this cache).
    index.sentence_vectors.encode([node.text[a:b] for node in nodes for a, b in sentence_spans(node.text)])
    return list(nodes), {doc_id: len(doc_nodes) for doc_id, doc_nodes in by_doc.items()}


def _store_batch(index: CorpusIndex, pipeline: IngestionPipeline, documents: list) -> dict[str, int]:
    """Chunk, embed and write documents to every store, now; chunk counts by doc_id."""
    nodes, chunks = _embed_batch(index, pipeline, documents)
    index.vector_store.add(nodes)
    return chunks


class _BatchWriter:
    """Stores batches of parsed documents. A batch's vectors go to Chroma in a background thread while the next
    batch embeds (Chroma's writes release the GIL); its table rows are written only once Chroma has them, so a
    document is never listed as ingested while a store lacks it. A failed batch is retried one document at a time
    so one bad document spoils nothing else."""

    def __init__(self, index: CorpusIndex, report: IngestReport):
        self.index = index
        self.report = report
        self.pipeline = _pipeline(index)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer")
        self._pending: tuple[list, set[str], dict[str, int], Future] | None = None

    def add(self, batch: list[tuple[Path, object, object]]) -> None:
        """batch: (path, Document, DocumentRecord) triples."""
        self.finish()
        if not batch:
            return
        existing = {record.doc_id for _, _, record in batch if self.index.document(record.doc_id) is not None}
        for _, _, record in batch:
            # Drop whatever any store holds for it first: old chunks (chunking settings may have changed with the same
            # text), or the leftovers of a run killed mid-batch, whose docstore hash would make the pipeline skip the
            # document as already seen and leave it listed with no chunks.
            self.index.delete(record.doc_id, persist=False)
        self._check_space([document for _, document, record in batch if record.doc_id not in existing], batch)
        try:
            nodes, chunks = _embed_batch(self.index, self.pipeline, [document for _, document, _ in batch])
        except Exception as exc:
            self._give_up_if_full(exc, batch)
            self._one_by_one(batch, existing)
            return
        self._pending = (batch, existing, chunks, self._thread.submit(self.index.vector_store.add, nodes))

    def finish(self) -> None:
        """Wait for the batch being written and record its documents."""
        if self._pending is None:
            return
        batch, existing, chunks, writing = self._pending
        self._pending = None
        try:
            writing.result()
        except Exception as exc:
            self._give_up_if_full(exc, batch)
            self._one_by_one(batch, existing)
            return
        self._record(batch, existing, chunks)

    def close(self) -> None:
        try:
            self.finish()
        finally:
            self._thread.shutdown()

    def _one_by_one(self, batch: list, existing: set[str]) -> None:
        for path, document, record in batch:
            self.index.delete(record.doc_id, persist=False)  # whatever part of the batch was written
        for path, document, record in batch:
            try:
                chunks = _store_batch(self.index, self.pipeline, [document])
            except Exception as exc:
                self._give_up_if_full(exc, [(path, document, record)])
                self.index.delete(record.doc_id, persist=False)
                self.report.skipped.append((path.name, _why(path, exc)))
                continue
            self._record([(path, document, record)], existing, chunks)

    def _check_space(self, new_documents: list, batch: list) -> None:
        """Refuse, before writing anything, a batch the disk surely cannot hold: a full disk met mid-write may leave
        part of a document that only freeing space and ingesting again removes."""
        needed = _MIN_BYTES_PER_CHAR * sum(len(d.text) for d in new_documents)
        if needed and shutil.disk_usage(self.index.settings.home_dir).free < needed:
            raise DiskFull(batch[0][0].name, needed)

    def _give_up_if_full(self, exc: Exception, batch: list) -> None:
        """A full disk fails every document after this one too: take back what this batch wrote, where the disk
        still allows, and stop the run (documents recorded before it are whole and stay)."""
        if not disk_full(exc):
            return
        for _, _, record in batch:
            try:
                self.index.delete(record.doc_id, persist=False)
            except Exception:  # the disk is full: a later run replaces what is left (see add)
                pass
        raise DiskFull(batch[0][0].name) from exc

    def _record(self, batch: list, existing: set[str], chunks: dict[str, int]) -> None:
        for path, _, record in batch:
            record.n_chunks = chunks.get(record.doc_id, 0)
            self.index.save_record(record)
            self.report.chunks_added += record.n_chunks
            (self.report.replaced if record.doc_id in existing else self.report.added).append(path.name)


def _parsed(jobs: list[tuple[Path, str]], workers: int) -> Iterator[tuple[Path, object, bool]]:
    """(path, (Document, record) or the exception, whether the next file is already parsed), in order.

    Files are parsed ahead in worker processes while the caller embeds: PDF layout is CPU work in Python and
    MuPDF, and MuPDF is not safe to share between threads. The workers are forked, so they start at once with
    the parser already imported; they only parse and never touch the caller's models or stores.
    """
    if workers < 1 or len(jobs) < _PARALLEL_FROM:
        for path, sha in jobs:
            yield path, _prepare_or_error(path, sha), True
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [(path, pool.submit(_prepare_or_error, path, sha)) for path, sha in jobs]
        for i, (path, future) in enumerate(futures):
            try:
                prepared = future.result()
            except Exception as exc:  # the worker itself died (out of memory, a crash in MuPDF)
                prepared = exc
            yield path, prepared, i + 1 == len(futures) or futures[i + 1][1].done()


def _prepare_or_error(path: Path, sha: str):
    try:
        return prepare(path, sha256=sha)
    except Exception as exc:
        return exc


def ingest_paths(paths: Iterable[Path], index: CorpusIndex, progress: bool = True) -> IngestReport:
    """Add files to the index: unchanged files are skipped, changed ones replace their old chunks.

    A file counts as unchanged only when its text, the chunking settings and the embedding model are the same and
    every store (table, lexical index, Chroma, docstore) holds all of its chunks; otherwise it is ingested again.
    Files are parsed ahead in a worker process and embedded in batches of documents.
    """
    started = time.perf_counter()
    files, skipped = discover(paths)
    report = IngestReport(skipped=list(skipped))
    settings = index.settings
    fingerprint = f"{settings.index_fingerprint()}:p{PARSER_VERSION}"
    counts = index.chunk_counts() if files else {}
    # The same bytes under another name are stored once: content hash -> (doc id, file name) of the one stored
    stored = {r.sha256.split(":", 1)[0]: (r.doc_id, r.source) for r in index.documents() if r.sha256} if files else {}
    aliases: dict[str, list[str]] = {}  # doc id -> other names of its content, recorded once it is stored
    jobs: list[tuple[Path, str]] = []
    for path in files:
        try:
            if path.stat().st_size > settings.ingest.max_file_mb * 1024 * 1024:
                raise SendQAError(f"{path.name}: larger than {settings.ingest.max_file_mb:g} MB; raise SENDQA_INGEST__MAX_FILE_MB to allow it")
            content = file_sha256(path)
            sha = f"{content}:{fingerprint}"
        except (OSError, SendQAError) as exc:
            report.skipped.append((path.name, str(exc).removeprefix(f"{path.name}: ")))
            continue
        doc_id = doc_id_for(path)
        existing = index.document(doc_id)
        same = stored.get(content)
        if existing and existing.sha256 == sha and _complete(counts.get(existing.doc_id)):
            report.unchanged.append(path.name)
        elif same is not None and same[0] != doc_id:
            report.duplicates.append((path.name, same[1]))
            aliases.setdefault(same[0], []).append(path.name)
        else:
            jobs.append((path, sha))
            stored.setdefault(content, (doc_id, path.name))

    batch: list[tuple[Path, object, object]] = []  # (path, Document, record)
    batch_chars = 0
    limit = settings.ingest.batch_chunks * settings.ingest.chunk_chars
    writer = _BatchWriter(index, report)
    try:
        with tqdm(total=len(jobs), desc="Ingesting", unit="file", disable=not progress) as bar:
            for path, prepared, next_ready in _parsed(jobs, settings.ingest.parse_workers):
                if isinstance(prepared, Exception):
                    report.skipped.append((path.name, _why(path, prepared)))
                    bar.update()
                    continue
                document, record = prepared
                if lines := instructions_in(document.text):
                    report.instructions.append((path.name, lines))
                batch.append((path, document, record))
                batch_chars += len(document.text)
                # Embed when the batch is full, or when waiting for the parser would leave this process idle.
                if batch_chars >= limit or (not next_ready and batch_chars >= limit // 8):
                    writer.add(batch)
                    bar.update(len(batch))
                    batch, batch_chars = [], 0
            writer.add(batch)
            writer.finish()
            bar.update(len(batch))
        _record_aliases(index, aliases)
    except DiskFull as stopped:
        done = len(report.added) + len(report.replaced)
        kept = f"the {done} files ingested before it are kept whole" if done else "nothing else was changed"
        free = _megabytes(shutil.disk_usage(settings.home_dir).free)
        if stopped.needed:
            what = (f"has too little space for {stopped.name} (it needs about {_megabytes(stopped.needed)}, "
                    f"{free} are free), so ingest stopped before writing it and {kept}")
        else:
            what = (f"ran out of space while ingesting {stopped.name}, so that file was taken back ({free} free now) "
                    f"and {kept}")
        raise DiskFull(f"the disk holding {settings.home_dir} {what}. Free some space and run the same command "
                       "again: files already in are skipped") from None
    finally:
        writer.close()
        try:
            index.persist()
        except OSError as exc:
            if not disk_full(exc):
                raise
    report.seconds = time.perf_counter() - started
    return report


def _record_aliases(index: CorpusIndex, aliases: dict[str, list[str]]) -> None:
    """List the other names a stored document's content was given (it is stored once, under its first name)."""
    for doc_id, names in aliases.items():
        record = index.document(doc_id)
        if record is None:  # its first name failed to ingest: nothing was stored under either
            continue
        known = [n for n in (record.also_named or "").split("; ") if n]
        record.also_named = "; ".join(dict.fromkeys(known + [n for n in names if n != record.source]))
        index.save_record(record)


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _why(path: Path, exc: Exception) -> str:
    if isinstance(exc, SendQAError):
        return str(exc).removeprefix(f"{path.name}: ")
    return f"could not be ingested ({exc.__class__.__name__}: {exc})"


def _complete(count: dict[str, int] | None) -> bool:
    return bool(count) and count["table"] > 0 and count["docstore"] == 1 \
        and count["lexical"] == count["table"] == count["chroma"]


def rebuild(index_settings, progress: bool = True) -> IngestReport:
    """Rebuild the vectors and the lexical index of every document from the texts the docstore holds.

    For an index whose Chroma folder was deleted or damaged: the original files are not needed.
    """
    started = time.perf_counter()
    index = CorpusIndex(index_settings, reset_vectors=True)
    documents = list(index.docstore.docs.values())
    if not documents:
        raise SendQAError(f"no stored documents in {index.dir} to rebuild from: run `sendqa ingest --rebuild PATH...` "
                          "with the original files")
    report = IngestReport()
    pipeline = _pipeline(index)
    records = {r.doc_id: r for r in index.documents()}
    size = 32
    try:
        for start in tqdm(range(0, len(documents), size), desc="Rebuilding", unit="batch", disable=not progress):
            group = documents[start:start + size]
            for document in group:
                index.lexical.delete_document(document.doc_id)
                index.docstore.delete_document(document.doc_id, raise_error=False)  # so the pipeline does not skip it
            for doc_id, n in _store_batch(index, pipeline, group).items():
                record = records.get(doc_id)
                if record is not None:
                    record.n_chunks = n
                    index.save_record(record)
                report.replaced.append(doc_id)
                report.chunks_added += n
    finally:
        index.persist()
    report.seconds = time.perf_counter() - started
    return report
