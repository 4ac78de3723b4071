"""Every file any process opens, writes, creates, renames or deletes in the repo, via inotify.

The audit hook sees only what Python code of the kernel opens. Files read or written by C
libraries (pyarrow, HDF5, torch) and by subprocesses (``!python train.py``) are seen here: Linux
inotify watches every folder of the repo (minus hidden ones, ``__pycache__``, ``node_modules`` and
a virtualenv inside it) for the whole session, and a thread reads the events as they come,
handing them to the running cell's :class:`Observed` (between cells only writes are kept). Events
are queued by the kernel during the system call that causes them, so once a cell has returned
(and the subprocesses it waited for have exited) all its events are in the queue:
:meth:`TreeWatcher.stop` reads what is left. While a cell runs, a
thread empties the queue every :data:`DRAIN_SECONDS` (it holds at most 16,384 events); a cell
that touches no file costs two looks at the queue's size and signals no thread.

Limits (docs/lineage.md): events carry no process id, so files that another process (a terminal,
the Jupyter server) touches in the repo while a cell runs count as the cell's; a file opened for
writing and neither written nor closed by the end of the cell counts as read; at most
:data:`MAX_FOLDERS` folders are watched. Only Linux has inotify: elsewhere the tracer falls back
to a stat check of tracked paths (:mod:`nbvc.kernel.watch`).
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import ctypes.util
import errno
import os
import struct
import sys
import threading
from collections.abc import Callable

from nbvc.core import FileState, file_state
from nbvc.kernel.audit import READ, WRITE, FileEvents
from nbvc.kernel.watch import CLOCK_SLACK_NS

MAX_FOLDERS = 10_000
MAX_IDLE_WRITES = 10_000  # files changed between two cells that are remembered
DRAIN_SECONDS = 0.05  # while a cell runs
IDLE_SECONDS = 0.25  # between cells
IDLE_QUEUE_BYTES = 256 * 1024  # between cells, the queue is emptied once it holds this much
WATCH_ENV = "NBVC_LINEAGE_WATCH"  # "0" turns the watcher off (the stat check remains)

IN_MODIFY, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN = 0x2, 0x8, 0x10, 0x20
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR = 0x4000, 0x8000, 0x40000000
IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK = 0x01000000, 0x02000000, 0x04000000
_WRITES = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
_MASK = _WRITES | IN_OPEN | IN_CLOSE_NOWRITE | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len (struct inotify_event)
_BUFFER = 256 * 1024

# A content that can no longer be named: the file was read, then rewritten during the cell
# before its state could be taken.
UNKNOWN_STATE = FileState(-1, -1, -1)


class Observed(FileEvents):
    """The files one cell touched, as inotify tells: an open is a read unless the same file is
    then written (opening a file for writing shows as an open followed by a write)."""

    def __init__(self, root: str, skipped_prefixes: tuple[str, ...]) -> None:
        super().__init__(root, skipped_prefixes)
        self.pending: set[str] = set()  # opened, not yet known whether to read or to write
        self.overflowed = False  # the event queue overflowed: some files went unseen

    def opened(self, path: str) -> None:
        rel = self.relative(path)
        if rel is not None:
            if rel not in self.touched and rel not in self.states:
                self.states[rel] = file_state(path)  # before the cell writes it, with luck
            self.pending.add(rel)

    def read(self, path: str) -> None:
        rel = self.relative(path)
        if rel is not None:
            self.pending.discard(rel)
            self.add(rel, READ)

    def written(self, path: str, created: bool = False) -> None:
        rel = self.relative(path)
        if rel is not None:
            self.pending.discard(rel)
            if created and rel not in self.touched:
                self.states.setdefault(rel, None)  # it did not exist before the cell
            self.add(rel, WRITE)

    def finish(self, started_ns: int) -> None:
        """Open files never written are reads. A file read and then written in the cell is named
        by the state taken when it was opened, unless that state may already be the cell's (file
        times come from a coarse clock: a little before the cell counts as during it)."""
        for rel in self.pending:
            self.add(rel, READ)
        self.pending.clear()
        during = started_ns - CLOCK_SLACK_NS
        for rel, how in self.touched.items():
            state = self.states.get(rel)
            if how == READ | WRITE and state is not None and state.mtime_ns >= during:
                self.states[rel] = UNKNOWN_STATE


class _Libc:
    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self.init1 = libc.inotify_init1
        self.add_watch = libc.inotify_add_watch
        self.add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.rm_watch = libc.inotify_rm_watch


def available() -> bool:
    """Whether this platform has inotify and the user has not turned the watcher off."""
    return sys.platform.startswith("linux") and os.environ.get(WATCH_ENV, "1") != "0"


class TreeWatcher:
    """inotify watches on the folders of one repo, and a thread that reads their events."""

    def __init__(self, root: str, skip: Callable[[str], bool]) -> None:
        """Watch ``root`` and its folders, except those ``skip(path)`` is true for. Raises
        OSError if inotify cannot be used (no more instances, not Linux)."""
        self.root = root
        self.skip = skip
        self.full = False  # MAX_FOLDERS or the system's watch limit reached
        self._libc = _Libc()
        import fcntl  # Unix only, like inotify
        import termios

        self._ioctl, self._fionread = fcntl.ioctl, termios.FIONREAD
        fd = self._libc.init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            code = ctypes.get_errno()
            raise OSError(code, f"inotify: {os.strerror(code)}")
        self._fd = fd
        self._folders: dict[int, str] = {}  # watch descriptor -> absolute folder path
        self._target: Observed | None = None
        self._idle: set[str] = set()  # files written while no cell ran
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._lost = False  # the queue overflowed: events were lost
        self._watch_tree(root, None)
        self._thread = threading.Thread(target=self._loop, name="nbvc-inotify", daemon=True)
        self._thread.start()

    @property
    def folders(self) -> int:
        return len(self._folders)

    def start(self, observed: Observed) -> list[str]:
        """Send events to ``observed`` from now on. Returns the files (absolute paths) written
        since the last cell: by another program, or by this one between cells."""
        with self._lock:
            self._read_events()
            self._target = observed
            idle, self._idle = sorted(self._idle), set()
        return idle

    def stop(self) -> Observed | None:
        """Every event so far to the current target, which is detached and returned."""
        with self._lock:
            self._read_events()
            observed, self._target = self._target, None
        return observed

    def written_so_far(self) -> list[str]:
        """The files the running cell has written until now."""
        with self._lock:
            self._read_events()
            target = self._target
            return [p for p, how in target.touched.items() if how & WRITE] if target else []

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)
        os.close(self._fd)

    # -- the reader thread ---------------------------------------------------------------------
    def _loop(self) -> None:
        """Empty the queue now and then so that it cannot overflow: often while a cell runs,
        rarely between cells. The cells never signal the thread, so a short cell costs nothing
        here."""
        while not self._closing.wait(DRAIN_SECONDS if self._target else IDLE_SECONDS):
            queued = self._queued()
            if queued and (self._target is not None or queued >= IDLE_QUEUE_BYTES):
                with self._lock:
                    self._read_events()

    def _queued(self) -> int:
        """Bytes of events waiting in the queue."""
        size = array.array("i", [0])
        self._ioctl(self._fd, self._fionread, size, True)
        return size[0]

    def _read_events(self) -> None:
        """Handle every queued event (with the lock held)."""
        with contextlib.suppress(Exception):  # a watcher bug must never break the user's work
            self._read_queue()
            if self._lost:  # folders made meanwhile may be unwatched
                self._lost = False
                self._watch_tree(self.root, None)

    def _read_queue(self) -> None:
        while self._queued():
            buffer = os.read(self._fd, _BUFFER)
            offset = 0
            while offset < len(buffer):
                wd, mask, _cookie, size = _HEADER.unpack_from(buffer, offset)
                start = offset + _HEADER.size
                name = os.fsdecode(buffer[start : start + size].rstrip(b"\0"))
                offset = start + size
                self._handle(wd, mask, name)

    def _handle(self, wd: int, mask: int, name: str) -> None:
        target = self._target
        if mask & IN_Q_OVERFLOW:
            self._lost = True
            if target is not None:
                target.overflowed = True
            return
        if mask & IN_IGNORED:  # the folder was deleted or is no longer watched
            self._folders.pop(wd, None)
            return
        folder = self._folders.get(wd)
        if folder is None or not name:
            return
        path = os.path.join(folder, name)
        if mask & IN_ISDIR:
            self._folder_event(mask, path, target)
            return
        if target is None:
            if mask & _WRITES and len(self._idle) < MAX_IDLE_WRITES:
                self._idle.add(path)
            return
        if mask & _WRITES:
            target.written(path, created=bool(mask & IN_CREATE))
        elif mask & IN_CLOSE_NOWRITE:
            target.read(path)
        elif mask & IN_OPEN:
            target.opened(path)

    def _folder_event(self, mask: int, path: str, target: Observed | None) -> None:
        if mask & (IN_CREATE | IN_MOVED_TO):
            self._watch_tree(path, target)
        elif mask & IN_MOVED_FROM:
            self._unwatch_tree(path)

    # -- watches -------------------------------------------------------------------------------
    def _watch_tree(self, top: str, target: Observed | None) -> None:
        """Watch ``top`` and the folders below it. A folder that appeared while a cell ran was
        made by it: every file already in it is reported written (its events came before the
        watch)."""
        stack = [top]
        while stack:
            folder = stack.pop()
            if self.skip(folder) or not self._add_watch(folder):
                continue
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif target is not None:
                    target.written(entry.path, created=True)

    def _add_watch(self, folder: str) -> bool:
        if self.full:
            return False
        if len(self._folders) >= MAX_FOLDERS:
            self.full = True
            return False
        wd = self._libc.add_watch(self._fd, os.fsencode(folder), _MASK)
        if wd < 0:
            if ctypes.get_errno() == errno.ENOSPC:  # fs.inotify.max_user_watches
                self.full = True
            return False
        self._folders[wd] = folder
        return True

    def _unwatch_tree(self, top: str) -> None:
        prefix = top + os.sep
        for wd, folder in list(self._folders.items()):
            if folder == top or folder.startswith(prefix):
                self._libc.rm_watch(self._fd, wd)
                del self._folders[wd]
