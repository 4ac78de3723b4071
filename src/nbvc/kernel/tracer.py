"""The cell tracer: records every executed cell as a lineage record.

``pre_run_cell`` notes the time and starts collecting audited file events; ``post_run_cell``
adds tracked files whose stat changed, names the contents read and written (hash, tracked
version), warns about stale inputs and hands the record to the background writer. A cell that
touches no file costs a few stats and a queue put (see ``benchmarks/bench_kernel_overhead.py``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nbvc.core import (
    CELL_PRODUCER,
    LINEAGE_READ,
    LINEAGE_WRITE,
    CellRecord,
    FileAccess,
    FileState,
    Repo,
    file_state,
    find_root,
    hash_bytes,
    new_id,
)
from nbvc.kernel import audit
from nbvc.kernel.notebook import notebook_path
from nbvc.kernel.watch import TrackedWatch
from nbvc.kernel.writer import RecordWriter


@dataclass
class _Running:
    info: Any  # IPython's ExecutionInfo: post_run_cell's result.info is the same object
    id: str
    started: float
    started_ns: int
    source: str
    cell_id: str | None
    events: audit.FileEvents


@dataclass(frozen=True)
class _Written:
    record_id: str
    state: FileState | None  # right after the cell
    started: float


class _Context:
    """The repo the kernel's working folder is in, with what the tracer keeps per repo."""

    def __init__(self, root: str) -> None:
        self.repo = Repo(root)
        self.notebook = notebook_path(self.repo.root)
        self.writer = RecordWriter(self.repo.root)
        self.watch = TrackedWatch(self.repo.root)
        self.skipped_prefixes = audit.skipped_prefixes(self.repo.root)
        self.cwd = ""  # the working folder relative to the root, "" at the root
        self.artifacts = set(self.repo.tracked())
        self.watch.track(self.artifacts)
        self.versions_dir = os.path.join(self.repo.records.root, "versions")
        self.versions_mtime = _mtime(self.versions_dir)

    def refresh_watch(self) -> None:
        """Watch artifacts added since (by a magic here, or `nbvc add` elsewhere)."""
        mtime = _mtime(self.versions_dir)
        if mtime == self.versions_mtime:
            return
        self.versions_mtime = mtime
        history = self.repo.history
        history.sync()
        self.artifacts |= set(history.artifacts())
        self.artifacts = {
            a for a in self.artifacts if os.path.exists(self.repo.abspath(a) + ".nbvc")
        }
        self.watch.track(self.artifacts)

    def close(self) -> None:
        self.writer.close()
        self.repo.close()


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


