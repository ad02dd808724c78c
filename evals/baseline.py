"""The naive llama-index pipeline most tutorials build, scored by the same harness as an anchor.

VectorStoreIndex over the same documents (default SentenceSplitter), the same embedding model, top-k 2 and
CitationQueryEngine. Until a local LLM backend exists, the LLM slot holds NaiveExtractiveLLM: for each numbered
source it returns the sentence sharing most words with the query, cited as [n]; it never refuses.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from llama_index.core import Document, StorageContext, VectorStoreIndex, load_index_from_storage
from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.query_engine import CitationQueryEngine

from sendqa.types import Answer, Citation

_SOURCE = re.compile(r"Source (\d+):\n(.*?)(?=\nSource \d+:\n|\n------)", re.S)
_WORD = re.compile(r"[a-z0-9]+")
_DECLINED = re.compile(r"\b(don't know|do not know|no relevant information|not (?:mentioned|provided|stated|available)|"
                       r"cannot (?:answer|find|determine)|does not (?:say|mention|provide))\b", re.I)
_STOP = set("the a an and or of in to for is are was were what which how does do did in on with about by it its this that".split())


class NaiveExtractiveLLM(CustomLLM):
    """A stand-in LLM for the baseline: picks the best-overlapping sentence of each source."""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=32000, num_output=512, model_name="naive-extractive")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        body = prompt.rsplit("Below are several numbered sources of information:", 1)[-1]
        query = body.rsplit("Query:", 1)[-1].split("Answer:", 1)[0].strip()
        q_words = set(_WORD.findall(query.lower())) - _STOP
        parts = []
        for number, text in _SOURCE.findall(body):
            sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
            best = max(sentences, key=lambda s: len(q_words & set(_WORD.findall(s.lower()))), default="")
            if best and q_words & set(_WORD.findall(best.lower())):
                parts.append(f"{best} [{number}]")
        return CompletionResponse(text=" ".join(parts) or "No relevant information found.")

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        yield self.complete(prompt)


class NaiveBaseline:
    """Built once over canonical document texts (so quotes can be checked against the same text)."""

    backend_id = "naive-llamaindex"

    def __init__(self, texts: dict[str, tuple[str, str]], embed_model, persist_dir: Path, llm=None):
        self._sources = {doc_id: source for doc_id, (source, _) in texts.items()}
        if (persist_dir / "docstore.json").exists():
            index = load_index_from_storage(StorageContext.from_defaults(persist_dir=str(persist_dir)), embed_model=embed_model)
        else:
            documents = [Document(id_=doc_id, text=text, metadata={"source": source})
                         for doc_id, (source, text) in texts.items()]
            index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
            index.storage_context.persist(persist_dir=str(persist_dir))
        self.engine = CitationQueryEngine.from_args(index, similarity_top_k=2, llm=llm or NaiveExtractiveLLM())
        if llm is not None:
            self.backend_id = f"naive-llamaindex+{getattr(llm, 'model', 'llm')}"

    def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        response = self.engine.query(question)
        text = str(response)
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
        citations = []
        for n, hit in enumerate(response.source_nodes, 1):
            if n not in cited:
                continue
            quote = re.sub(r"^Source \d+:\n", "", hit.node.get_content()).strip()  # the engine appends a newline
            doc_id = hit.node.ref_doc_id or ""
            citations.append(Citation(n=n, doc_id=doc_id, source=self._sources.get(doc_id, ""), title=doc_id,
                                      area=None, page=None, section=None, quote=quote))
        declined = bool(_DECLINED.search(text)) and not citations
        return Answer(question=question, answer=text, abstained=declined, citations=citations, backend=self.backend_id,
                      timings_ms={"total": round((time.perf_counter() - started) * 1000, 1)},
                      retrieved_doc_ids=list(dict.fromkeys(h.node.ref_doc_id or "" for h in response.source_nodes)))


def main(argv: list[str]) -> None:
    """`python -m evals.baseline PERSIST_DIR QUESTION`: the baseline's first answer in a new process (for bench)."""
    from rag.embeddings import get_embedding
    from sendqa.settings import load_settings

    persist_dir, question = Path(argv[0]), argv[1]
    baseline = NaiveBaseline({}, get_embedding(load_settings().retrieval.embedding), persist_dir)
    print(baseline.ask(question).answer)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
