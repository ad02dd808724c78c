"""The language model's parallel slots: a bounded number generate at once, the rest wait in arrival order."""

from __future__ import annotations

import threading
import time

import pytest

from rag.backends import BackendUnavailable
from rag.backends.slots import Slots, slots_for


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_waiters_are_served_in_arrival_order_and_know_their_place():
    slots = Slots(1)
    release = threading.Event()
    served: list[int] = []
    threads: dict[int, threading.Thread] = {}

    def holder() -> None:
        with slots.hold():
            release.wait(5)

    def waiter(n: int) -> None:
        with slots.hold():
            served.append(n)

    first = threading.Thread(target=holder)
    first.start()
    _wait_until(lambda: slots.busy == 1)
    assert slots.ahead() == 1
    for n in range(4):
        threads[n] = threading.Thread(target=waiter, args=(n,))
        threads[n].start()
        _wait_until(lambda: slots.position(threads[n].ident) == n + 1)
    assert slots.ahead() == 5 and slots.position(first.ident) is None
    release.set()
    for thread in [first, *threads.values()]:
        thread.join(5)
    assert served == [0, 1, 2, 3] and slots.busy == 0 and slots.ahead() == 0


def test_more_slots_run_at_once_and_a_long_wait_gives_up_cleanly():
    slots = Slots(2)
    release = threading.Event()

    def holder() -> None:
        with slots.hold():
            release.wait(5)

    running = [threading.Thread(target=holder) for _ in range(2)]
    for thread in running:
        thread.start()
    _wait_until(lambda: slots.busy == 2)
    with pytest.raises(BackendUnavailable, match="busy"):
        with slots.hold(timeout=0.2):
            pass
    assert slots.ahead() == 1 and slots.busy == 2  # the request that gave up left no trace
    release.set()
    for thread in running:
        thread.join(5)
    with slots.hold(timeout=1):
        assert slots.busy == 1


def test_backends_of_one_server_share_its_slots():
    from rag.backends import get_backend
    from sendqa.settings import load_settings

    settings = load_settings({"answer": {"llm": {"base_url": "http://127.0.0.1:9/v1", "model": "m", "parallel": 3}}})
    one, two = get_backend("openai", settings), get_backend("openai", settings)
    assert one.slots is two.slots and one.slots.size == 3
    assert get_backend("local", settings).slots.size == 1 and slots_for("other", 3) is not one.slots
