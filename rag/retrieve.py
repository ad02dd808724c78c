"""Stage 2, retrieve: dense (Chroma via llama-index) + BM25 (SQLite FTS5), fused by reciprocal rank, under filters."""

from __future__ import annotations

from dataclasses import dataclass, replace

from llama_index.core import VectorStoreIndex
from llama_index.core.schema import NodeWithScore, TextNode
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

from rag.index import CorpusIndex
from sendqa.errors import SendQAError
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
    exclude_kinds: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, kind: str | None = None, speaker: str | None = None, since: str | None = None,
                     until: str | None = None) -> "Filters":
        """Filters as a user gives them (the CLI's options, the app's fields); dates as YYYY[-MM[-DD]]."""
        return cls(kinds=(kind,) if kind else (), speakers=(speaker,) if speaker else (),
                   date_from=date_int(since), date_to=date_int(until))

    def metadata_filters(self) -> MetadataFilters | None:
        items: list[MetadataFilter] = []
        for key, values in (("area", self.areas), ("kind", self.kinds), ("speaker", self.speakers), ("language", self.languages)):
            if values:
                items.append(MetadataFilter(key=key, value=list(values), operator=FilterOperator.IN))
        if self.exclude_kinds:
            items.append(MetadataFilter(key="kind", value=list(self.exclude_kinds), operator=FilterOperator.NIN))
        if self.date_from:
            items.append(MetadataFilter(key="date_int", value=self.date_from, operator=FilterOperator.GTE))
        if self.date_to:
            items.append(MetadataFilter(key="date_int", value=self.date_to, operator=FilterOperator.LTE))
        return MetadataFilters(filters=items) if items else None

    def sql(self, alias: str = "c") -> tuple[str, tuple]:
        """The same restrictions as an SQL condition on the lexical index's chunk rows (table alias `alias`)."""
        p = f"{alias}." if alias else ""
        clauses: list[str] = []
        params: list = []
        for column, values in (("area", self.areas), ("kind", self.kinds), ("speaker", self.speakers),
                               ("language", self.languages)):
            if values:
                clauses.append(f"{p}{column} IN ({', '.join('?' * len(values))})")
                params += list(values)
        if self.exclude_kinds:
            clauses.append(f"{p}kind NOT IN ({', '.join('?' * len(self.exclude_kinds))})")
            params += list(self.exclude_kinds)
        if self.date_from:
            clauses.append(f"{p}date_int >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"{p}date_int <= ?")
            params.append(self.date_to)
        return " AND ".join(clauses), tuple(params)


def date_int(value: str | None) -> int:
    """'2024', '2024-05' or '2024-05-07' -> 20240101, 20240501, 20240507 (0 for none)."""
    if not value:
        return 0
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) not in (4, 6, 8):
        raise SendQAError(f"date '{value}' not understood: use YYYY, YYYY-MM or YYYY-MM-DD")
    return int((digits + "0101")[:8])


