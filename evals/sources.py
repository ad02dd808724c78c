"""Where eval documents live: the bundled corpus and ../shared/reports (never copied into the project)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sendqa.settings import PROJECT_ROOT

CORPUS_DIR = PROJECT_ROOT / "corpus"


def shared_reports_dir() -> Path | None:
    """../shared/reports beside the checkout (or SENDQA_SHARED_REPORTS), if present."""
    candidates = [os.environ.get("SENDQA_SHARED_REPORTS", ""), str(PROJECT_ROOT.parent / "shared" / "reports")]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir() and any(Path(candidate).glob("*.pdf")):
            return Path(candidate)
    return None


def eval_files() -> list[Path]:
    files = sorted(p for p in CORPUS_DIR.iterdir() if p.suffix in (".txt", ".md", ".pdf", ".html"))
    reports = shared_reports_dir()
    if reports:
        files += sorted(reports.glob("*.pdf"))
    return files


@lru_cache(maxsize=1)
def canonical_texts() -> dict[str, tuple[str, str]]:
    """doc_id -> (source file name, canonical text) for every eval document, parsed without embedding."""
    from ingest.prepare import file_sha256, prepare

    out = {}
    for path in eval_files():
        document, record = prepare(path, sha256=file_sha256(path))
        out[record.doc_id] = (record.source, document.text)
    return out


@lru_cache(maxsize=1)
def statistics_texts() -> dict[str, tuple[str, str]]:
    """stat:TABLE -> (file name, citable text) for the bundled statistics tables (loaded into a temporary file)."""
    import tempfile

    from ingest.statistics import load_statistics
    from rag.statistics import STAT_PREFIX, Statistics

    with tempfile.TemporaryDirectory() as folder:
        stats = Statistics(Path(folder) / "statistics.sqlite")
        load_statistics(CORPUS_DIR / "data", stats.path)
        return {STAT_PREFIX + table: (source["file"], source["text"]) for table, source in stats.sources.items()}