class CellTracer:
    def __init__(self, session: str) -> None:
        self.session = session
        self._context: _Context | None = None
        self._cwd: str | None = None
        self._running: _Running | None = None
        self._writes: dict[str, _Written] = {}
        self._reads: dict[tuple[str | None, str, str], FileAccess] = {}
        self._own_writes: dict[tuple[str | None, str, str], FileAccess] = {}

    # -- the repo ---------------------------------------------------------------------------
    def context(self) -> _Context | None:
        """The repo of the current working folder (re-checked when the folder changes)."""
        cwd = os.getcwd()
        if cwd == self._cwd and self._context is not None:
            return self._context
        self._cwd = cwd
        root = find_root(cwd)
        if self._context is not None and self._context.repo.root != root:
            self._context.close()
            self._context = None
        if root is not None and self._context is None:
            self._context = _Context(root)
            from nbvc.core import set_run_context

            notebook = self._context.notebook
            set_run_context("notebook", notebook=notebook, session=self.session)
        if self._context is not None:
            rel = os.path.relpath(cwd, self._context.repo.root)
            self._context.cwd = "" if rel == "." else rel.replace(os.sep, "/")
        return self._context

    def repo(self) -> Repo | None:
        context = self.context()
        return context.repo if context else None

    def flush(self) -> None:
        if self._context is not None:
            self._context.writer.flush()

    def close(self) -> None:
        audit.stop()
        if self._context is not None:
            self._context.close()
            self._context = None
        self._cwd = None

    # -- IPython events ---------------------------------------------------------------------
    def pre_run_cell(self, info: Any) -> None:
        if self._running is not None:  # a cell run from inside a cell belongs to that cell
            return
        context = self.context()
        if context is None:
            return
        events = audit.FileEvents(context.repo.root, context.skipped_prefixes)
        self._running = _Running(
            info,
            new_id(),
            time.time(),
            time.time_ns(),
            info.raw_cell,
            getattr(info, "cell_id", None),
            events,
        )
        audit.start(events)

    def post_run_cell(self, result: Any) -> None:
        running = self._running
        if running is None or getattr(result, "info", None) is not running.info:
            return  # not the cell pre_run_cell saw start (an inner or empty cell)
        self._running = None
        audit.stop()
        context = self._context
        if context is None:
            return
        try:
            self._finish(context, running, result)
        except Exception as exc:  # recording must never break the user's work
            _warn(f"could not record the lineage of this cell ({type(exc).__name__}: {exc})")

    def _finish(self, context: _Context, running: _Running, result: Any) -> None:
        touched = dict(running.events.touched)
        for path in context.watch.changed(running.started_ns):
            touched[path] = touched.get(path, 0) | audit.WRITE
        reads, writes = self._accesses(context.repo, running, touched) if touched else ((), ())
        cell = CellRecord(
            id=running.id,
            session=self.session,
            notebook=context.notebook,
            cell_id=running.cell_id,
            execution_count=result.execution_count,
            source_oid=hash_bytes(running.source.encode("utf-8")),
            cwd=context.cwd,
            started=running.started,
            ended=time.time(),
            success=bool(result.success),
            reads=reads,
            writes=writes,
            run=_active_run_id(running.cell_id),
        )
        if reads:
            self._warn_stale(context.repo, cell)
        self._remember(context.repo, cell)
        context.writer.submit(cell, running.source)
        for error in context.writer.take_errors():
            _warn(error)
        context.refresh_watch()

    def _accesses(
        self, repo: Repo, running: _Running, touched: dict[str, int]
    ) -> tuple[tuple[FileAccess, ...], tuple[FileAccess, ...]]:
        states = running.events.states
        read = {p: states[p] for p, how in touched.items() if how & audit.READ and states.get(p)}
        written = {p: None for p, how in touched.items() if how & audit.WRITE}
        reads = repo.lineage.describe(read)
        writes = repo.lineage.describe(written)
        # a file opened for writing that neither existed before nor exists now was never written
        gone = [p for p, w in writes.items() if w.oid is None and states.get(p, True) is None]
        for path in gone:
            del writes[path]
        return tuple(reads.values()), tuple(writes.values())

    # -- stale inputs -----------------------------------------------------------------------
    def _warn_stale(self, repo: Repo, cell: CellRecord) -> None:
        lineage = repo.lineage
        for read in cell.reads:
            key = (cell.notebook, cell.cell_key, read.path)
            before = self._reads.get(key) or lineage.last_access(
                cell.notebook, cell.cell_key, read.path, LINEAGE_READ
            )
            if before is None or before.oid is None or read.oid is None or before.oid == read.oid:
                continue
            own = self._own_writes.get(key) or lineage.last_access(
                cell.notebook, cell.cell_key, read.path, LINEAGE_WRITE
            )
            if own is not None and own.oid == read.oid:
                continue  # the cell reads back what it wrote last time
            _warn(
                f"stale input: {read.path} is {_content_label(read)} now; this cell read "
                f"{_content_label(before)} last time"
            )

    def _remember(self, repo: Repo, cell: CellRecord) -> None:
        for write in cell.writes:
            state = file_state(repo.abspath(write.path))
            self._writes[write.path] = _Written(cell.id, state, cell.started)
            self._own_writes[(cell.notebook, cell.cell_key, write.path)] = write
        for read in cell.reads:
            self._reads[(cell.notebook, cell.cell_key, read.path)] = read

    # -- for magics ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Run nbvc's own I/O (a magic's add or checkout) without recording it for the cell."""
        events = audit.stop()
        context = self._context
        before = context.watch.snapshot() if context else None
        try:
            yield
        finally:
            if context is not None and before is not None:
                context.watch.accept_changes(before)
                context.refresh_watch()
            if events is not None:
                audit.start(events)

    def producer_for(self, artifact: str) -> str | None:
        """``cell:<id>`` of the cell that wrote ``artifact`` (or files in it), if nothing has
        changed it since: the running cell first, then earlier cells of this session."""
        context = self._context
        if context is None:
            return None
        prefix = artifact + "/"
        running = self._running
        if running is not None:
            current = [p for p, how in running.events.touched.items() if how & audit.WRITE]
            current += context.watch.changed(running.started_ns, advance=False)
            if any(p == artifact or p.startswith(prefix) for p in current):
                return CELL_PRODUCER + running.id
        latest: _Written | None = None
        for path, written in self._writes.items():
            if path != artifact and not path.startswith(prefix):
                continue
            if file_state(context.repo.abspath(path)) != written.state:
                continue
            if latest is None or written.started > latest.started:
                latest = written
        return CELL_PRODUCER + latest.record_id if latest else None


def _active_run_id(cell_id: str | None) -> str | None:
    """The run ``nbvc.log_metric`` logs to now (the kernel's run), if one is open; the run
    notes that the cell ran in it (its record lists the notebook's cell ids)."""
    runlog = sys.modules.get("nbvc.core.runs.logging")  # not imported: nothing was logged
    run = runlog.active_run() if runlog is not None else None
    if run is None:
        return None
    if cell_id and run.is_open():
        run.record_cell(cell_id)
    return str(run.id)


def _content_label(access: FileAccess) -> str:
    if access.version is not None and access.artifact == access.path:
        return f"v{access.version}"
    if access.version is not None:
        return f"as in {access.artifact}@v{access.version}"
    return access.oid[:8] if access.oid else "unknown"


def _warn(message: str) -> None:
    print(f"nbvc: {message}", file=sys.stderr)
