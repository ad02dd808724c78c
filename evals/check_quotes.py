"""Check the eval set: schema, and every gold quote an exact substring of its document's canonical text; and the
wording-robustness variants (evals/items_robustness/): three per item, each with its original's gold.

    python -m evals.check_quotes            # exit 1 on any problem
"""

from __future__ import annotations

import sys

from evals.dataset import KINDS, STYLES, EvalItem, load_items, load_robustness_items
from evals.sources import canonical_texts, shared_reports_dir, statistics_texts


def problems() -> list[str]:
    texts = dict(canonical_texts()) | statistics_texts()
    found: list[str] = []
    seen: set[str] = set()
    for item in load_items(robustness=True):
        if item.id in seen:
            found.append(f"{item.id}: duplicate id")
        seen.add(item.id)
        if item.kind not in KINDS:
            found.append(f"{item.id}: unknown kind {item.kind!r}")
        if item.should_abstain != (item.kind == "refuse"):
            found.append(f"{item.id}: should_abstain must be true exactly for kind 'refuse'")
        if not item.should_abstain and not item.gold_sources:
            found.append(f"{item.id}: an answerable item needs gold sources")
        for source in item.gold_sources:
            if source.doc_id not in texts:
                if shared_reports_dir() is None:
                    continue  # corpus/ is always read, so a missing document is a report from absent ../shared
                found.append(f"{item.id}: unknown doc_id {source.doc_id}")
                continue
            if source.quote not in texts[source.doc_id][1]:
                found.append(f"{item.id}: quote not in {source.doc_id}: {source.quote[:80]!r}")
    return found + robustness_problems(load_items(), load_robustness_items())


def robustness_problems(items: list[EvalItem], variants: list[EvalItem]) -> list[str]:
    """Every item has one variant per style, with the original's gold, in the original's split, reworded."""
    found: list[str] = []
    originals = {i.id: i for i in items}
    styles_of: dict[str, list[str]] = {}
    for v in variants:
        original = originals.get(v.variant_of or "")
        if original is None:
            found.append(f"{v.id}: variant_of {v.variant_of!r} is no item")
            continue
        styles_of.setdefault(original.id, []).append(v.style or "")
        if v.style not in STYLES:
            found.append(f"{v.id}: unknown style {v.style!r}")
        if v.id != f"{original.id}~{v.style}":
            found.append(f"{v.id}: id must be {original.id}~{v.style}")
        if v.split != original.split:
            found.append(f"{v.id}: a variant stays in its original's split ({original.split})")
        if v.gold() != original.gold():
            found.append(f"{v.id}: gold differs from {original.id}'s")
        if v.question.strip() == original.question.strip():
            found.append(f"{v.id}: question is not reworded")
    for item in items:
        if sorted(styles_of.get(item.id, [])) != sorted(STYLES):
            found.append(f"{item.id}: needs exactly one variant per style {STYLES}, has {styles_of.get(item.id, [])}")
    return found


def main() -> int:
    items = load_items()
    bad = problems()
    for line in bad:
        print(line)
    covered = {s.doc_id for item in items for s in item.gold_sources}
    print(f"{len(items)} items, {len(bad)} problems, {len(covered)} documents covered")
    print(f"{len(load_robustness_items())} wording-robustness variants (evals/items_robustness)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
