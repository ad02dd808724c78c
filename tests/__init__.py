"""sendqa's tests. A package, so `tests.conftest` is ours even where another distribution (textstat 0.7.8) installs
a top-level `tests` package."""
