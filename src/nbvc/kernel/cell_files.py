"""The files a running cell touched, from every source the tracer has.

- The audit hook (:mod:`nbvc.kernel.audit`): what the kernel's Python code opens, renames and
  deletes, with the exact mode and the file's state before the first touch.
- inotify on the repo's folders (:mod:`nbvc.kernel.inotify`, Linux): what C extensions and
  subprocesses read and write; and what changed between cells (a terminal, another program).
- Where inotify is not available: a stat check of tracked paths after each cell
  (:mod:`nbvc.kernel.watch`), which sees writes to tracked files only.

nbvc's own I/O (a magic's add or checkout) is not the cell's: :meth:`CellFiles.paused` sets it
apart, and keeps the paths it changed so that cells that read them can be told they are stale.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from nbvc.core import FileState
from nbvc.kernel import audit, inotify
from nbvc.kernel.watch import TrackedWatch


@dataclass
class Touched:
    """What one cell did to files (repo-relative paths)."""

    how: dict[str, int]  # path -> audit.READ / audit.WRITE bits
    states: dict[str, FileState | None]  # path -> state before the cell first touched it
    by_nbvc: list[str] = field(default_factory=list)  # changed by magics run in the cell
    before: list[str] = field(default_factory=list)  # changed outside any cell since the last
    incomplete: bool = False  # too many events: some files may be missing


class CellFiles:
    """The file sources of one repo, started and stopped around each cell."""

    def __init__(self, root: str, artifacts: Iterable[str], ignored: Iterable[str] = ()) -> None:
        """``ignored``: repo paths never taken as the cell's (the notebook, which Jupyter saves)."""
        self.root = root
        self.ignored = frozenset(ignored)
        self.skipped_prefixes = audit.skipped_prefixes(root)
        self.tree: inotify.TreeWatcher | None = None
        self.watch: TrackedWatch | None = None
        if inotify.available():
            skip = audit.FileEvents(root, self.skipped_prefixes).skips_folder
            with contextlib.suppress(OSError):  # no inotify instance left: use the stat check
                self.tree = inotify.TreeWatcher(root, skip)
        if self.tree is None:
            self.watch = TrackedWatch(root)
            self.watch.track(artifacts)
        self._events: audit.FileEvents | None = None
        self._started_ns = 0
        self._by_nbvc: list[str] = []
        self._before: list[str] = []

    def track(self, artifacts: Iterable[str]) -> None:
        """The tracked artifacts now (the stat check watches them)."""
        if self.watch is not None:
            self.watch.track(artifacts)

    def begin(self, started_ns: int) -> None:
        self._started_ns = started_ns
        self._by_nbvc = []
        self._events = audit.FileEvents(self.root, self.skipped_prefixes)
        if self.tree is not None:
            observed = inotify.Observed(self.root, self.skipped_prefixes)
            before = self._relative(self.tree.start(observed))
            self._before = [p for p in before if p not in self.ignored]
        audit.start(self._events)

    def end(self) -> Touched:
        audit.stop()
        events, self._events = self._events, None
        assert events is not None
        touched = Touched(dict(events.touched), dict(events.states), self._by_nbvc, self._before)
        if self.tree is not None:
            observed = self.tree.stop()
            if observed is not None:
                observed.finish(self._started_ns)
                _merge(touched, observed, self.ignored)
        elif self.watch is not None:
            for path in self.watch.changed(self._started_ns):
                touched.how[path] = touched.how.get(path, 0) | audit.WRITE
            touched.before = self.watch.outside
        return touched

    def written_so_far(self) -> list[str]:
        """Files the running cell has written until now."""
        events = self._events
        written = [p for p, how in events.touched.items() if how & audit.WRITE] if events else []
        if self.tree is not None:
            written += self.tree.written_so_far()
        elif self.watch is not None:
            written += self.watch.changed(self._started_ns, advance=False)
        return written

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Run nbvc's own I/O without recording it as the cell's; what it changed is kept."""
        events = audit.stop()
        try:
            with self._tree_paused() if self.tree is not None else self._watch_paused():
                yield
        finally:
            if events is not None:
                audit.start(events)

    @contextlib.contextmanager
    def _tree_paused(self) -> Iterator[None]:
        assert self.tree is not None
        observed = self.tree.stop()
        mine = inotify.Observed(self.root, self.skipped_prefixes)
        self.tree.start(mine)
        try:
            yield
        finally:
            self.tree.stop()
            self._by_nbvc += [p for p, how in mine.touched.items() if how & audit.WRITE]
            if observed is not None:
                self.tree.start(observed)

    @contextlib.contextmanager
    def _watch_paused(self) -> Iterator[None]:
        before = self.watch.snapshot() if self.watch else None
        try:
            yield
        finally:
            if self.watch is not None and before is not None:
                self._by_nbvc += self.watch.accept_changes(before)

    def close(self) -> None:
        audit.stop()
        if self.tree is not None:
            self.tree.close()
            self.tree = None

    def _relative(self, paths: Iterable[str]) -> list[str]:
        events = audit.FileEvents(self.root, self.skipped_prefixes)
        return [rel for rel in (events.relative(p) for p in paths) if rel is not None]


def _merge(touched: Touched, observed: inotify.Observed, ignored: frozenset[str]) -> None:
    """Add what inotify saw; the audit hook's state of a file (taken before Python opened it)
    wins over inotify's (taken a moment after the open)."""
    touched.incomplete = observed.overflowed
    for path, how in observed.touched.items():
        if path in ignored or path.endswith(".nbvc") or os.path.basename(path).startswith("."):
            continue  # pointer files (nbvc's bookkeeping, e.g. `!nbvc add`), hidden files
        touched.how[path] = touched.how.get(path, 0) | how
        if path not in touched.states:
            touched.states[path] = observed.states.get(path)
