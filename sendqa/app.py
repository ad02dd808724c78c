"""Open the QA service for a settings object, indexing the bundled corpus on first run."""

from __future__ import annotations

import sys

from sendqa.errors import SendQAError
from sendqa.settings import Settings


def open_index(settings: Settings):
    """The corpus index; an empty one is filled from corpus/ first (unless disabled)."""
    from rag.index import CorpusIndex

    index = CorpusIndex(settings)
    if not index.documents() and settings.auto_ingest_corpus:
        from ingest.pipeline import ingest_paths

        if not settings.corpus_dir.is_dir():
            raise SendQAError(f"no index in {settings.home_dir} and no bundled corpus at {settings.corpus_dir}: "
                              "run `sendqa ingest PATH`")
        print(f"First run: indexing the bundled corpus ({settings.corpus_dir}) into {settings.home_dir} ...",
              file=sys.stderr)
        report = ingest_paths([settings.corpus_dir], index, progress=sys.stderr.isatty())
        print(report.summary(), file=sys.stderr)
    if index.is_empty():
        if index.documents():
            raise SendQAError(f"the vector index in {settings.home_dir} is empty but {len(index.documents())} documents "
                              "are recorded (was the chroma folder deleted?): run `sendqa ingest --rebuild`")
        raise SendQAError(f"no documents indexed in {settings.home_dir}: run `sendqa ingest PATH`")
    listed = sum(d.n_chunks for d in index.documents())
    # More chunks than listed is what an ingest that did not finish leaves (never shown; `sendqa doctor` names
    # them); fewer means a listed document cannot be found.
    if min(index.lexical.count(), index.count_chunks()) < listed:
        raise SendQAError(f"the index in {settings.home_dir} is inconsistent (Chroma holds {index.count_chunks()} chunks, "
                          f"the lexical index {index.lexical.count()}): run `sendqa doctor`, then `sendqa ingest --rebuild`")
    return index


def open_qa(settings: Settings):
    from rag.qa import QA

    return QA(settings, index=open_index(settings))
