"""The eval set: JSONL items in evals/items/*.jsonl, and the wording-robustness variants of the test items in
evals/items_robustness/*.jsonl (loaded only when asked: `load_items(robustness=True)`)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

ITEMS_DIR = Path(__file__).with_name("items")
KINDS = ("fact", "list", "compare", "crosslingual", "briefing", "statistic", "definition", "followup", "refuse")
SPLITS = ("dev", "test")  # tune on dev; test is only ever reported
ROBUSTNESS_DIR = Path(__file__).with_name("items_robustness")
STYLES = ("typo", "context", "officer")  # one rewording per style of every test item (evals/README.md)
# What a variant shares with its original: everything but its id, question, variant_of and style.
VARIANT_OWN_FIELDS = ("id", "question", "variant_of", "style")


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
    variant_of: str | None = Field(None, description="Robustness variants: the id of the item this one rewords.")
    style: str | None = Field(None, description="Robustness variants: typo, context or officer.")

    def gold(self) -> dict:
        """Everything but the wording: what a robustness variant must share with its original."""
        return self.model_dump(exclude=set(VARIANT_OWN_FIELDS))


def load_items(paths: list[Path] | None = None, robustness: bool = False) -> list[EvalItem]:
    """The items of `paths` (default evals/items/*.jsonl); with robustness, also the reworded variants."""
    items = _read(list(paths) if paths else sorted(ITEMS_DIR.glob("*.jsonl")))
    return items + load_robustness_items(items) if robustness else items


def load_robustness_items(originals: list[EvalItem] | None = None) -> list[EvalItem]:
    """Only the wording-robustness variants (evals/items_robustness/*.jsonl). A variant's file row holds only its
    own fields (VARIANT_OWN_FIELDS); the rest, gold included, is its original's, so it is stated once."""
    by_id = {i.id: i for i in (originals if originals is not None else load_items())}
    variants = []
    for path in sorted(ROBUSTNESS_DIR.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            extra = sorted(set(row) - set(VARIANT_OWN_FIELDS))
            original = by_id.get(row.get("variant_of", ""))
            if extra or original is None:
                raise ValueError(f"{path.name}:{n}: " + (f"fields {extra} belong to the original item" if extra
                                                         else f"variant_of {row.get('variant_of')!r} is no item"))
            variants.append(original.model_copy(update=row))
    return variants


def _read(paths: list[Path]) -> list[EvalItem]:
    items: list[EvalItem] = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    items.append(EvalItem(**json.loads(line)))
                except Exception as exc:
                    raise ValueError(f"{path.name}:{n}: {exc}") from None
    return items

