"""An answer stream run in a worker thread, so the app can tell a user where their answer stands while it waits
for a language model slot (the stream itself blocks inside the backend until one is free)."""

from __future__ import annotations

import queue
import threading
from typing import Iterator, TypeVar

from rag.backends.slots import Slots

T = TypeVar("T")
_DONE = object()


def with_queue_position(stream: Iterator[T], slots: Slots | None, every_s: float = 0.5
                        ) -> Iterator[tuple[T | None, int | None]]:
    """Yield (item, None) for each item of the stream and, every `every_s` seconds without one, (None, place in the
    language model's queue or None when not waiting). Errors in the stream are raised here."""
    items: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in stream:
                items.put((item, None))
                if stop.is_set():
                    break  # the user went away: the answer is no longer wanted
        except BaseException as exc:  # handed to the caller's thread
            items.put((None, exc))
        finally:
            items.put((_DONE, None))

    worker = threading.Thread(target=work, name="sendqa-answer", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item, error = items.get(timeout=every_s)
            except queue.Empty:
                yield None, slots.position(worker.ident) if slots is not None else None
                continue
            if item is _DONE:
                return
            if error is not None:
                raise error
            yield item, None
    finally:
        stop.set()
