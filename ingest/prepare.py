"""One file -> a llama-index Document carrying our canonical text, layout and document facts."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from llama_index.core.schema import Document

from ingest.blocks import assemble
from ingest.chunking import EMBED_KEYS, LAYOUT_KEY, dump_layout
from ingest.facts import extract_facts
from ingest.manifest import manifest_entry
from ingest.readers import read_blocks
from sendqa.types import DocumentRecord

_ITALIAN = re.compile(r"\b(?:il|della|che|sono|nel|per|dei|gli|delle|una)\b")
_ENGLISH = re.compile(r"\b(?:the|and|of|that|with|for|are|have)\b")


def doc_id_for(path: Path) -> str:
    """Stable id from the file name, so a changed file replaces its earlier version."""
    entry = manifest_entry(path)
    if entry.get("id"):
        return str(entry["id"])
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:120] or "document"


def _area_named_in(head: str) -> str | None:
    """The one local area a document's opening names (a council statement or article with no manifest entry)."""
    from rag.areas import find_areas

    named = find_areas(head, [], fuzzy=False)  # a document spells its places: "Wessex" is no typo of Essex
    places = list(dict.fromkeys(named.unknown))
    return places[0] if len(places) == 1 else None


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare(path: Path, sha256: str) -> tuple[Document, DocumentRecord]:
    """Read, lay out and describe a file. Raises SendQAError (naming the file) on bad input."""
    blocks = read_blocks(path)
    text, spans = assemble(blocks)
    facts = extract_facts(text, path.name)
    entry = manifest_entry(path)
    doc_id = doc_id_for(path)
    area = entry.get("area") or facts.area or _area_named_in(text[:600])
    kind = entry.get("kind") or facts.kind or "other"
    if kind == "inspection report" and facts.area:
        default_title = f"Area SEND inspection of {facts.area} Local Area Partnership"
    else:
        default_title = next((b.text for b in blocks if b.text.strip()), path.stem)[:200]
    record = DocumentRecord(
        doc_id=doc_id,
        source=path.name,
        title=entry.get("title") or default_title,
        area=area,
        kind=kind,
        speaker=entry.get("speaker") or facts.speaker or "unknown",
        date=entry.get("date") or facts.date,
        language=entry.get("language") or _guess_language(text),
        inspection_dates=facts.inspection_dates,
        previous_inspection=facts.previous_inspection,
        outcome=entry.get("outcome") or facts.outcome,
        outcome_sentence=facts.outcome_sentence,
        wsoa_required=facts.wsoa_required,
        sha256=sha256,
        n_chars=len(text),
        source_url=entry.get("source_url"),
        fetched_at=entry.get("fetched_at"),
        etag=entry.get("etag"),
        last_modified=entry.get("last_modified"),
    )
    metadata = {
        "doc_id": doc_id,
        "source": record.source,
        "title": record.title,
        "area": record.area or "",
        "kind": record.kind,
        "speaker": record.speaker,
        "date": record.date or "",
        "date_int": _date_int(record.date),
        "language": record.language,
        LAYOUT_KEY: dump_layout(spans),
    }
    document = Document(
        id_=doc_id,
        text=text,
        metadata=metadata,
        excluded_embed_metadata_keys=[k for k in metadata if k not in EMBED_KEYS],
        excluded_llm_metadata_keys=[k for k in metadata if k not in EMBED_KEYS],
    )
    return document, record


def _date_int(date: str | None) -> int:
    """yyyymmdd as an int (Chroma range filters need numbers); 0 when unknown."""
    if not date:
        return 0
    digits = re.sub(r"\D", "", date)
    return int((digits + "0101")[:8]) if len(digits) >= 4 else 0


def _guess_language(text: str) -> str:
    sample = text[:5000].lower()
    return "it" if len(_ITALIAN.findall(sample)) > len(_ENGLISH.findall(sample)) else "en"
