"""Check the verifier pairs: schema, splits, and every passage an exact substring of its document's canonical text.

    python -m evals.verifier.check_pairs        # exit 1 on any problem

pairs.jsonl holds (claim, cited passages) pairs labelled "supported" or "unsupported", used to tune
(split "tune") and test (split "holdout") the answer verifier. Passages are short quotes (at most 400
characters) of the canonical text that `python -m evals.dump_text FILE` prints.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

PAIRS_PATH = Path(__file__).with_name("pairs.jsonl")

LABELS = ("supported", "unsupported")
SUPPORTED_PERTURBATIONS = ("paraphrase", "partial", "copy")
UNSUPPORTED_PERTURBATIONS = (
    "swapped-number",
    "wrong-area",
    "negation",
    "outcome-changed",
    "invented-service",
    "invented-fact",
    "wrong-speaker",
    "wrong-actor",
    "modality-changed",
)
PERTURBATIONS = SUPPORTED_PERTURBATIONS + UNSUPPORTED_PERTURBATIONS
SPLITS = ("tune", "holdout")
REQUIRED = ("id", "doc_id", "area", "passages", "claim", "label", "perturbation", "split")
OPTIONAL = ("doc_ids", "areas")
MAX_PASSAGE_CHARS = 400


def load_pairs(path: Path = PAIRS_PATH) -> list[dict]:
    """All pairs in file order; a line that is not a JSON object becomes {"_error": ...}."""
    rows: list[dict] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                row = {"_error": f"line {n}: not JSON ({exc})"}
            if not isinstance(row, dict):
                row = {"_error": f"line {n}: not a JSON object"}
            rows.append(row)
    return rows


def _nonempty_str(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def schema_problems(rows: list[dict]) -> list[str]:
    found: list[str] = []
    seen: set[str] = set()
    areas_by_doc: dict[str, set[str]] = {}
    for index, row in enumerate(rows):
        if "_error" in row:
            found.append(row["_error"])
            continue
        rid = row.get("id", f"#{index + 1}")
        for key in REQUIRED:
            if key not in row:
                found.append(f"{rid}: missing field {key!r}")
        for key in row:
            if key not in REQUIRED + OPTIONAL:
                found.append(f"{rid}: unknown field {key!r}")
        if not _nonempty_str(row.get("id")):
            found.append(f"{rid}: id must be a non-empty string")
        elif rid in seen:
            found.append(f"{rid}: duplicate id")
        seen.add(rid)
        for key in ("doc_id", "area", "claim"):
            if key in row and not _nonempty_str(row[key]):
                found.append(f"{rid}: {key} must be a non-empty string")
        label, perturbation, split = row.get("label"), row.get("perturbation"), row.get("split")
        if label not in LABELS:
            found.append(f"{rid}: label {label!r} not in {LABELS}")
        if perturbation not in PERTURBATIONS:
            found.append(f"{rid}: perturbation {perturbation!r} not in {PERTURBATIONS}")
        elif label == "supported" and perturbation not in SUPPORTED_PERTURBATIONS:
            found.append(f"{rid}: a supported pair needs one of {SUPPORTED_PERTURBATIONS}, not {perturbation!r}")
        elif label == "unsupported" and perturbation not in UNSUPPORTED_PERTURBATIONS:
            found.append(f"{rid}: an unsupported pair needs one of {UNSUPPORTED_PERTURBATIONS}, not {perturbation!r}")
        if split not in SPLITS:
            found.append(f"{rid}: split {split!r} not in {SPLITS}")
        else:
            expected = "holdout" if index % 3 == 2 else "tune"
            if split != expected:
                found.append(f"{rid}: split is {split!r}, but every third pair (and only those) is 'holdout'")
        passages = row.get("passages")
        if not isinstance(passages, list) or not passages or not all(_nonempty_str(p) for p in passages):
            found.append(f"{rid}: passages must be a non-empty list of non-empty strings")
            continue
        for passage in passages:
            if len(passage) > MAX_PASSAGE_CHARS:
                found.append(f"{rid}: passage of {len(passage)} chars (max {MAX_PASSAGE_CHARS}): {passage[:60]!r}")
        if len(passages) > 1 or "doc_ids" in row or "areas" in row:
            doc_ids, areas = row.get("doc_ids"), row.get("areas")
            if not isinstance(doc_ids, list) or len(doc_ids) != len(passages):
                found.append(f"{rid}: doc_ids must be a list aligned with passages")
            elif doc_ids[0] != row.get("doc_id"):
                found.append(f"{rid}: doc_ids[0] must equal doc_id")
            if not isinstance(areas, list) or len(areas) != len(passages):
                found.append(f"{rid}: areas must be a list aligned with passages")
            elif areas[0] != row.get("area"):
                found.append(f"{rid}: areas[0] must equal area")
        for doc_id, area in _sources(row):
            if isinstance(doc_id, str) and isinstance(area, str):
                areas_by_doc.setdefault(doc_id, set()).add(area)
    for doc_id, areas in sorted(areas_by_doc.items()):
        if len(areas) > 1:
            found.append(f"{doc_id}: given more than one area {sorted(areas)}")
    return found


def _sources(row: dict) -> list[tuple]:
    """(doc_id, area) for each passage of a pair, in passage order."""
    passages = row.get("passages") or []
    doc_ids = row.get("doc_ids") or [row.get("doc_id")] * len(passages)
    areas = row.get("areas") or [row.get("area")] * len(passages)
    return list(zip(doc_ids, areas))


def passage_problems(rows: list[dict]) -> tuple[list[str], int]:
    """Problems with passages not found verbatim, and how many passages were skipped (absent ../shared)."""
    from evals.sources import canonical_texts, shared_reports_dir

    texts = canonical_texts()
    reports_present = shared_reports_dir() is not None
    found: list[str] = []
    skipped = 0
    for row in rows:
        if "_error" in row or not isinstance(row.get("passages"), list):
            continue
        rid = row.get("id")
        for passage, (doc_id, _area) in zip(row["passages"], _sources(row)):
            if not isinstance(passage, str):
                continue
            if doc_id not in texts:
                if not reports_present:
                    skipped += 1  # corpus/ is always read, so a missing document is a report from absent ../shared
                    continue
                found.append(f"{rid}: unknown doc_id {doc_id}")
                continue
            if passage not in texts[doc_id][1]:
                found.append(f"{rid}: passage not in {doc_id}: {passage[:80]!r}")
    return found, skipped


def summary(rows: list[dict]) -> list[str]:
    good = [r for r in rows if "_error" not in r]
    lines = []
    for key in ("label", "perturbation", "split"):
        counts = Counter(str(r.get(key)) for r in good)
        lines.append(f"{key}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    by_split = Counter((str(r.get("split")), str(r.get("perturbation"))) for r in good)
    for split in SPLITS:
        lines.append(
            f"{split} by perturbation: " + ", ".join(f"{p} {by_split[(split, p)]}" for p in PERTURBATIONS)
        )
    docs = {doc_id for r in good for doc_id, _ in _sources(r)}
    multi = sum(1 for r in good if len(r.get("passages") or []) > 1)
    lines.append(f"{len(docs)} documents, {multi} pairs with more than one passage")
    return lines


def main() -> int:
    rows = load_pairs()
    bad = schema_problems(rows)
    for split in SPLITS:
        present = {r.get("perturbation") for r in rows if r.get("split") == split}
        for perturbation in PERTURBATIONS:
            if perturbation not in present:
                bad.append(f"split {split!r} has no {perturbation!r} pair")
    passage_bad, skipped = passage_problems(rows)
    bad += passage_bad
    for line in bad:
        print(line)
    for line in summary(rows):
        print(line)
    note = f", {skipped} passages skipped (../shared/reports absent)" if skipped else ""
    print(f"{len(rows)} pairs, {len(bad)} problems{note}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
