"""Writing lineage records on a background thread, so no cell waits for an fsync.

The thread has its own :class:`~nbvc.core.repo.Repo` (and so its own SQLite connection). Records
are small and written in order; :meth:`RecordWriter.flush` waits until everything queued so far
is on disk (magics that read lineage call it first).
"""

from __future__ import annotations

import queue
import threading

from nbvc.core.errors import NbvcError
from nbvc.core.lineage.model import CellRun
from nbvc.core.lineage.store import save
from nbvc.core.repo import Repo

FLUSH_TIMEOUT = 60.0

# a cell to save, a flush marker to set, or None to stop
_Item = tuple[CellRun, str] | threading.Event | None


class RecordWriter:
    def __init__(self, root: str) -> None:
        self.root = root
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._errors: list[str] = []

    def submit(self, cell: CellRun, source: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="nbvc-lineage", daemon=True)
            self._thread.start()
        self._queue.put((cell, source))

    def flush(self) -> None:
        if self._thread is None:
            return
        done = threading.Event()
        self._queue.put(done)
        done.wait(FLUSH_TIMEOUT)

    def close(self) -> None:
        """Write what is queued and stop the thread."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(FLUSH_TIMEOUT)
        self._thread = None

    def take_errors(self) -> list[str]:
        errors, self._errors = self._errors, []
        return errors

    def _run(self) -> None:
        with Repo(self.root) as repo:
            while (item := self._queue.get()) is not None:
                if isinstance(item, threading.Event):
                    item.set()
                    continue
                cell, source = item
                try:
                    save(repo, cell, source)
                except (NbvcError, OSError) as exc:
                    self._errors.append(f"could not record the lineage of {cell.label}: {exc}")
