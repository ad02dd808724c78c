"""Structure-aware chunking: sections never mix, bullet lists stay whole with their lead-in where they fit."""

from __future__ import annotations

import json
from typing import Any, Sequence

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, Document, NodeRelationship, TextNode
from pydantic import Field

from ingest.blocks import Span
from sendqa.sentences import sentence_spans
from sendqa.types import Chunk

LAYOUT_KEY = "layout"  # Document metadata key holding the block spans; stripped from chunks


def _units(spans: list[Span]) -> list[list[Span]]:
    """Group blocks that belong together: a lead-in ending in ':' with its bullets, runs of bullets."""
    units: list[list[Span]] = []
    for span in spans:
        if span.kind == "heading":
            units.append([span])
            continue
        if span.kind == "bullet" and units and units[-1][-1].kind != "heading":
            last = units[-1][-1]
            if last.kind == "bullet" or last.section == span.section:
                units[-1].append(span)
                continue
        units.append([span])
    return units


def chunk_document(doc_id: str, text: str, spans: list[Span], max_chars: int) -> list[Chunk]:
    """Cut the document along its blocks into chunks of at most max_chars (longer blocks split at sentences)."""
    chunks: list[Chunk] = []
    open_start: int | None = None
    open_end = 0
    open_page: int | None = None
    open_section: str | None = None

    def close() -> None:
        nonlocal open_start
        if open_start is not None and text[open_start:open_end].strip():
            chunks.append(Chunk(doc_id=doc_id, text=text[open_start:open_end], start=open_start, end=open_end,
                                page=open_page, section=open_section))
        open_start = None

    for unit in _units(spans):
        if unit[0].kind == "heading":
            close()
            continue
        start, end, page, section = unit[0].start, unit[-1].end, unit[0].page, unit[0].section
        if open_start is not None and (section != open_section or end - open_start > max_chars):
            close()
        if end - start > max_chars:
            close()
            for piece_start, piece_end in _split_long(text, start, end, max_chars):
                chunks.append(Chunk(doc_id=doc_id, text=text[piece_start:piece_end], start=piece_start, end=piece_end,
                                    page=_page_at(spans, piece_start), section=section))
            continue
        if open_start is None:
            open_start, open_page, open_section = start, page, section
        open_end = end
    close()
    return chunks


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split an over-long block at sentence or bullet boundaries."""
    cuts = [start] + [start + s for s, _ in sentence_spans(text[start:end], min_chars=1)] + [end]
    cuts += [start + i + 1 for i, ch in enumerate(text[start:end]) if ch == "\n"]
    cuts = sorted(set(cuts))
    pieces: list[tuple[int, int]] = []
    piece_start = start
    last_cut = start
    for cut in cuts[1:]:
        if cut - piece_start > max_chars and last_cut > piece_start:
            pieces.append((piece_start, last_cut))
            piece_start = last_cut
        last_cut = cut
    pieces.append((piece_start, end))
    return [(s, e) for s, e in ((s, _rstrip_pos(text, s, e)) for s, e in pieces) if e > s]


def _rstrip_pos(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _page_at(spans: list[Span], pos: int) -> int | None:
    page = None
    for span in spans:
        if span.start > pos:
            break
        page = span.page
    return page


def dump_layout(spans: list[Span]) -> str:
    return json.dumps([[s.kind, s.start, s.end, s.page, s.section] for s in spans])


def load_layout(raw: str) -> list[Span]:
    return [Span(*row) for row in json.loads(raw)]


class StructureNodeParser(NodeParser):
    """llama-index node parser over our block layout; each node's text is an exact slice of the document."""

    max_chars: int = Field(default=1400)
    include_metadata: bool = Field(default=False)  # we set chunk metadata ourselves, minus the layout

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for document in nodes:
            assert isinstance(document, Document)
            meta = {k: v for k, v in document.metadata.items() if k != LAYOUT_KEY}
            spans = load_layout(document.metadata[LAYOUT_KEY])
            text = document.text
            source = document.as_related_node_info()
            for i, chunk in enumerate(chunk_document(document.doc_id, text, spans, self.max_chars)):
                node_meta = dict(meta, page=chunk.page if chunk.page is not None else 0,
                                 section=chunk.section or "", start=chunk.start, end=chunk.end, chunk_index=i)
                out.append(
                    TextNode(
                        id_=f"{document.doc_id}::{i}",
                        text=chunk.text,
                        metadata=node_meta,
                        excluded_embed_metadata_keys=[k for k in node_meta if k not in EMBED_KEYS],
                        excluded_llm_metadata_keys=[k for k in node_meta if k not in EMBED_KEYS],
                        relationships={NodeRelationship.SOURCE: source},
                    )
                )
        return out


# Context that helps both dense and BM25 retrieval find the right area's chunk ("the partnership" rarely names it).
EMBED_KEYS = ("area", "title", "section")
