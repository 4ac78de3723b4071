"""The worker pool that operations share: created on first use.

Most `nbvc status` calls are answered from the stat caches without reading a file, so they
should not pay for importing `concurrent.futures` and starting threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

T = TypeVar("T")


class Pool(Protocol):
    def map(self, fn: Callable[..., T], *iterables: Iterable[Any]) -> Iterator[T]: ...


class LazyPool:
    """A thread pool, started by the first :meth:`map` with ``workers()`` threads."""

    def __init__(self, workers: Callable[[], int]) -> None:
        self.workers = workers
        self._executor: ThreadPoolExecutor | None = None

    def map(self, fn: Callable[..., T], *iterables: Iterable[Any]) -> Iterator[T]:
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(self.workers(), thread_name_prefix="nbvc")
        return self._executor.map(fn, *iterables)

    def __enter__(self) -> LazyPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None
