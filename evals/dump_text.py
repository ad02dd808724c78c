"""Print the canonical text sendqa extracts from files (what citation quotes must match exactly).

    python -m evals.dump_text ../shared/reports/80443_bury*.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

from ingest.blocks import assemble
from ingest.prepare import doc_id_for, file_sha256, prepare
from ingest.readers import read_blocks


def main(argv: list[str]) -> None:
    for name in argv:
        path = Path(name)
        _, record = prepare(path, file_sha256(path))
        text, spans = assemble(read_blocks(path))
        print(f"##### doc_id={doc_id_for(path)} source={path.name} area={record.area} outcome={record.outcome}")
        section = None
        for span in spans:
            if span.section != section:
                section = span.section
                print(f"\n[section: {section}]")
            print(f"[p{span.page}] {text[span.start:span.end]}")


if __name__ == "__main__":
    main(sys.argv[1:])
