"""Who may change the index from the app, and where uploads are written.

On loopback (the default, one person's machine) the app is as it always was. On any other address, adding, removing
and fetching documents needs the admin token (`SENDQA_UI__ADMIN_TOKEN`); without one set, nobody can change the index
from the app, and everyone can still ask. Uploads are copied, under a safe name and within the size limit, into
`$SENDQA_HOME/uploads` before they are ingested.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import shutil
import unicodedata
from pathlib import Path

from sendqa.errors import SendQAError


def is_loopback(host: str | None) -> bool:
    """127.0.0.1, ::1 and localhost; 0.0.0.0 and any real address are reachable by others."""
    host = (host or "").strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AdminGate:
    """Decides whether a change to the index is allowed: always on loopback, with the admin token elsewhere."""

    def __init__(self, host: str | None, token: str | None):
        self.required = not is_loopback(host)
        self._token = token or ""

    @property
    def enabled(self) -> bool:
        """Whether the index can be changed from the app at all."""
        return not self.required or bool(self._token)

    def allows(self, given: str | None) -> bool:
        if not self.required:
            return True
        # compare_digest: the time taken says nothing about how much of a guess was right
        return bool(self._token) and hmac.compare_digest((given or "").encode(), self._token.encode())

    def check(self, given: str | None) -> None:
        if not self.enabled:
            raise SendQAError("Adding and removing documents is off on this server: its administrator can set "
                              "SENDQA_UI__ADMIN_TOKEN to allow it.")
        if not self.allows(given):
            raise SendQAError("Adding, removing and fetching documents needs the admin token.")

    def note(self) -> str:
        if not self.required:
            return ""
        if not self._token:
            return "This server lets everyone ask; adding and removing documents is off (no admin token is set)."
        return "Adding, removing and fetching documents needs the admin token."


def safe_name(name: str) -> str:
    """A file name that stays where it is put: its last part only, no `..`, no control or path characters, kept
    readable (spaces and letters in any script stay)."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[<>:\"|?*]", "_", base).strip(" .")
    return base[:160] or "upload"


def store_upload(path: Path, original_name: str | None, home: Path, max_mb: float) -> Path:
    """Copy one upload into `home/uploads` under its safe name; over `max_mb` it is refused, naming the file."""
    name = safe_name(original_name or path.name)
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise SendQAError(f"{name}: larger than {max_mb:g} MB; the administrator can raise SENDQA_INGEST__MAX_FILE_MB")
    folder = (home / "uploads").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / name).resolve()
    if target.parent != folder:  # cannot happen after safe_name; checked because it must never happen
        raise SendQAError(f"{name}: not a plain file name")
    shutil.copyfile(path, target)
    return target
