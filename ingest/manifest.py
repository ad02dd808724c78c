"""Optional manifest.json beside ingested files: metadata a file cannot tell about itself."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from sendqa.errors import SendQAError

MANIFEST_NAME = "manifest.json"


@lru_cache(maxsize=64)
def _load(folder: Path, mtime: float) -> dict[str, dict]:
    path = folder / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SendQAError(f"{path}: invalid manifest ({exc}); fix or remove it") from None
    entries = data.get("documents", data) if isinstance(data, dict) else data
    return {entry["file"]: entry for entry in entries if isinstance(entry, dict) and "file" in entry}


def manifest_entry(path: Path) -> dict:
    """The manifest entry for a file, or {} when its folder has no manifest or the file is not listed."""
    manifest = path.parent / MANIFEST_NAME
    if not manifest.exists():
        return {}
    return dict(_load(path.parent.resolve(), manifest.stat().st_mtime).get(path.name, {}))
