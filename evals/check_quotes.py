"""Check the eval set: schema, and every gold quote an exact substring of its document's canonical text.

    python -m evals.check_quotes            # exit 1 on any problem
"""

from __future__ import annotations

import sys

from evals.dataset import KINDS, load_items
from evals.sources import canonical_texts, shared_reports_dir, statistics_texts


def problems() -> list[str]:
    texts = dict(canonical_texts()) | statistics_texts()
    found: list[str] = []
    seen: set[str] = set()
    for item in load_items():
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
    return found


def main() -> int:
    items = load_items()
    bad = problems()
    for line in bad:
        print(line)
    covered = {s.doc_id for item in items for s in item.gold_sources}
    print(f"{len(items)} items, {len(bad)} problems, {len(covered)} documents covered")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
