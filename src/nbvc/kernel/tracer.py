"""The cell tracer: records every executed cell as a lineage record.

``pre_run_cell`` notes the time and starts collecting the files the cell touches
(:mod:`nbvc.kernel.cell_files`); ``post_run_cell`` names the contents read and written (hash,
tracked version), tells which cells this one made stale (:mod:`nbvc.kernel.stale`) and hands
the record to the background writer. A cell that touches no file costs a few microseconds (see
``benchmarks/bench_kernel_overhead.py``).

Cells that ran before the kernel's folder was in a repo (the cell that loaded the extension,
``%cd`` and ``!nbvc init`` included) and those run before ``%load_ext nbvc`` are kept in memory
and recorded, with their code and no files, in the first repo the kernel works in: the names they
bind (imports, helper functions, constants) belong to the session, and ``lineage --script`` needs
them.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
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
from nbvc.kernel.cell_files import CellFiles, Touched
from nbvc.kernel.notebook import notebook_path
from nbvc.kernel.stale import StaleCells, cell_name, content_label
from nbvc.kernel.writer import RecordWriter

MAX_UNRECORDED = 200  # cells kept in memory until the kernel works in a repo


@dataclass
class _Running:
    info: Any  # IPython's ExecutionInfo: post_run_cell's result.info is the same object
    id: str
    started: float
    started_ns: int
    source: str
    cell_id: str | None
    context: _Context | None  # the repo the cell started in: its files are being collected


@dataclass(frozen=True)
class _Unrecorded:
    """A cell that ran while the kernel was in no repo, or before the extension was loaded."""

    source: str
    cell_id: str | None
    execution_count: int | None
    started: float
    ended: float
    success: bool


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
        self.cwd = ""  # the working folder relative to the root, "" at the root
        self.artifacts = set(self.repo.tracked())
        self.files = CellFiles(self.repo.root, self.artifacts, [self.notebook or ""])
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
        self.files.track(self.artifacts)

    def close(self) -> None:
        self.files.close()
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
        self.stale = StaleCells()
        self._unrecorded: deque[_Unrecorded] = deque(maxlen=MAX_UNRECORDED)
        self._loaded_at: float | None = None  # set while the cell that loaded us still runs

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

    # -- cells from before ----------------------------------------------------------------------
    def loaded(self, history: Iterable[tuple[int, str]]) -> None:
        """The extension was loaded by the running cell, after the cells in ``history``
        (execution count, source): keep them, and the running cell when it ends."""
        now = time.time()
        earlier = [(count, source) for count, source in history if source.strip()]
        for i, (count, source) in enumerate(earlier):
            tick = now - (len(earlier) - i) * 1e-3  # before the loading cell, in their order
            self._unrecorded.append(_Unrecorded(source, None, count, tick, tick, True))
        self._loaded_at = now

    # -- IPython events ---------------------------------------------------------------------
    def pre_run_cell(self, info: Any) -> None:
        self._loaded_at = None
        if self._running is not None:  # a cell run from inside a cell belongs to that cell
            return
        context = self.context()
        running = _Running(
            info,
            new_id(),
            time.time(),
            time.time_ns(),
            info.raw_cell,
            getattr(info, "cell_id", None),
            context,
        )
        self._running = running
        if context is not None:
            context.files.begin(running.started_ns)

    def post_run_cell(self, result: Any) -> None:
        running = self._running
        if running is None:
            self._loading_cell_ended(result)
            return
        if getattr(result, "info", None) is not running.info:
            return  # not the cell pre_run_cell saw start (an inner or empty cell)
        self._running = None
        context = running.context or self.context()
        if context is None:
            self._keep_unrecorded(running, result)
            return
        try:
            touched = context.files.end() if running.context is not None else None
            self._record_unrecorded(context)
            self._finish(context, running, result, touched)
        except Exception as exc:  # recording must never break the user's work
            _warn(f"could not record the lineage of this cell ({type(exc).__name__}: {exc})")

    def _loading_cell_ended(self, result: Any) -> None:
        """The cell that ran ``%load_ext nbvc`` ended (it had no ``pre_run_cell``)."""
        started, self._loaded_at = self._loaded_at, None
        info = getattr(result, "info", None)
        if started is None or info is None:
            return
        running = _Running(
            info, new_id(), started, 0, info.raw_cell, getattr(info, "cell_id", None), None
        )
        self._running = running
        self.post_run_cell(result)

    def _keep_unrecorded(self, running: _Running, result: Any) -> None:
        count = result.execution_count
        success = bool(result.success)
        cell = _Unrecorded(
            running.source, running.cell_id, count, running.started, time.time(), success
        )
        self._unrecorded.append(cell)

    def _record_unrecorded(self, context: _Context) -> None:
        while self._unrecorded:
            kept = self._unrecorded.popleft()
            cell = CellRecord(
                id=new_id(),
                session=self.session,
                notebook=context.notebook,
                cell_id=kept.cell_id,
                execution_count=kept.execution_count,
                source_oid=hash_bytes(kept.source.encode("utf-8")),
                cwd="",
                started=kept.started,
                ended=kept.ended,
                success=kept.success,
            )
            context.writer.submit(cell, kept.source)

    def _finish(
        self, context: _Context, running: _Running, result: Any, touched: Touched | None
    ) -> None:
        reads: tuple[FileAccess, ...] = ()
        writes: tuple[FileAccess, ...] = ()
        if touched is not None and touched.how:
            reads, writes = self._accesses(context.repo, touched.how, touched.states)
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
        if touched is not None:
            self._tell_stale(context.repo, cell, touched)
            if touched.incomplete:
                _warn("this cell touched too many files to see them all; its lineage is partial")
        self._remember(context.repo, cell)
        context.writer.submit(cell, running.source)
        for error in context.writer.take_errors():
            _warn(error)
        context.refresh_watch()

    def _accesses(
        self, repo: Repo, touched: dict[str, int], states: dict[str, FileState | None]
    ) -> tuple[tuple[FileAccess, ...], tuple[FileAccess, ...]]:
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
    def _tell_stale(self, repo: Repo, cell: CellRecord, touched: Touched) -> None:
        """Notices for the cells made stale by what changed before this cell and by this cell;
        this cell itself is fresh now (or read changed inputs: say so)."""
        key = cell.cell_key
        if touched.before:
            before = repo.lineage.describe(dict.fromkeys(self.stale.reads(touched.before))).values()
            self._notify(self.stale.changed(before, "changed between cells", key))
        was_stale = self.stale.ran(cell)
        if cell.reads and not was_stale:
            self._warn_changed_inputs(repo, cell)
        name = cell_name(cell)
        self._notify(self.stale.changed(cell.writes, f"{name} rewrote", key))
        if touched.by_nbvc:
            by_nbvc = repo.lineage.describe(
                dict.fromkeys(self.stale.reads(touched.by_nbvc))
            ).values()
            self._notify(self.stale.changed(by_nbvc, f"nbvc changed in {name}", key))

    @staticmethod
    def _notify(notices: list[str]) -> None:
        for notice in notices:
            _warn(notice)

    def _warn_changed_inputs(self, repo: Repo, cell: CellRecord) -> None:
        """Inputs that differ from what this cell read on its last run, in this session or an
        earlier one, when no notice said so."""
        for read in cell.reads:
            key = (cell.notebook, cell.cell_key, read.path)
            before = self._reads.get(key) or repo.lineage.last_access(
                cell.notebook, cell.cell_key, read.path, LINEAGE_READ
            )
            if before is None or before.oid is None or read.oid is None or before.oid == read.oid:
                continue
            own = self._own_writes.get(key) or repo.lineage.last_access(
                cell.notebook, cell.cell_key, read.path, LINEAGE_WRITE
            )
            if own is not None and own.oid == read.oid:
                continue  # the cell reads back what it wrote last time
            _warn(
                f"stale input: {read.path} is {content_label(read)} now; this cell read "
                f"{content_label(before)} last time"
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
        context = self._context
        if context is None:
            yield
            return
        try:
            with context.files.paused():
                yield
        finally:
            context.refresh_watch()

    def producer_for(self, artifact: str) -> str | None:
        """``cell:<id>`` of the cell that wrote ``artifact`` (or files in it), if nothing has
        changed it since: the running cell first, then earlier cells of this session."""
        context = self._context
        if context is None:
            return None
        prefix = artifact + "/"
        running = self._running
        if running is not None and running.context is context:
            current = context.files.written_so_far()
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


def _warn(message: str) -> None:
    print(f"nbvc: {message}", file=sys.stderr)
