"""Hybrid retrieval: dense (Chroma via llama-index) + BM25, fused by reciprocal rank fusion, with metadata filters."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from llama_index.core import VectorStoreIndex
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
from llama_index.core.schema import NodeWithScore, TextNode
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters
from llama_index.retrievers.bm25 import BM25Retriever

from rag.index import CorpusIndex
from sendqa.types import Evidence


@dataclass(frozen=True)
class Filters:
    """Metadata restrictions; empty means no restriction."""

    areas: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    date_from: int = 0  # yyyymmdd
    date_to: int = 0

    def metadata_filters(self) -> MetadataFilters | None:
        items: list[MetadataFilter] = []
        for key, values in (("area", self.areas), ("kind", self.kinds), ("speaker", self.speakers), ("language", self.languages)):
            if values:
                items.append(MetadataFilter(key=key, value=list(values), operator=FilterOperator.IN))
        if self.date_from:
            items.append(MetadataFilter(key="date_int", value=self.date_from, operator=FilterOperator.GTE))
        if self.date_to:
            items.append(MetadataFilter(key="date_int", value=self.date_to, operator=FilterOperator.LTE))
        return MetadataFilters(filters=items) if items else None

    def accepts(self, meta: dict) -> bool:
        if self.areas and meta.get("area") not in self.areas:
            return False
        if self.kinds and meta.get("kind") not in self.kinds:
            return False
        if self.speakers and meta.get("speaker") not in self.speakers:
            return False
        if self.languages and meta.get("language") not in self.languages:
            return False
        date = int(meta.get("date_int") or 0)
        if self.date_from and date < self.date_from:
            return False
        return not (self.date_to and date > self.date_to)


@dataclass
class HybridRetriever:
    index: CorpusIndex
    _bm25: dict[Filters, BM25Retriever | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._vectors = VectorStoreIndex.from_vector_store(self.index.vector_store, embed_model=self.index.embed_model)

    def _bm25_for(self, filters: Filters) -> BM25Retriever | None:
        if filters not in self._bm25:
            nodes = [n for n in self.index.all_nodes() if filters.accepts(n.metadata)]
            settings = self.index.settings.retrieval
            self._bm25[filters] = (
                BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(settings.bm25_top_k, len(nodes)))
                if nodes else None
            )
        return self._bm25[filters]

    def chunks(self, filters: Filters, limit: int) -> list[Evidence]:
        """Every chunk that passes the filters (in document order), up to limit per document."""
        per_doc: dict[str, int] = {}
        out = []
        for node in self.index.all_nodes():
            if filters.accepts(node.metadata):
                doc = node.metadata.get("doc_id", "")
                per_doc[doc] = per_doc.get(doc, 0) + 1
                if per_doc[doc] <= limit:
                    out.append(to_evidence(NodeWithScore(node=node, score=0.0)))
        return out

    def retrieve(self, query: str, filters: Filters = Filters(), top_k: int | None = None) -> list[Evidence]:
        """The top chunks for a query, best first, as Evidence."""
        settings = self.index.settings.retrieval
        retrievers = [self._vectors.as_retriever(similarity_top_k=settings.dense_top_k, filters=filters.metadata_filters())]
        bm25 = self._bm25_for(filters)
        if bm25 is None:
            return []
        retrievers.append(bm25)
        fusion = QueryFusionRetriever(
            retrievers, mode=FUSION_MODES.RECIPROCAL_RANK, similarity_top_k=top_k or settings.top_k,
            num_queries=1, use_async=False, llm=MockLLM(),
        )
        return [to_evidence(hit) for hit in fusion.retrieve(query)]


def to_evidence(hit: NodeWithScore) -> Evidence:
    """Convert a llama-index hit into our Evidence type (the edge of rag/)."""
    node = hit.node
    assert isinstance(node, TextNode)
    meta = node.metadata
    return Evidence(
        chunk_id=node.node_id,
        doc_id=meta.get("doc_id") or node.ref_doc_id or "",
        text=node.text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        page=int(meta["page"]) if meta.get("page") else None,
        section=meta.get("section") or None,
        score=float(hit.score or 0.0),
        source=meta.get("source", ""),
        title=meta.get("title", ""),
        area=meta.get("area") or None,
        kind=meta.get("kind", "other"),
        speaker=meta.get("speaker", "unknown"),
        language=meta.get("language", "en"),
        date=meta.get("date") or None,
    )


def gather(plan, retriever: HybridRetriever, languages: list[str], area_mode: str = "filter") -> list[Evidence]:
    """Stage 2, retrieve: chunks for the plan, with an equal budget per named area and slots for other languages."""
    base = plan.filters
    areas = plan.areas
    evidence: list[Evidence] = []
    groups = [] if plan.from_table else [(a,) for a in areas] if len(areas) > 1 else [tuple(areas)]
    for group in groups:
        scoped = replace(base, areas=group) if area_mode == "filter" else base
        hits = retriever.retrieve(plan.query, scoped)
        if not hits and group:
            hits = retriever.retrieve(plan.query, base)  # the area filter found nothing: widen
        evidence += hits
        # English questions must still reach translated documents, whose chunks rank poorly across languages:
        # for a named area all their chunks are scored sentence by sentence; otherwise each language gets slots.
        for language in languages:
            if base.languages:
                continue
            if group:
                evidence += retriever.chunks(replace(scoped, languages=(language,)), limit=12)
            else:
                evidence += retriever.retrieve(plan.query, replace(scoped, languages=(language,)), top_k=4)
    return list({ev.chunk_id: ev for ev in evidence}.values())
