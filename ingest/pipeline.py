"""`sendqa ingest`: files and folders -> the corpus index, idempotently, one bad file never spoiling the batch."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from tqdm import tqdm

from ingest import PARSER_VERSION
from ingest.chunking import StructureNodeParser
from ingest.manifest import MANIFEST_NAME
from ingest.prepare import doc_id_for, file_sha256, prepare
from ingest.readers import SUPPORTED
from rag.index import CorpusIndex
from sendqa.errors import SendQAError


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)
    chunks_added: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged, "
                f"{len(self.skipped)} skipped; {self.chunks_added} chunks embedded in {self.seconds:.1f}s")


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand folders (recursively); unsupported or missing paths come back as skipped with a reason."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith(".") or child.name == MANIFEST_NAME:
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


def _pipeline(index: CorpusIndex) -> IngestionPipeline:
    return IngestionPipeline(
        transformations=[StructureNodeParser(max_chars=index.settings.ingest.chunk_chars), index.embed_model],
        vector_store=index.vector_store,
        docstore=index.docstore,
        docstore_strategy=DocstoreStrategy.UPSERTS,
    )


def _store_nodes(index: CorpusIndex, pipeline: IngestionPipeline, document) -> int:
    """Chunk, embed and write one document to Chroma, the docstore and the lexical index; its chunk count."""
    nodes = pipeline.run(documents=[document])
    index.lexical.replace_document(document.doc_id, nodes)
    return len(nodes)


def ingest_paths(paths: Iterable[Path], index: CorpusIndex, progress: bool = True) -> IngestReport:
    """Add files to the index: unchanged files are skipped, changed ones replace their old chunks.

    A file counts as unchanged only when its text, the chunking settings and the embedding model are the same and
    every store (table, lexical index, Chroma, docstore) holds all of its chunks; otherwise it is ingested again.
    """
    started = time.perf_counter()
    files, skipped = discover(paths)
    report = IngestReport(skipped=list(skipped))
    settings = index.settings
    pipeline = _pipeline(index)
    fingerprint = f"{settings.index_fingerprint()}:p{PARSER_VERSION}"
    counts = index.chunk_counts() if files else {}
    try:
        for path in tqdm(files, desc="Ingesting", unit="file", disable=not progress):
            try:
                if path.stat().st_size > settings.ingest.max_file_mb * 1024 * 1024:
                    raise SendQAError(f"{path.name}: larger than {settings.ingest.max_file_mb:g} MB; raise SENDQA_INGEST__MAX_FILE_MB to allow it")
                sha = file_sha256(path)
                existing = index.document(doc_id_for(path))
                if existing and existing.sha256 == f"{sha}:{fingerprint}" and _complete(counts.get(existing.doc_id)):
                    report.unchanged.append(path.name)
                    continue
                document, record = prepare(path, sha256=f"{sha}:{fingerprint}")
                if existing:
                    # Chunking settings may have changed with the same text: drop the old chunks explicitly.
                    index.delete(record.doc_id, persist=False)
                record.n_chunks = _store_nodes(index, pipeline, document)
                index.save_record(record)
            except SendQAError as exc:
                report.skipped.append((path.name, str(exc).removeprefix(f"{path.name}: ")))
                continue
            except Exception as exc:  # an unexpected parser failure still must not stop the batch
                report.skipped.append((path.name, f"could not be ingested ({exc.__class__.__name__}: {exc})"))
                continue
            report.chunks_added += record.n_chunks
            (report.replaced if existing else report.added).append(path.name)
    finally:
        index.persist()  # the docstore is written once per batch (and on the way out of a failure)
    report.seconds = time.perf_counter() - started
    return report


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
    try:
        for document in tqdm(documents, desc="Rebuilding", unit="doc", disable=not progress):
            index.lexical.delete_document(document.doc_id)
            index.docstore.delete_document(document.doc_id, raise_error=False)  # so the pipeline does not skip it
            n = _store_nodes(index, pipeline, document)
            record = records.get(document.doc_id)
            if record is not None:
                record.n_chunks = n
                index.save_record(record)
            report.replaced.append(document.doc_id)
            report.chunks_added += n
    finally:
        index.persist()
    report.seconds = time.perf_counter() - started
    return report
