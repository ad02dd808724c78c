"""The eval set: JSONL items in evals/items/*.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

ITEMS_DIR = Path(__file__).with_name("items")
KINDS = ("fact", "list", "compare", "crosslingual", "briefing", "statistic", "definition", "followup", "refuse")
SPLITS = ("dev", "test")  # tune on dev; test is only ever reported


class GoldSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_id: str
    quote: str = Field(description="Verbatim: an exact substring of the document's canonical text.")


class EvalItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    kind: str
    question: str
    gold_answer: str
    key_facts: list[str] = Field(default_factory=list, description="Short phrases a correct answer contains.")
    gold_sources: list[GoldSource] = Field(default_factory=list)
    should_abstain: bool = False
    gate: bool = Field(False, description="Part of the fast CI subset (always dev items).")
    split: str = Field("dev", description="'dev' (tuned on) or 'test' (reported only, never tuned on).")
    turns: list[str] = Field(default_factory=list, description="Follow-ups: the questions asked before this one, in order.")


def load_items(paths: list[Path] | None = None) -> list[EvalItem]:
    items: list[EvalItem] = []
    for path in paths or sorted(ITEMS_DIR.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    items.append(EvalItem(**json.loads(line)))
                except Exception as exc:
                    raise ValueError(f"{path.name}:{n}: {exc}") from None
    return items
