"""Answer backends behind one tiny interface, built from settings by factories registered by id.

A backend turns a Selection (what to say) into draft sentences citing evidence ids; it never decides whether to
answer, and a backend that can invent text (can_invent) has every sentence verified before it is shown.
"""

from __future__ import annotations

from typing import Callable, Iterator, Protocol

from rag.handoffs import DraftSentence, Selection
from sendqa.errors import SendQAError
from sendqa.settings import Settings


class Backend(Protocol):
    backend_id: str
    can_invent: bool  # True for generative models: their sentences are verified against the passages they cite

    def draft(self, selection: Selection) -> Iterator[DraftSentence]:
        """Draft sentences in answer order, yielded as each one is complete."""
        ...


class BackendUnavailable(SendQAError):
    """The backend failed (server down, timeout, bad reply): the caller falls back to the extractive answer."""


_FACTORIES: dict[str, Callable[[Settings], Backend]] = {}
_ALIASES: dict[str, str] = {}


def register(backend_id: str, factory: Callable[[Settings], Backend], *aliases: str) -> None:
    _FACTORIES[backend_id] = factory
    for alias in aliases:
        _ALIASES[alias] = backend_id


def backend_ids() -> list[str]:
    return sorted(_FACTORIES)


def get_backend(backend_id: str, settings: Settings) -> Backend:
    """Build the backend a settings object names (ids and aliases)."""
    key = _ALIASES.get(backend_id, backend_id)
    if key not in _FACTORIES:
        raise SendQAError(f"unknown answer backend '{backend_id}': choose one of {', '.join(backend_ids())}")
    return _FACTORIES[key](settings)


def _register_builtins() -> None:
    from rag.backends.extractive import ExtractiveBackend
    from rag.backends.openai_compat import local_backend, openai_backend

    register("extractive", lambda settings: ExtractiveBackend(), "extract")
    register("local", local_backend, "llama.cpp", "llamacpp")
    register("openai", openai_backend, "openai-compatible")


_register_builtins()
