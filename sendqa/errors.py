"""The one user-facing error type; its message always names the fix."""

from __future__ import annotations

import os


class SendQAError(Exception):
    """An error a user can act on. Converted to a clean message at the edges (CLI, UI)."""


def reraise_for_developers() -> bool:
    """Developers set SENDQA_DEBUG=1 to see full tracebacks instead of the friendly message."""
    return os.environ.get("SENDQA_DEBUG", "") not in ("", "0", "false")


class DiskFull(SendQAError):
    """The disk holding SENDQA_HOME filled up during a write (`needed` is None), or cannot hold what is about to be
    written (`needed`: the bytes it would take at least)."""

    def __init__(self, name: str, needed: int | None = None):
        super().__init__(name)
        self.name, self.needed = name, needed


def disk_full(exc: BaseException | None) -> bool:
    """Whether an exception (or one it was raised from) means the disk is full: an OSError's ENOSPC or EDQUOT, or
    SQLite's own message for it (the sqlite3 module gives no error code for it)."""
    import errno

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(exc) or "No space left on device" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
