"""The bounded thread pool that transfers run on."""

from __future__ import annotations

import threading

import pytest

from nbvc.core.remote.parallel import BATCH_ITEMS, parallel_map


def test_results_come_back_in_order() -> None:
    assert parallel_map(4, lambda x: x * x, list(range(100))) == [x * x for x in range(100)]


def test_first_error_stops_new_work_and_is_raised() -> None:
    started = []
    lock = threading.Lock()

    def work(item: int) -> int:
        with lock:
            started.append(item)
        if item == 0:
            raise ConnectionError("lost")
        return item

    with pytest.raises(ConnectionError, match="lost"):
        parallel_map(2, work, list(range(BATCH_ITEMS * 50)))
    assert len(started) < BATCH_ITEMS * 50  # later batches were cancelled, not run


def test_big_items_travel_in_batches_of_their_own() -> None:
    threads: dict[int, str] = {}
    barrier = threading.Barrier(2, timeout=10)

    def work(item: int) -> int:
        threads[item] = threading.current_thread().name
        barrier.wait()  # both big items must be in flight at once
        return item

    assert parallel_map(2, work, [0, 1], weight=lambda _: 1 << 30) == [0, 1]
    assert threads[0] != threads[1]
