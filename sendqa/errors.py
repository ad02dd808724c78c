"""The one user-facing error type; its message always names the fix."""

from __future__ import annotations

import os


class SendQAError(Exception):
    """An error a user can act on. Converted to a clean message at the edges (CLI, UI)."""


def reraise_for_developers() -> bool:
    """Developers set SENDQA_DEBUG=1 to see full tracebacks instead of the friendly message."""
    return os.environ.get("SENDQA_DEBUG", "") not in ("", "0", "false")
