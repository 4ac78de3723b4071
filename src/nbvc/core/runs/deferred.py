"""Work done for a run after the call that asked for it has returned.

Autolog's training metrics (a ``predict`` over the training set) and its model (stored, fsynced
and registered) would otherwise be added to every ``fit``. They run on one thread per run, in the
order asked, at most :data:`PENDING` pieces behind (asking for more waits, so a loop of fits
never holds more than that many models in memory). The run's end waits for them, at
interpreter exit too, so nothing is lost when a run ends; what failed is reported then.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

PENDING = 2

Work = Callable[[], None]


class Deferred:
    def __init__(self) -> None:
        self._queue: queue.Queue[Work | None] = queue.Queue(maxsize=PENDING)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._errors: list[str] = []

    def submit(self, work: Work) -> None:
        """Run ``work`` on the run's thread; an exception it raises is kept for :meth:`wait`."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._drain, name="nbvc-run", daemon=True)
                self._thread.start()
        self._queue.put(work)

    def wait(self) -> list[str]:
        """Let every piece of work submitted finish; returns what failed (one line each)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():  # not alive: e.g. in a forked child
            self._queue.put(None)
            thread.join()
        errors, self._errors = self._errors, []
        return errors

    def _drain(self) -> None:
        while (work := self._queue.get()) is not None:
            try:
                work()
            except Exception as exc:
                self._errors.append(str(exc) or type(exc).__name__)
