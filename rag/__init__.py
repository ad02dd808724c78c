"""Retrieve evidence from the corpus index and answer with citations."""
