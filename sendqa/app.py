"""Open the QA service for a settings object, indexing the bundled corpus on first run."""

from __future__ import annotations

import sys

from sendqa.errors import SendQAError
from sendqa.settings import Settings


def open_index(settings: Settings):
    """The corpus index; an empty one is filled from corpus/ first (unless disabled)."""
    from rag.index import CorpusIndex

    index = CorpusIndex(settings)
    if index.is_empty() and settings.auto_ingest_corpus:
        from ingest.pipeline import ingest_paths

        if not settings.corpus_dir.is_dir():
            raise SendQAError(f"no index in {settings.home_dir} and no bundled corpus at {settings.corpus_dir}: "
                              "run `sendqa ingest PATH`")
        print(f"First run: indexing the bundled corpus ({settings.corpus_dir}) into {settings.home_dir} ...",
              file=sys.stderr)
        report = ingest_paths([settings.corpus_dir], index, progress=sys.stderr.isatty())
        print(report.summary(), file=sys.stderr)
    if index.is_empty():
        raise SendQAError(f"no documents indexed in {settings.home_dir}: run `sendqa ingest PATH`")
    return index


def open_qa(settings: Settings):
    from rag.qa import QA

    return QA(settings, index=open_index(settings))
