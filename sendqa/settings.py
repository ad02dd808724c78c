"""One settings tree for every part of sendqa, loaded once and passed down (env prefix SENDQA_)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def bundled_corpus() -> Path:
    """The checkout's corpus/, or, installed from a wheel, the copy it put in <prefix>/share/sendqa/corpus."""
    import sys

    checkout = PROJECT_ROOT / "corpus"
    installed = Path(sys.prefix) / "share" / "sendqa" / "corpus"
    return checkout if checkout.is_dir() or not installed.is_dir() else installed


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IngestSettings(_Group):
    chunk_chars: int = Field(1400, description="Upper bound on a chunk's length in characters.")
    max_file_mb: float = Field(60.0, description="Files larger than this are skipped as suspicious.")
    batch_chunks: int = Field(384, description="About how many chunks are embedded and written per batch (speed only).")
    parse_workers: int = Field(1, description="Processes parsing files ahead of embedding; 0 parses in-process (speed only).")

    # Settings that change how fast ingest runs, never what it stores: they stay out of the index fingerprint.
    SPEED_ONLY: ClassVar[frozenset[str]] = frozenset({"batch_chunks", "parse_workers"})


class RetrievalSettings(_Group):
    embedding: str = Field("use-multilingual", description="Embedding backend id (see rag.embeddings.EMBEDDINGS).")
    dense_top_k: int = Field(24, description="Candidates taken from the dense (Chroma) retriever.")
    bm25_top_k: int = Field(24, description="Candidates taken from the BM25 retriever.")
    top_k: int = Field(10, description="Chunks kept after reciprocal rank fusion.")
    exact_dense_max: int = Field(3000, description="A filter leaving at most this many chunks, or an index this "
                                                   "small, is scored exactly (vectors fetched by id) instead of by "
                                                   "Chroma's approximate search.")
    whole_area_chunks: int = Field(
        80, description="A named area holding at most this many chunks has every sentence scored, not only the top "
                        "chunks': a short report's one sentence on a subject is found however its chunk ranks.")
    area_mode: Literal["filter", "boost"] = Field(
        "filter", description="What to do with an area named in the question: restrict to it, or only boost it."
    )


class LLMSettings(_Group):
    """An OpenAI-compatible server (Ollama, vLLM, llama.cpp server, hosted APIs) for the `openai` backend."""

    base_url: str | None = Field(None, description="Endpoint such as http://127.0.0.1:11434/v1; else $OPENAI_BASE_URL.")
    model: str | None = Field(None, description="Model name the server knows; else $OPENAI_MODEL.")
    api_key: str | None = Field(None, description="Key, if the server wants one; else $OPENAI_API_KEY.")
    timeout_s: float = Field(60.0, description="Seconds to wait for the server before falling back to extractive.")
    mode: Literal["rewrite", "free"] = Field(
        "rewrite", description="rewrite: the model only rephrases the selected quotes; free: it writes from passages."
    )
    max_tokens: int = Field(400, description="Most tokens the model may write for one answer.")
    temperature: float = Field(0.0, description="Sampling temperature (0 for repeatable answers).")
    free_passages: int = Field(8, description="Passages a free-writing model is given.")
    max_rewrites: int = Field(6, description="Selected quotes a rewriting model rephrases; the rest are shown verbatim.")
    plain_enough: float = Field(
        60.0, description="Flesch reading ease at or above which a quote is shown as it is, not rewritten (plain English "
                          "already; a rewrite would only add to the wait). Points kept for 'show more' are not rewritten.")
    rewrite_budget_s: float = Field(
        4.0, description="Seconds a rewriting model may take over one answer: a rewrite is started only while the "
                         "rewrites so far say it will end within them; the quotes after are shown as they are (a quote "
                         "in another language is translated whatever the budget). 0: no budget.")
    parallel: int = Field(4, description="Requests the server generates at once (its parallel slots); more wait.")
    queue_timeout_s: float = Field(
        120.0, description="Seconds an answer waits for a free slot before it is shown as report passages instead."
    )


class LocalLLMSettings(_Group):
    """The `local` backend: llama.cpp's OpenAI-compatible server running a GGUF that ships in a PyPI package."""

    # 0.5B over 1.5B on 20 test items (2026-12-01): key-fact recall 0.686 vs 0.657, 87% vs 58% of sentences verified,
    # first sentence 1.5 s vs 2.3 s on 2 cores; the 1.5B reads a little easier (45.0 vs 42.9). README, "LLM backends".
    model: str = Field("qwen2.5-coder-0.5b", description="Packaged model id (see rag.backends.models).")
    models_dir: Path | None = Field(None, description="Where joined GGUF files are kept; default HOME/models.")
    threads: int = Field(0, description="CPU threads for llama.cpp; 0 means every core.")
    context: int = Field(4096, description="Context window in tokens.")
    # llama-cpp-python's server generates one reply at a time: a second request would wait behind its lock.
    parallel: int = Field(1, description="Requests the local server generates at once (its parallel slots); more wait.")
    start_timeout_s: float = Field(180.0, description="Seconds to wait for the server to load the model.")


