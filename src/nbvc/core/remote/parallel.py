"""Running transfers on a bounded thread pool that stops at the first error.

fsspec's synchronous API is safe to call from several threads (async backends run one event loop
and each call waits for its own coroutine), and file I/O and hashing release the GIL, so threads
give real parallelism here. Small objects are grouped into batches to keep scheduling overhead
low; a big object travels in a batch of its own so several of them move at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCH_ITEMS = 16
BATCH_BYTES = 4 << 20


def parallel_map(
    jobs: int,
    fn: Callable[[T], R],
    items: Sequence[T],
    weight: Callable[[T], int] = lambda _: 0,
) -> list[R]:
    """``[fn(item) for item in items]`` on ``jobs`` threads, in order.

    On the first exception no new batch starts (running ones finish) and the exception is raised.
    """
    if not items:
        return []
    batches = _batches(items, weight)
    if jobs <= 1 or len(batches) == 1:
        return [fn(item) for item in items]
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="nbvc-remote")
    try:
        futures = [pool.submit(lambda batch: [fn(x) for x in batch], b) for b in batches]
        return [result for future in futures for result in future.result()]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _batches(items: Sequence[T], weight: Callable[[T], int]) -> list[list[T]]:
    batches: list[list[T]] = []
    current: list[T] = []
    current_bytes = 0
    for item in items:
        current.append(item)
        current_bytes += weight(item)
        if len(current) >= BATCH_ITEMS or current_bytes >= BATCH_BYTES:
            batches.append(current)
            current, current_bytes = [], 0
    if current:
        batches.append(current)
    return batches
