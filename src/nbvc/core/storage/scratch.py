"""Temp files where the user never sees them, gone by the next command even after a kill -9.

Each process writes its temp files into a folder of its own, `.nbvc/tmp/proc-<pid>-<random>/`,
which it holds an flock on while it lives. Any nbvc command (every :class:`~nbvc.core.repo.Repo`
opened) sweeps the folders whose lock it can take: their process is gone. A file that must be
renamed over a workspace path is written in that folder too (a rename within one filesystem);
only where the workspace path lies on another filesystem is the temp file put beside it, named
``.nbvc-tmp-*`` (which every scan ignores) and listed in the folder's ``outside`` file, so the
sweep removes it as well.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import shutil
import threading
import time

PROC_PREFIX = "proc-"
NEW_PREFIX = "new-"  # a folder being created (not yet locked)
OUTSIDE = "outside"
TEMP_MARK = ".nbvc-tmp-"  # in the name of a temp file beside its target (and of older nbvc's)
PROBE_MARK = ".nbvc-probe-"
LEGACY_PREFIXES = ("obj-", "fetch-", TEMP_MARK)  # loose temp files older nbvc versions left
LEGACY_AGE_SECONDS = 3600


def is_temp_name(name: str) -> bool:
    """True for the name of a temp file nbvc may leave beside a target."""
    return TEMP_MARK in name or name.startswith(PROBE_MARK)


class Scratch:
    """This process's temp folder under one repo's `.nbvc/tmp`, created on first use."""

    def __init__(self, tmp_root: str) -> None:
        self.tmp_root = tmp_root
        self._dir: str | None = None
        self._fd: int | None = None
        self._device: int | None = None
        self._lock = threading.Lock()

    @property
    def dir(self) -> str:
        with self._lock:
            if self._dir is None:
                self._dir = self._create()
            return self._dir

    def temp(self, prefix: str = "tmp-") -> str:
        """A fresh path (not created) in this process's temp folder."""
        return os.path.join(self.dir, f"{prefix}{os.urandom(8).hex()}")

    def temp_for(self, target: str) -> str:
        """A fresh path (not created) from which a rename can replace ``target``."""
        folder = os.path.dirname(os.path.abspath(target))
        path = self.temp()
        if self._same_device(folder):
            return path
        beside = os.path.join(folder, f"{TEMP_MARK}{os.urandom(8).hex()}")
        with open(os.path.join(self.dir, OUTSIDE), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(beside) + "\n")
        return beside

    def close(self) -> None:
        """Remove the folder and every temp file it lists (at exit)."""
        with self._lock:
            if self._dir is not None:
                _remove_folder(self._dir)
                self._dir = None
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _create(self) -> str:
        """Make and lock a new folder. A sweep in another process may take a new folder for
        a dead one in the moment before it is locked: then start again with another."""
        import tempfile  # here, not at the top: a command that writes nothing (status) skips it

        os.makedirs(self.tmp_root, exist_ok=True)
        while True:
            fresh = tempfile.mkdtemp(prefix=NEW_PREFIX, dir=self.tmp_root)
            try:
                fd = os.open(fresh, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue
            final = os.path.join(self.tmp_root, f"{PROC_PREFIX}{os.getpid()}-{os.urandom(4).hex()}")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.rename(fresh, final)
            except (BlockingIOError, FileNotFoundError):
                os.close(fd)
                continue
            self._fd = fd
            self._device = os.fstat(fd).st_dev
            return final

    def _same_device(self, folder: str) -> bool:
        if self._device is None:
            _ = self.dir  # creating the folder learns its device
        try:
            return os.stat(folder).st_dev == self._device
        except OSError:
            return True  # the rename will say what is wrong with the folder


_scratches: dict[tuple[int, str], Scratch] = {}
_registry_lock = threading.Lock()


def scratch(tmp_root: str) -> Scratch:
    """This process's :class:`Scratch` under ``tmp_root`` (one per process and repo)."""
    key = (os.getpid(), tmp_root)
    with _registry_lock:
        found = _scratches.get(key)
        if found is None:
            found = _scratches[key] = Scratch(tmp_root)
        return found


def temp_path_for(target: str) -> str:
    """Where to write a file that a rename then puts at ``target``: the temp folder of the repo
    holding ``target`` if there is one, else beside ``target`` (with a name scans ignore)."""
    folder = os.path.dirname(os.path.abspath(target))
    tmp_root = _tmp_root_above(folder)
    if tmp_root is None:
        return os.path.join(folder, f"{TEMP_MARK}{os.urandom(8).hex()}")
    return scratch(tmp_root).temp_for(target)


def _tmp_root_above(folder: str) -> str | None:
    current = folder
    while True:
        candidate = os.path.join(current, ".nbvc", "tmp")
        if os.path.isdir(candidate):
            return candidate
        if os.path.basename(current) == ".nbvc" and os.path.isdir(os.path.join(current, "tmp")):
            return os.path.join(current, "tmp")
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def sweep(tmp_root: str) -> int:
    """Remove the temp folders of processes that are gone (and what they list outside); also
    loose temp files older nbvc versions left. Returns how many folders went."""
    try:
        entries = list(os.scandir(tmp_root))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return 0
    swept = 0
    now = time.time()
    for entry in entries:
        name = entry.name
        with contextlib.suppress(OSError):
            if name.startswith((PROC_PREFIX, NEW_PREFIX)) and entry.is_dir(follow_symlinks=False):
                swept += _sweep_folder(entry.path)
            elif name.startswith(LEGACY_PREFIXES) and _older(entry, now - LEGACY_AGE_SECONDS):
                os.unlink(entry.path)
    return swept


def _older(entry: os.DirEntry[str], cutoff: float) -> bool:
    """A regular file last changed before ``cutoff``."""
    return (
        entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff
    )


def _sweep_folder(path: str) -> int:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # its process is alive
        _remove_folder(path)
        return 1
    finally:
        os.close(fd)


def _remove_folder(path: str) -> None:
    """Remove a temp folder and the temp files beside their targets that it lists."""
    with contextlib.suppress(OSError), open(os.path.join(path, OUTSIDE), encoding="utf-8") as f:
        for line in f:
            with contextlib.suppress(ValueError, OSError):
                outside = json.loads(line)
                if isinstance(outside, str) and TEMP_MARK in os.path.basename(outside):
                    os.unlink(outside)
    shutil.rmtree(path, ignore_errors=True)


@atexit.register
def _close_all() -> None:
    for key, found in list(_scratches.items()):
        if key[0] == os.getpid():
            found.close()
