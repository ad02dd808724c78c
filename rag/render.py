"""Render an answer's sentences as text: who is speaking, then the sentence and its [n] markers."""

from __future__ import annotations

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


def shaped_text(sentences: list[AnswerSentence], shape, show_all: bool = False) -> str:
    """The lead, then each heading with its key points as "- " lines (a list's items indented under their
    lead-in); notes outside the shape (a caveat, a foreign-language note) where they stand."""
    placed = set(shape.lead) | {i for p in shape.points for i in p.members}
    first = min(placed) if placed else len(sentences)
    lines, previous = [], None
    for sentence in sentences[:first]:
        line, previous = sentence_line(sentence, previous)
        lines.append(line)
    texts = [s.text for s in sentences]

    def block(members: list[int], bullet: str) -> list[str]:
        nonlocal previous
        head, items = head_and_items(members, texts)
        out: list[str] = []
        for i in head:
            before = previous
            line, previous = sentence_line(sentences[i], previous)
            if out and previous != before:
                out.append("\n" + ("  " if bullet else "") + line)  # another source speaks: its own line
            else:
                out.append(line)
        block_lines = (bullet + " ".join(out).replace(" \n", "\n")).split("\n")
        for i in items:
            line, previous = sentence_line(sentences[i], previous)
            block_lines.append(("  - " if bullet else "- ") + line)
        return block_lines

    if shape.lead:
        lines += block(shape.lead, "")
    for heading, points in shape.grouped(show_all):
        lines += ["", f"{heading}:"]
        for point in points:
            lines += block(point.members, "- ")
    trailing = [s for i, s in enumerate(sentences) if i > first and i not in placed]
    if trailing:
        lines.append("")
    for sentence in trailing:
        line, previous = sentence_line(sentence, previous)
        lines.append(line)
    return "\n".join(lines)
