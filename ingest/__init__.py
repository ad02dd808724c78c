"""Turn files into structured, chunked, embedded documents in the corpus index."""
