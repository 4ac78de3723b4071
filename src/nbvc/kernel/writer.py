"""Writing lineage records on a background thread, while the kernel is idle.

A record costs a few milliseconds of fsyncs, far more than the tracer may add to a cell, so
``post_run_cell`` only queues it. The writer waits until no cell has finished for
:data:`IDLE_SECONDS` (the user is reading or typing), then writes everything queued in one batch:
one repository lock, one index transaction. During "Run All" it still writes at least every
:data:`MAX_DELAY_SECONDS` or :data:`MAX_BATCH` cells, so little is lost if the kernel dies.
:meth:`RecordWriter.flush` writes everything queued so far (magics that read lineage call it).

The thread has its own :class:`~nbvc.core.repo.Repo`, and so its own SQLite connection.
"""

from __future__ import annotations

import queue
import threading
import time

from nbvc.core import CellRecord, NbvcError, Repo

IDLE_SECONDS = 0.1
MAX_DELAY_SECONDS = 2.0
MAX_BATCH = 200
FLUSH_TIMEOUT = 60.0

# a cell to save, a flush marker to set, or None to stop
_Item = tuple[CellRecord, str] | threading.Event | None


class RecordWriter:
    def __init__(self, root: str) -> None:
        self.root = root
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._errors: list[str] = []
        self._last_submit = 0.0
        self._wake = threading.Event()  # set by flush and close: write now

    def submit(self, cell: CellRecord, source: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="nbvc-lineage", daemon=True)
            self._thread.start()
        self._last_submit = time.monotonic()
        self._queue.put((cell, source))

    def flush(self) -> None:
        if self._thread is None:
            return
        done = threading.Event()
        self._queue.put(done)
        self._wake.set()
        done.wait(FLUSH_TIMEOUT)

    def close(self) -> None:
        """Write what is queued and stop the thread."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._wake.set()
        self._thread.join(FLUSH_TIMEOUT)
        self._thread = None

    def take_errors(self) -> list[str]:
        errors, self._errors = self._errors, []
        return errors

    def _run(self) -> None:
        with Repo(self.root) as repo:
            stop = False
            while not stop:
                items = [self._queue.get()]  # sleeps while nothing is queued
                self._wait_for_idle()
                while not self._queue.empty():
                    items.append(self._queue.get_nowait())
                batch = [item for item in items if isinstance(item, tuple)]
                if batch:
                    self._write(repo, batch)
                for item in items:
                    if isinstance(item, threading.Event):
                        item.set()
                stop = any(item is None for item in items)

    def _wait_for_idle(self) -> None:
        """Sleep (without holding the GIL) until no cell ran for a while, or it is time anyway."""
        started = time.monotonic()
        while not self._wake.is_set():
            now = time.monotonic()
            idle = now - self._last_submit
            if idle >= IDLE_SECONDS or now - started >= MAX_DELAY_SECONDS:
                break
            if self._queue.qsize() >= MAX_BATCH:
                break
            self._wake.wait(IDLE_SECONDS - idle)
        self._wake.clear()

    def _write(self, repo: Repo, batch: list[tuple[CellRecord, str]]) -> None:
        try:
            repo.lineage.save(batch)
        except (NbvcError, OSError) as exc:
            self._errors.append(f"could not record the lineage of {len(batch)} cell(s): {exc}")
