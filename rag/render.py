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
    tag = "" if sentence.doc_id == previous_doc else attribution(sentence.area, sentence.speaker, sentence.language) + " "
    marks = "".join(f"[{n}]" for n in sentence.citations)
    return f"{tag}{sentence.text} {marks}", sentence.doc_id


def answer_text(sentences: list[AnswerSentence]) -> str:
    lines, previous = [], None
    for sentence in sentences:
        line, previous = sentence_line(sentence, previous)
        lines.append(line)
    return "\n".join(lines)
