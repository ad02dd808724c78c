"""Paragraph-level blocks, the common currency between file readers and the chunker."""

from __future__ import annotations

import re
from dataclasses import dataclass

BULLET_CHARS = "•◼▪●·■◦‣–-*"
_BULLET_RE = re.compile(rf"^\s*[{re.escape(BULLET_CHARS)}](?:\s+|$)")
TERMINAL = (".", "!", "?", ":", ";", "”", "\"", "’", "'", ")")

# Section headings of 2023-framework reports and of 2016-22 letters and revisits; matched case-insensitively.
KNOWN_HEADINGS = (
    "Inspection outcome",
    "Information about the local area partnership",
    "What is it like to be a child or young person with SEND in this area?",
    "What is the area partnership doing that is effective?",
    "What does the area partnership need to do better?",
    "Areas for priority action",
    "Areas for improvement",
    "Local area partnership details",
    "Information about this inspection",
    "Inspection team",
    "Main findings",
    "Main Findings",
    "Areas of significant weakness",
    "Next steps",
    "Inspection findings",
    "The effectiveness of the local area in identifying children and young people's special educational needs and/or disabilities",
    "The effectiveness of the local area in assessing and meeting the needs of children and young people who have special educational needs and/or disabilities",
    "The effectiveness of the local area in improving outcomes for children and young people who have special educational needs and/or disabilities",
    "Strengths",
    "Areas for development",
)
_KNOWN = {h.lower().rstrip(" ?") for h in KNOWN_HEADINGS}


def is_known_heading(text: str) -> bool:
    return text.strip().lower().rstrip(" ?").replace("’", "'") in _KNOWN


def bullet_text(line: str) -> str | None:
    """The text of a bulleted line without its bullet, or None if the line is not a bullet."""
    match = _BULLET_RE.match(line)
    if not match:
        return None
    return line[match.end():].strip()


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines into one paragraph, keeping the hyphen of a word broken across lines."""
    out = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            out += line
        else:
            out += " " + line
    return out


@dataclass
class Block:
    """A paragraph, bullet item or heading, with the page it starts on (1-based; None for text files)."""

    kind: str  # "heading" | "para" | "bullet"
    text: str
    page: int | None = None

    def ends_sentence(self) -> bool:
        return self.text.rstrip().endswith(TERMINAL)


# Words that join two halves of one clause; a bullet item cannot open with one (reports' lower-case items open
# with "improving", "the", "children"..., and a list's "; and" closes the item before it).
_CONJUNCTIONS = ("and", "or", "but", "nor")


def join_broken_bullets(blocks: list[Block]) -> list[Block]:
    """A bullet item that opens with a lower-case conjunction after one that stops mid-clause is its continuation: a
    stray marker in the source ("...with SEND" / "• and their families when..."), not a second item."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if block.kind == "bullet" and prev is not None and prev.kind == "bullet" \
                and block.text.split(" ", 1)[0] in _CONJUNCTIONS and not prev.ends_sentence() \
                and prev.text.rsplit(" ", 1)[-1] not in _CONJUNCTIONS:
            out[-1] = Block("bullet", f"{prev.text.rstrip()} {block.text.lstrip()}", prev.page)
        else:
            out.append(block)
    return out


@dataclass
class Span:
    """Where a block landed in the assembled document text."""

    kind: str
    start: int
    end: int
    page: int | None
    section: str | None


def assemble(blocks: list[Block]) -> tuple[str, list[Span]]:
    """Lay blocks out as the document's canonical text; quotes are exact substrings of this text."""
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    section: str | None = None
    prev: Block | None = None
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if block.kind == "heading":
            section = text
        sep = "" if prev is None else ("\n" if block.kind == "bullet" and prev.kind != "heading" else "\n\n")
        if block.kind == "bullet":
            text = "• " + text
        parts.append(sep + text)
        pos += len(sep)
        spans.append(Span(block.kind, pos, pos + len(text), block.page, section))
        pos += len(text)
        prev = block
    return "".join(parts), spans
