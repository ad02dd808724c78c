"""A larger corpus for `sendqa bench --scale N`: every eval document copied N-1 times under invented area names,
its sections shuffled, so the index grows the way a real one does (more areas, same kinds of text).

The copies are written to a temporary folder and never into the project (they derive from ../shared/reports).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

_SECTION_BREAK = re.compile(r"\n(?=[A-Z][^\n]{3,80}\n)")


def replicate(texts: dict[str, tuple[str, str]], records: dict[str, dict], copies: int, folder: Path,
              seed: int = 7, first: int = 1) -> int:
    """Write `copies` perturbed copies of each document as .txt files with a manifest, numbered from `first` (so
    copies made for a later size never reuse an earlier copy's id); returns files written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = []
    for k in range(first, first + copies):
        for doc_id, (_, text) in texts.items():
            record = records[doc_id]
            area = record.get("area") or "Area"
            invented = f"{area} Copy {k}"
            body = text.replace(area, invented) if area else text
            sections = _SECTION_BREAK.split(body)
            head, rest = sections[:1], sections[1:]
            rng.shuffle(rest)
            name = f"{doc_id}-copy-{k}.txt"
            (folder / name).write_text("\n".join(head + rest), encoding="utf-8")
            manifest.append({"file": name, "id": f"{doc_id}-copy-{k}", "area": invented,
                             "kind": record.get("kind"), "speaker": record.get("speaker"),
                             "date": record.get("date"), "language": record.get("language"),
                             "title": f"{record.get('title') or doc_id} (copy {k})"})
    (folder / "manifest.json").write_text(json.dumps({"documents": manifest}, indent=1), encoding="utf-8")
    return len(manifest)