class VerifySettings(_Group):
    """Thresholds of the verifier, tuned on evals/verifier/pairs.jsonl (tune split)."""

    min_similarity: float = Field(0.44, description="Least embedding similarity between a sentence and its passages.")
    min_coverage: float = Field(0.40, description="Least share of a sentence's content words found in its passages.")
    check_negation: bool = Field(True, description="Reject a sentence whose negation differs from its passages'.")


class AnswerSettings(_Group):
    backend: str = Field("extractive", description="Answer backend id: extractive, local or openai.")
    max_sentences: int = Field(6, description="Most sentences an extractive answer may contain.")
    max_points: int = Field(5, description="Key points shown after the direct answer; the rest wait for 'show more' "
                                           "(`sendqa ask --all`). 0 shows all.")
    min_sentence_score: float = Field(
        0.30, description="A sentence scoring below this (0-1 relevance) is never used as evidence."
    )
    max_question_chars: int = Field(1000, description="Longer questions are refused with a clear message.")
    llm: LLMSettings = Field(default_factory=LLMSettings)
    local: LocalLLMSettings = Field(default_factory=LocalLLMSettings)
    verify: VerifySettings = Field(default_factory=VerifySettings)


class UISettings(_Group):
    host: str = Field("127.0.0.1", description="Address the Gradio app listens on.")
    offline: bool = Field(False, description="No downloads from the app: its Get report buttons are off.")
    port: int = Field(7860, description="Port the Gradio app listens on.")
    concurrency: int = Field(
        16, description="Answers the app works on at once. Retrieval and extractive answers take a fraction of a "
                        "second; answers waiting for a language model slot hold a worker but no CPU."
    )
    admin_token: str | None = Field(None, description="On any address but loopback, adding, removing and fetching "
                                                      "documents in the app needs this token; unset, nobody can.")
    store_questions: bool = Field(True, description="Keep the question's text with feedback (false: feedback is "
                                                    "stored without what was typed).")


class FetchSettings(_Group):
    """`sendqa fetch`: downloads of the published reports from the links in the bundled table."""

    base_url: str = Field("https://files.ofsted.gov.uk", description="Scheme and host the report links are "
                                                                     "fetched from (a mirror, or a test server).")
    timeout_s: float = Field(30.0, description="Seconds to wait for a server to connect or send more data.")
    retries: int = Field(3, description="Further tries after a 429, a 5xx, a timeout or a dropped connection.")
    backoff_s: float = Field(2.0, description="Pause before the first retry; each further retry waits twice as long.")
    pause_s: float = Field(1.0, description="Pause between one request and the next, to be polite to the server.")


class Settings(BaseSettings):
    """Everything configurable. Environment: SENDQA_HOME, SENDQA_RETRIEVAL__EMBEDDING, ..."""

    model_config = SettingsConfigDict(env_prefix="SENDQA_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(Path("~/.sendqa"), description="Data directory: Chroma index, document table, feedback.")
    models_cache: Path | None = Field(
        None, description="Where the question models fitted from the packaged examples (intent router, answer slots) "
                          "are kept; empty means home/cache. Homes may share one: a fit depends only on the packaged "
                          "examples, the embedding model and scikit-learn's version, never on the documents."
    )
    chroma_url: str | None = Field(
        None, description="http://host:port of a Chroma server; empty means an embedded PersistentClient in home."
    )
    corpus_dir: Path = Field(default_factory=lambda: bundled_corpus(), description="Bundled corpus indexed on first run.")
    auto_ingest_corpus: bool = Field(True, description="Index corpus_dir automatically when the index is empty.")
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ui: UISettings = Field(default_factory=UISettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser()

    @property
    def models_cache_dir(self) -> Path:
        return self.models_cache.expanduser() if self.models_cache else self.home_dir / "cache"

    def index_dir(self) -> Path:
        """Per-embedding index folder: vectors of different models never share a collection."""
        return self.home_dir / "indexes" / self.retrieval.embedding

    def fingerprint(self) -> str:
        """Hash of everything that changes answers; stamped on eval reports."""
        relevant = self.model_dump(mode="json", include={"ingest", "retrieval", "answer"})
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:12]

    def index_fingerprint(self) -> str:
        """Hash of what changes the stored chunks and vectors: answer settings never make ingest re-embed."""
        relevant = {"ingest": self.ingest.model_dump(mode="json", exclude=set(IngestSettings.SPEED_ONLY)),
                    "embedding": self.retrieval.embedding}
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:12]


def load_settings(value: Settings | dict[str, Any] | None = None) -> Settings:
    """Normalise a Settings, a dict (over the environment) or nothing (environment) into one Settings object."""
    if isinstance(value, Settings):
        return value
    return Settings(**(value or {}))
