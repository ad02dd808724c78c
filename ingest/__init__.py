"""Turn files into structured, chunked, embedded documents in the corpus index."""

# Bump when reading or chunking changes the canonical text or chunks: every file is then re-ingested.
PARSER_VERSION = "4"  # 4: a stray bullet marker inside a list item no longer splits it
