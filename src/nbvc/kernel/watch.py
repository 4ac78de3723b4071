"""A stat check of tracked paths after each cell, for writes the audit hook cannot see.

Code in C libraries (HDF5, Arrow, some image and model writers) writes files without Python's
``open``. After each cell the tracked files are stated once and compared with their state after
the previous cell; a change counts as the cell's write only if the file's mtime (or, for a
deleted file, its folder's) is not older than the cell, so a checkout in a terminal between two
cells is not taken for a write by the next one. A tracked folder is watched through its folders'
mtimes, which change when a file in them is created, renamed or deleted; a file inside it
rewritten in place by C code goes unseen. At most :data:`LIMIT` paths are watched, so the cost
per cell stays bounded (a few microseconds per path).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from nbvc.core import FileState, file_state

LIMIT = 64
# File timestamps come from the kernel's coarse clock, which may lag the real time by a tick.
CLOCK_SLACK_NS = 20_000_000

Snapshot = tuple[dict[str, FileState | None], dict[str, int | None]]


def _dir_mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


class TrackedWatch:
    def __init__(self, root: str, limit: int = LIMIT) -> None:
        self.root = root
        self.limit = limit
        self.files: list[str] = []  # repo-relative
        self.dirs: list[str] = []
        self._last: Snapshot = ({}, {})
        self.outside: list[str] = []  # watched files changed before the last cell started

    def track(self, artifacts: Iterable[str]) -> None:
        """Watch these tracked artifacts (files and folders) from now on."""
        files: list[str] = []
        dirs: list[str] = []
        for artifact in sorted(set(artifacts)):
            if os.path.isdir(os.path.join(self.root, artifact)):
                self._add_folder(artifact, dirs, len(files))
            elif len(files) + len(dirs) < self.limit:
                files.append(artifact)
        self.files, self.dirs = files, dirs
        now_files, now_dirs = self.snapshot()
        last_files, last_dirs = self._last
        self._last = (
            {f: last_files.get(f, state) for f, state in now_files.items()},
            {d: last_dirs.get(d, mtime) for d, mtime in now_dirs.items()},
        )

    def _add_folder(self, artifact: str, dirs: list[str], nfiles: int) -> None:
        stack = [artifact]
        while stack and nfiles + len(dirs) < self.limit:
            folder = stack.pop()
            dirs.append(folder)
            try:
                entries = sorted(os.scandir(os.path.join(self.root, folder)), key=lambda e: e.name)
            except OSError:
                continue
            stack += [f"{folder}/{e.name}" for e in entries if e.is_dir(follow_symlinks=False)]

    def snapshot(self) -> Snapshot:
        files = {f: file_state(os.path.join(self.root, f)) for f in self.files}
        return files, {d: _dir_mtime(os.path.join(self.root, d)) for d in self.dirs}

    def changed(self, since_ns: int, advance: bool = True) -> list[str]:
        """Files a cell that started at ``since_ns`` created, changed or deleted: watched files,
        and recently modified files in watched folders whose entries changed. With ``advance``,
        the current state becomes the reference for the next cell, and watched files that
        changed before the cell started are kept in :attr:`outside`."""
        now = self.snapshot()
        files, dirs = now
        last_files, last_dirs = self._last
        recent = since_ns - CLOCK_SLACK_NS
        found, outside = [], []
        for path, state in files.items():
            if state == last_files.get(path):
                continue
            parent = _dir_mtime(os.path.dirname(os.path.join(self.root, path))) or 0
            if (state.mtime_ns if state is not None else parent) >= recent:
                found.append(path)
            else:
                outside.append(path)
        known = set(files)
        for folder, mtime in dirs.items():
            if mtime != last_dirs.get(folder) and mtime is not None and mtime >= recent:
                found.extend(self._recent_files(folder, known, recent))
        if advance:
            self._last = now
            self.outside = outside
        return found

    def _recent_files(self, folder: str, known: set[str], since_ns: int) -> list[str]:
        try:
            entries = list(os.scandir(os.path.join(self.root, folder)))
        except OSError:
            return []
        recent = []
        for entry in entries:
            rel = f"{folder}/{entry.name}"
            if rel in known or not entry.is_file(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_mtime_ns >= since_ns:
                recent.append(rel)
        return recent

    def accept_changes(self, since: Snapshot) -> list[str]:
        """Paths that changed since the snapshot ``since`` changed by nbvc's own hand (a checkout
        in a magic, say): take their current state as the reference so they don't count.
        Returns the watched files among them."""
        files, dirs = self.snapshot()
        last_files, last_dirs = self._last
        changed = []
        for path, state in files.items():
            if state != since[0].get(path):
                last_files[path] = state
                changed.append(path)
        for folder, mtime in dirs.items():
            if mtime != since[1].get(folder):
                last_dirs[folder] = mtime
        return changed
