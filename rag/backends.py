"""Answer backends behind one tiny interface, registered by id (the extractive one is the built-in)."""

from __future__ import annotations

import re
from typing import Protocol

from rag.draft import Context, Draft, DraftSentence
from sendqa.errors import SendQAError
from sendqa.settings import Settings

_NUMBERISH = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|half|third|quarter|dozen|hundred)\b", re.I)


_NAME = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")


class Backend(Protocol):
    backend_id: str
    can_invent: bool  # True for generative models: their text must be checked against the quotes

    def answer(self, context: Context, settings: Settings) -> Draft: ...


class ExtractiveBackend:
    """Selects and orders evidence sentences; every answer sentence is a verbatim quote, so it cannot invent."""

    backend_id = "extractive"
    can_invent = False

    def answer(self, context: Context, settings: Settings) -> Draft:
        threshold = settings.answer.min_sentence_score
        limit = settings.answer.max_sentences
        ranked = sorted(context.scores, key=lambda sid: context.scores[sid], reverse=True)
        if context.check.intent == "briefing" and context.areas:
            # A briefing on a named area wants that area's main points, whatever the question's wording.
            ranked = [sid for sid in ranked if context.sentences[sid].evidence.area in context.areas]
        else:
            ranked = [sid for sid in ranked if context.scores[sid] >= threshold]
        if context.check.speaker_hint:
            # "What did the council say...": statements answer that, not the inspectors' findings.
            spoken = [sid for sid in ranked if context.sentences[sid].evidence.speaker != "Ofsted/CQC"]
            ranked = spoken or ranked
        chosen: list[str] = list(context.pinned)
        if context.check.intent == "improve" and len(context.areas) == 1:
            chosen += [sid for sid in self._report_actions(context) if sid not in chosen]
            limit = max(limit, len(chosen))
        elif context.check.intent == "briefing" and len(context.areas) == 1:
            chosen += [sid for sid in self._briefing(context) if sid not in chosen]
            limit = max(limit, len(chosen))
        if context.check.needs_number:
            # A figure only answers if its sentence is about the question's subject (cross-lingual: trust the score).
            figures = [sid for sid in ranked if _NUMBERISH.search(context.sentences[sid].text)
                       and (context.lexical.get(sid, 0) >= 0.34 or context.sentences[sid].evidence.language != "en")]
            if not figures and not chosen:
                return Draft(abstained=True, reason="no-figure")
            chosen += [sid for sid in figures[:2] if sid not in chosen]
        if context.check.needs_name:
            named = [sid for sid in ranked if _NAME.search(context.sentences[sid].text) and context.lexical.get(sid, 0) >= 0.5]
            if not named:
                return Draft(abstained=True, reason="no-name")
            chosen += [sid for sid in named[:2] if sid not in chosen]
        groups = context.areas if len(context.areas) > 1 else [None]
        per_group = max(2, (limit - len(chosen)) // len(groups))
        for area in groups:
            taken = 0
            for sid in ranked:
                if taken >= per_group or len(chosen) >= limit + (len(context.pinned) if context.check.intent == "briefing" else 0):
                    break
                sentence = context.sentences[sid]
                if area is not None and sentence.evidence.area != area:
                    continue
                if sid in chosen or any(context.sentences[c].text == sentence.text for c in chosen):
                    continue
                chosen.append(sid)
                taken += 1
        chosen = self._expand_lists(context, chosen, limit + 4)
        if not chosen:
            return Draft(abstained=True, reason="no-evidence")
        return Draft(sentences=[DraftSentence(context.sentences[sid].text, [sid]) for sid in self._order(context, chosen)])

    def _briefing(self, context: Context) -> list[str]:
        """Outcome (pinned already), the best-matching strengths, then the report's first actions."""
        strengths = [sid for sid, s in context.sentences.items()
                     if s.evidence.kind == "inspection report" and s.evidence.area in context.areas
                     and (s.evidence.section or "").lower() == "what is the area partnership doing that is effective?"
                     and _starts_item(s)]
        strengths.sort(key=lambda sid: context.scores.get(sid, 0), reverse=True)
        return sorted(strengths[:3], key=lambda sid: context.sentences[sid].start) + self._report_actions(context, cap=4)

    @staticmethod
    def _report_actions(context: Context, cap: int = 16) -> list[str]:
        """The items a report lists under its priority-action and improvement sections, in report order."""
        items = [sid for sid, s in context.sentences.items()
                 if s.evidence.kind == "inspection report" and s.evidence.area in context.areas
                 and (s.evidence.section or "").lower() in ACTION_SECTIONS and _starts_item(s)]
        items.sort(key=lambda sid: (ACTION_SECTIONS[(context.sentences[sid].evidence.section or "").lower()],
                                    context.sentences[sid].start))
        return items[:cap]

    @staticmethod
    def _expand_lists(context: Context, chosen: list[str], limit: int) -> list[str]:
        """A chosen lead-in ending in ':' brings its bullet items (the best lead-in per document only)."""
        best_lead: dict[str, str] = {}
        for sid in chosen:
            sentence = context.sentences[sid]
            if sentence.text.rstrip().endswith(":") and sentence.evidence.doc_id not in best_lead:
                best_lead[sentence.evidence.doc_id] = sid
        out = list(chosen)
        for sid in best_lead.values():
            lead = context.sentences[sid]
            items = sorted(
                (other_id for other_id, other in context.sentences.items()
                 if other.evidence.chunk_id == lead.evidence.chunk_id and other.position > lead.position),
                key=lambda other_id: context.sentences[other_id].position,
            )
            expected = lead.position + 1
            for item_id in items:
                item = context.sentences[item_id]
                if item.position != expected or not _is_bullet(item) or len(out) >= limit:
                    break
                if item_id not in out:
                    out.append(item_id)
                expected += 1
        return out

    @staticmethod
    def _order(context: Context, chosen: list[str]) -> list[str]:
        """Pinned first; then documents in order of their best sentence, sentences in document order."""
        pinned = [sid for sid in context.pinned if sid in chosen]
        rest = [sid for sid in chosen if sid not in pinned]
        doc_rank: dict[str, int] = {}
        for sid in pinned + rest:
            doc_rank.setdefault(context.sentences[sid].evidence.doc_id, len(doc_rank))
        rest.sort(key=lambda sid: (doc_rank[context.sentences[sid].evidence.doc_id], context.sentences[sid].start))
        ordered = []
        for sid in pinned:
            ordered.append(sid)
            doc = context.sentences[sid].evidence.doc_id
            ordered += [r for r in rest if context.sentences[r].evidence.doc_id == doc and r not in ordered]
        ordered += [r for r in rest if r not in ordered]
        return ordered


ACTION_SECTIONS = {"areas for priority action": 0, "areas for improvement": 1, "areas of significant weakness": 2}


def _starts_item(sentence) -> bool:
    """First sentence of a paragraph, or a bullet item."""
    ev = sentence.evidence
    offset = sentence.start - ev.start
    before = ev.text[:offset].rstrip(" •")
    return offset == 0 or before.endswith("\n") or before == ""


def _is_bullet(sentence) -> bool:
    ev = sentence.evidence
    offset = sentence.start - ev.start
    return ev.text[max(0, offset - 2):offset].strip() == "•"


BACKENDS: dict[str, Backend] = {}


def register(backend: Backend, *aliases: str) -> None:
    for key in (backend.backend_id, *aliases):
        BACKENDS[key] = backend


def get_backend(backend_id: str) -> Backend:
    if backend_id not in BACKENDS:
        raise SendQAError(f"unknown answer backend '{backend_id}': choose one of {', '.join(sorted(BACKENDS))}")
    return BACKENDS[backend_id]


register(ExtractiveBackend(), "extract")
