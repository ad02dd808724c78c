"""The eval set and the harness that scores sendqa (and a naive baseline) on it."""
