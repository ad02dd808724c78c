"""LLM backends over any OpenAI-compatible server (llama-index's OpenAILike): `openai`, and `local` (llama.cpp).

Two ways of drafting, chosen by `answer.llm.mode`:
- rewrite: the extractive stages decide what to say; the model only rephrases each selected quote in plain English
  (one line per numbered passage), and the verifier keeps each line or falls back to its quote;
- free: the model answers from the top passages, citing [n] after every sentence; unsupported sentences are dropped.
"""

from __future__ import annotations

import os
import re
from typing import Callable, Iterator

from rag.backends import BackendUnavailable
from rag.backends.slots import Slots, slots_for
from rag.handoffs import DraftSentence, Selection
from rag.prompts import free_messages, rewrite_messages
from sendqa.errors import SendQAError
from sendqa.settings import Settings

_MARK = re.compile(r"\[(\d{1,3})\]")
_LEADING_NUMBER = re.compile(r"^\s*(?:\[(\d{1,3})\]|(\d{1,3})[.)])\s*")
REWRITE_MAX_TOKENS = 120  # one plain sentence; a model that rambles past this is cut off (and verified as is)
_DONT_KNOW = re.compile(r"\bI don'?t know\b", re.I)


class LLMBackend:
    can_invent = True

    def __init__(self, backend_id: str, settings: Settings, endpoint: Callable[[], tuple[str, str]], slots: Slots):
        self.backend_id = backend_id
        self.settings = settings
        self.slots = slots  # the server's parallel slots, shared by every backend object in this process
        self._endpoint = endpoint  # () -> (base_url, model); resolved on first use (a local server may need starting)
        self._llm = None

    def client(self):
        """The llama-index LLM this backend talks to (built on first use)."""
        if self._llm is None:
            from llama_index.llms.openai_like import OpenAILike

            base_url, model = self._endpoint()
            llm = self.settings.answer.llm
            self._llm = OpenAILike(
                model=model, api_base=base_url, api_key=llm.api_key or os.environ.get("OPENAI_API_KEY") or "no-key",
                is_chat_model=True, context_window=self.settings.answer.local.context, max_tokens=llm.max_tokens,
                temperature=llm.temperature, timeout=llm.timeout_s, max_retries=0,
            )
        return self._llm

    def draft(self, selection: Selection) -> Iterator[DraftSentence]:
        context = selection.context
        if self.settings.answer.llm.mode == "rewrite":
            # One short request per selected quote: a small model cannot misnumber what it was not given, and the
            # first sentence is ready after one passage rather than all of them.
            for sid in selection.chosen[: self.settings.answer.llm.max_rewrites]:
                text = "".join(self._stream(rewrite_messages(context.sentences[sid]), max_tokens=REWRITE_MAX_TOKENS))
                yield from self._parse(text.replace("\n", " "), {1: sid}, "rewrite", default=[sid])
            return
        ranked = [sid for sid in context.ranked() if sid not in selection.chosen]
        ids = (selection.chosen + ranked)[: max(self.settings.answer.llm.free_passages, min(len(selection.chosen), 12))]
        if not ids:
            return
        numbered = dict(enumerate(ids, 1))
        chat = free_messages(context.question, [context.sentences[s] for s in ids], self.settings.answer.max_sentences)
        buffer = ""
        for delta in self._stream(chat):
            buffer += delta
            while "\n" in buffer:
                line, buffer = buffer.split("\n", 1)
                yield from self._free_line(line, numbered, context)
        yield from self._free_line(buffer, numbered, context)

    def _free_line(self, line: str, numbered: dict[int, str], context) -> Iterator[DraftSentence]:
        """One line of a free answer. A line of passage numbers alone ("[2] [3]", a small model's habit) chose those
        passages: they are shown verbatim, as quotes."""
        chosen = [numbered[int(n)] for n in _MARK.findall(line) if int(n) in numbered]
        if chosen and not re.search(r"[A-Za-z]", _MARK.sub("", line)):
            for sid in dict.fromkeys(chosen):
                yield DraftSentence(context.sentences[sid].text, [sid], "quote")
            return
        yield from self._parse(line, numbered, "free")

    def standalone_question(self, history: list[str], question: str) -> str | None:
        """The model's rewrite of a follow-up as a standalone question (checked by the caller), or None."""
        earlier = "\n".join(f"- {q}" for q in history[-3:])
        chat = [("system", "Rewrite the user's last question so it can be understood on its own, keeping every place "
                           "name and topic it refers to from the earlier questions. Reply with the question only."),
                ("user", f"Earlier questions:\n{earlier}\nLast question: {question}")]
        try:
            text = "".join(self._stream(chat, max_tokens=60)).strip().splitlines()
        except SendQAError:
            return None
        return text[0].strip().strip('"') if text else None

    def _stream(self, chat: list[tuple[str, str]], **kwargs) -> Iterator[str]:
        """The model's reply, piece by piece, generated in one of the server's slots; any failure becomes
        BackendUnavailable. A slot is held per request, so waiting answers take turns sentence by sentence."""
        from llama_index.core.llms import ChatMessage

        messages = [ChatMessage(role=role, content=content) for role, content in chat]
        try:
            with self.slots.hold(timeout=self.settings.answer.llm.queue_timeout_s):
                for chunk in self.client().stream_chat(messages, **kwargs):
                    yield chunk.delta or ""
        except SendQAError:
            raise  # BackendUnavailable, or a local model that cannot start: the caller falls back
        except Exception as exc:  # connection refused, reset mid-stream, timeout, malformed reply
            raise BackendUnavailable(f"the language model stopped answering ({exc.__class__.__name__}: {exc})") from exc

    @staticmethod
    def _parse(line: str, numbered: dict[int, str], mode: str, default: list[str] | None = None
               ) -> Iterator[DraftSentence]:
        line = line.strip().strip("*").strip()
        if not line or _DONT_KNOW.search(line):
            return
        cites: list[int] = []
        if m := _LEADING_NUMBER.match(line):
            line = line[m.end():]
            if mode != "rewrite":
                cites.append(int(m.group(1) or m.group(2)))
        cites += [int(n) for n in _MARK.findall(line)] if mode != "rewrite" else []
        text = " ".join(_MARK.sub("", line).split()).strip().strip('"<>').strip()
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)
        ids = default or [numbered[n] for n in dict.fromkeys(cites) if n in numbered]  # unknown numbers are dropped
        text = re.sub(r"^(?:Sentence|Rewritten|Plain English)\s*:\s*", "", text, flags=re.I)
        if text and re.search(r"[A-Za-z]", text):
            yield DraftSentence(text, ids, "rewrite")


def openai_backend(settings: Settings) -> LLMBackend:
    llm = settings.answer.llm

    def endpoint() -> tuple[str, str]:
        base_url = llm.base_url or os.environ.get("OPENAI_BASE_URL")
        model = llm.model or os.environ.get("OPENAI_MODEL")
        if not base_url or not model:
            raise BackendUnavailable("the openai backend needs a server: set SENDQA_ANSWER__LLM__BASE_URL and "
                                     "SENDQA_ANSWER__LLM__MODEL (or OPENAI_BASE_URL and OPENAI_MODEL)")
        return base_url.rstrip("/"), model

    key = llm.base_url or os.environ.get("OPENAI_BASE_URL") or ""
    return LLMBackend("openai", settings, endpoint, slots_for(f"openai:{key}", llm.parallel))


def local_backend(settings: Settings) -> LLMBackend:
    def endpoint() -> tuple[str, str]:
        from rag.backends.llama_server import local_server

        server = local_server(settings)
        return server.base_url, server.model_id

    local = settings.answer.local
    return LLMBackend("local", settings, endpoint, slots_for(f"local:{local.model}", local.parallel))
