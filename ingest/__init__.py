"""Turn files into structured, chunked, embedded documents in the corpus index."""

# Bump when reading or chunking changes the canonical text or chunks: every file is then re-ingested.
PARSER_VERSION = "3"  # 3: one sentence splitter for chunking, rag and evals
