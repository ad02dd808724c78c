"""Render an answer's sentences as text: who is speaking, then the sentence and its [n] markers."""

from __future__ import annotations

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
