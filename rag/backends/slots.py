"""The language model's parallel slots: at most `size` requests generate at once, the rest wait in arrival order.

A server has a fixed number of generations it can run well at once (llama-cpp-python's server runs one, and by
default cuts a running stream short when a second request arrives), so requests beyond that wait here, in order,
and a waiting caller can say where it stands. Retrieval and extractive answers never take a slot.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from contextlib import contextmanager
from typing import Iterator

from rag.backends import BackendUnavailable


class Slots:
    def __init__(self, size: int):
        self.size = max(1, size)
        self.busy = 0
        self._queue: deque[int] = deque()  # tickets waiting, first come first served
        self._waiting_thread: dict[int, int] = {}  # thread id -> its waiting ticket
        self._tickets = itertools.count()
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, timeout: float | None = None) -> Iterator[None]:
        """Wait for a slot (in turn) and hold it for the block; BackendUnavailable after `timeout` seconds waiting."""
        ticket = next(self._tickets)
        me = threading.get_ident()
        with self._changed:
            self._queue.append(ticket)
            self._waiting_thread[me] = ticket
            try:
                granted = self._changed.wait_for(lambda: self._queue[0] == ticket and self.busy < self.size, timeout)
            finally:
                self._queue.remove(ticket)
                self._waiting_thread.pop(me, None)
                self._changed.notify_all()
            if not granted:
                raise BackendUnavailable(f"the language model was busy for {timeout:g} s")
            self.busy += 1
        try:
            yield
        finally:
            with self._changed:
                self.busy -= 1
                self._changed.notify_all()

    def ahead(self) -> int:
        """How many requests a newcomer would wait behind (0: a slot is free now)."""
        with self._changed:
            return len(self._queue) + self.busy - self.size + 1 if self.busy + len(self._queue) >= self.size else 0

    def position(self, thread_id: int) -> int | None:
        """The place (1 = next) of the request a thread is waiting with, or None when it is not waiting."""
        with self._changed:
            ticket = self._waiting_thread.get(thread_id)
            return None if ticket is None else list(self._queue).index(ticket) + 1


_SHARED: dict[str, Slots] = {}
_SHARED_LOCK = threading.Lock()


def slots_for(key: str, size: int) -> Slots:
    """One Slots per server (every backend object in this process that talks to it shares them)."""
    with _SHARED_LOCK:
        return _SHARED.setdefault(f"{key}#{size}", Slots(size))
