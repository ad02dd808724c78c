"""Render an answer's sentences as text: who is speaking, then the sentence and its [n] markers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rag.points import head_and_items
from sendqa.domain import LANGUAGE_NAMES, speaker_label
from sendqa.types import AnswerSentence


def attribution(area: str | None, speaker: str, language: str) -> str:
    """A tag naming who speaks: council and press statements are not inspection findings."""
    label = speaker_label(speaker)
    if language != "en":
        label += f", in {LANGUAGE_NAMES.get(language, language)}"
    return f"[{area + ' · ' if area else ''}{label}]"


def sentence_line(sentence: AnswerSentence, previous_doc: str | None) -> tuple[str, str | None]:
    """One line of the answer text, tagged when its source differs from the previous line's; and its doc id."""
    if not sentence.citations:
        return sentence.text, previous_doc
    # A statistics table speaks about many areas: its lines are tagged whenever the area changes.
    source = f"{sentence.doc_id}|{sentence.area}" if (sentence.doc_id or "").startswith("stat:") else sentence.doc_id
    tag = "" if source == previous_doc else attribution(sentence.area, sentence.speaker, sentence.language) + " "
    marks = "".join(f"[{n}]" for n in sentence.citations)
    return f"{tag}{sentence.text} {marks}", source


def answer_text(sentences: list[AnswerSentence]) -> str:
    lines, previous = [], None
    for sentence in sentences:
        line, previous = sentence_line(sentence, previous)
        lines.append(line)
    return "\n".join(lines)


LineFn = Callable[[AnswerSentence, "str | None"], "tuple[str, str | None]"]


@dataclass
class Layout:
    """How a shaped answer is written out: sentence lines, headings and list markers (plain text or Markdown)."""

    line: LineFn = sentence_line  # (sentence, previous source) -> (its line, its source)
    heading: Callable[[str], str] = "{}:".format
    item: str = "  - "  # a list item under a point
    gap: bool = True  # a blank line before each heading


def shaped_lines(sentences: list[AnswerSentence], lead: list[int], groups: list[tuple[str, list[list[int]]]],
                 layout: Layout = Layout(), held_back: frozenset[int] = frozenset()) -> list[str]:
    """The lead, then each heading with its key points as "- " lines (a list's items indented under their
    lead-in); notes outside the shape (a caveat, a foreign-language note) where they stand. `groups`: (heading,
    each point's sentence indices); `held_back`: the sentences of points not shown here."""
    placed = set(lead) | {i for _, points in groups for members in points for i in members} | set(held_back)
    first = min(placed) if placed else len(sentences)
    lines: list[str] = []
    previous = None
    for sentence in sentences[:first]:
        line, previous = layout.line(sentence, previous)
        lines.append(line)
    texts = [s.text for s in sentences]

    def block(members: list[int], bullet: str) -> list[str]:
        nonlocal previous
        head, items = head_and_items(members, texts)
        out = [bullet]
        for i in head:
            before = previous
            line, previous = layout.line(sentences[i], previous)
            if len(out) > 1 and previous != before:
                out.append("\n" + " " * len(bullet) + line)  # another source speaks: its own line
            else:
                out.append(("" if len(out) == 1 else " ") + line)
        block_lines = "".join(out).split("\n")
        for i in items:
            line, previous = layout.line(sentences[i], previous)
            block_lines.append((layout.item if bullet else "- ") + line)
        return block_lines

    if lead:
        lines += block(lead, "")
    for heading, points in groups:
        lines += ([""] if layout.gap else []) + [layout.heading(heading)]
        for members in points:
            lines += block(members, "- ")
    trailing = [s for i, s in enumerate(sentences) if i > first and i not in placed and s.shown]
    if trailing and layout.gap:
        lines.append("")
    for sentence in trailing:
        line, previous = layout.line(sentence, previous)
        lines.append(line)
    return lines


def shaped_text(sentences: list[AnswerSentence], shape, show_all: bool = False) -> str:
    """The answer text of a shaped answer (rag.points.Shape): points past the first few only with show_all."""
    groups = [(heading, [p.members for p in points]) for heading, points in shape.grouped(show_all)]
    held_back = frozenset(i for n, p in enumerate(shape.points) if not show_all and not shape.shown(n) for i in p.members)
    return "\n".join(shaped_lines(sentences, shape.lead, groups, held_back=held_back))