@dataclass
class HybridRetriever:
    """Dense (Chroma) and lexical (SQLite FTS5) candidates fused by reciprocal rank; nothing held per filter set."""

    index: CorpusIndex

    def __post_init__(self) -> None:
        from ingest.chunking import StructureNodeParser

        # (index generation, every chunk and its vector, or None when the index is too big): see _exact_everywhere
        self._everything: tuple[int, tuple[list[TextNode], object] | None] | None = None
        # Our own chunker as the index's transformation: llama-index's default loads a tiktoken vocabulary (0.3 s).
        self._vectors = VectorStoreIndex.from_vector_store(
            self.index.vector_store, embed_model=self.index.embed_model,
            transformations=[StructureNodeParser(max_chars=self.index.settings.ingest.chunk_chars)])

    def chunks(self, filters: Filters, limit: int) -> list[Evidence]:
        """Every chunk that passes the filters (in document order), up to limit per document."""
        where, params = filters.sql(alias="")
        return _unscored(self.index.lexical.nodes(where, params, limit_per_doc=limit))

    def all_chunks(self, filters: Filters, at_most: int) -> list[Evidence]:
        """Every chunk that passes the filters (in document order), or none when there are more than at_most."""
        where, params = filters.sql(alias="")
        nodes = self.index.lexical.nodes(where, params, limit=at_most + 1)
        return _unscored(nodes) if len(nodes) <= at_most else []

    def retrieve(self, query: str, filters: Filters = Filters(), top_k: int | None = None) -> list[Evidence]:
        """The top chunks for a query, best first, as Evidence."""
        settings = self.index.settings.retrieval
        # A filter that only excludes a few chunks (the glossary) is applied to the ranked lists: both searches run
        # unfiltered (milliseconds) and fetch that many more, which is exact and far cheaper than filtering.
        only_excludes = bool(filters.exclude_kinds) and filters == Filters(exclude_kinds=filters.exclude_kinds)
        extra = self._excluded(filters) if only_excludes else 0
        dense = self._dense(query, filters, settings.dense_top_k, extra)
        lexical = [NodeWithScore(node=node, score=score)
                   for node, score in self._lexical(query, filters, settings.bm25_top_k, extra)]
        if only_excludes:
            dense, lexical = (_without(hits, filters.exclude_kinds)[:k]
                              for hits, k in ((dense, settings.dense_top_k), (lexical, settings.bm25_top_k)))
        if not lexical and not dense:
            return []
        return [to_evidence(hit) for hit in reciprocal_rank_fusion([dense, lexical], top_k or settings.top_k)]

    def _lexical(self, query: str, filters: Filters, k: int, extra: int) -> list[tuple[TextNode, float]]:
        """BM25 candidates (ranking before joining, when only exclusions apply, is faster on a large index)."""
        if filters == Filters(exclude_kinds=filters.exclude_kinds):  # nothing but exclusions: the caller drops them
            return self.index.lexical.search(query, top_k=k + extra)
        where, params = filters.sql()
        return self.index.lexical.search(query, where, params, top_k=k, areas=filters.areas)

    def _excluded(self, filters: Filters) -> int:
        marks = ", ".join("?" * len(filters.exclude_kinds))
        return self.index.lexical.count_where(f"kind IN ({marks})", filters.exclude_kinds)

    def _dense(self, query: str, filters: Filters, k: int, extra: int) -> list[NodeWithScore]:
        """Dense candidates. Chroma's filtered search scans every row's metadata (0.1 s at 90,000 chunks) while its
        unfiltered HNSW search takes milliseconds, so: a filter that leaves few chunks (an area) is applied in SQL
        and those chunks are scored exactly; one that only excludes a few is applied by the caller after an
        unfiltered search (k + extra); anything else goes to Chroma's filtered search."""
        exact_max = self.index.settings.retrieval.exact_dense_max
        including = replace(filters, exclude_kinds=())
        where, params = including.sql(alias="")
        if where:
            candidates = self.index.lexical.nodes(where, params, limit=exact_max + 1)
            if len(candidates) <= exact_max:
                return self._exact(query, [n for n in candidates if n.metadata.get("kind") not in filters.exclude_kinds], k)
            return self._vectors.as_retriever(similarity_top_k=k, filters=filters.metadata_filters()).retrieve(query)
        everywhere = self._exact_everywhere(query, k + extra, exact_max)
        if everywhere is not None:
            return everywhere
        return self._vectors.as_retriever(similarity_top_k=k + extra).retrieve(query)

    def _exact_everywhere(self, query: str, k: int, exact_max: int) -> list[NodeWithScore] | None:
        """An unfiltered search scored exactly when the index is small. Chroma's HNSW search is approximate and, on
        an index rebuilt at load, not even repeatable: the same question could miss a chunk in one process and find
        it in the next. The vectors are read once per index version and kept as one matrix."""
        generation = self.index.lexical.generation()
        if self._everything is None or self._everything[0] != generation:
            nodes = self.index.lexical.nodes(limit=exact_max + 1)
            if len(nodes) > exact_max:
                self._everything = (generation, None)
            else:
                known, matrix = self._vectors_of(nodes)
                if len(known) < len(nodes):  # a document mid-ingest (its vectors not yet written): not kept
                    return self._scored(query, known, matrix, k)
                self._everything = (generation, (known, matrix))
        kept = self._everything[1]
        return None if kept is None else self._scored(query, *kept, k)

    def _exact(self, query: str, nodes: list[TextNode], k: int) -> list[NodeWithScore]:
        """Cosine similarity of the query to each of these chunks' stored vectors (exact, no index)."""
        return self._scored(query, *self._vectors_of(nodes), k)

    def _vectors_of(self, nodes: list[TextNode]):
        """The nodes Chroma holds a vector for, and those vectors as one matrix."""
        import numpy as np

        got = self.index.collection.get(ids=[n.node_id for n in nodes], include=["embeddings"]) if nodes else {}
        vectors = dict(zip(got.get("ids", []), got.get("embeddings", [])))
        known = [n for n in nodes if n.node_id in vectors]
        if not known:
            return [], np.zeros((0, 0), dtype=np.float32)
        return known, np.asarray([vectors[n.node_id] for n in known], dtype=np.float32)

    def _scored(self, query: str, known: list[TextNode], matrix, k: int) -> list[NodeWithScore]:
        import numpy as np

        if not known:
            return []
        query_vector = np.asarray(self.index.embed_model.get_query_embedding(query), dtype=np.float32)
        scores = matrix @ query_vector
        best = np.argsort(-scores, kind="stable")[:k]
        return [NodeWithScore(node=known[i], score=float(scores[i])) for i in best]


def _unscored(nodes: list[TextNode]) -> list[Evidence]:
    return [to_evidence(NodeWithScore(node=node, score=0.0)) for node in nodes]


def _without(hits: list[NodeWithScore], kinds: tuple[str, ...]) -> list[NodeWithScore]:
    return [h for h in hits if h.node.metadata.get("kind") not in kinds]


def reciprocal_rank_fusion(rankings: list[list[NodeWithScore]], top_k: int, k: float = 60.0) -> list[NodeWithScore]:
    """Fuse ranked lists by chunk id (the paper's k=60); llama-index's fusion keys on content hashes instead, which
    differ between a chunk read from Chroma and the same chunk read from SQLite."""
    scores: dict[str, float] = {}
    first: dict[str, NodeWithScore] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking):
            scores[hit.node.node_id] = scores.get(hit.node.node_id, 0.0) + 1.0 / (k + rank + 1)
            first.setdefault(hit.node.node_id, hit)
    best = sorted(scores, key=scores.__getitem__, reverse=True)[:top_k]
    return [NodeWithScore(node=first[cid].node, score=scores[cid]) for cid in best]


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
        if group and area_mode == "filter":  # after the hits, so their rank still counts
            evidence += retriever.all_chunks(scoped, retriever.index.settings.retrieval.whole_area_chunks)
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
