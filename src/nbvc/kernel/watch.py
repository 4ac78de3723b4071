"""A stat check of tracked paths around each cell, for writes the audit hook cannot see.

Code in C libraries (HDF5, Arrow, some image and model writers) writes files without Python's
``open``. Stating every tracked file before and after a cell catches those writes, at about a
microsecond per file. Tracked folders contribute their files up to :data:`LIMIT` paths in all,
plus their folders' own mtimes, which change when a file is created, renamed or deleted in them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from nbvc.core.lineage.files import FileState, file_state

LIMIT = 128

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
        self._files_before: dict[str, FileState | None] = {}
        self._dirs_before: dict[str, int | None] = {}

    def track(self, artifacts: Iterable[str]) -> None:
        """Watch these tracked artifacts (files and folders) from now on."""
        files: list[str] = []
        dirs: list[str] = []
        for artifact in sorted(set(artifacts)):
            path = os.path.join(self.root, artifact)
            if os.path.isdir(path):
                self._add_folder(artifact, files, dirs)
            elif len(files) < self.limit:
                files.append(artifact)
        old_files, old_dirs = self._files_before, self._dirs_before
        self.files, self.dirs = files, dirs
        new_files, new_dirs = self.snapshot()
        self._files_before = {f: old_files.get(f, state) for f, state in new_files.items()}
        self._dirs_before = {d: old_dirs.get(d, mtime) for d, mtime in new_dirs.items()}

    def _add_folder(self, artifact: str, files: list[str], dirs: list[str]) -> None:
        stack = [artifact]
        while stack and len(files) + len(dirs) < self.limit:
            folder = stack.pop()
            dirs.append(folder)
            try:
                entries = sorted(os.scandir(os.path.join(self.root, folder)), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                rel = f"{folder}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel)
                elif len(files) + len(dirs) < self.limit:
                    files.append(rel)

    def baseline(self) -> None:
        self._files_before, self._dirs_before = self.snapshot()

    def snapshot(self) -> Snapshot:
        files = {f: file_state(os.path.join(self.root, f)) for f in self.files}
        return files, {d: _dir_mtime(os.path.join(self.root, d)) for d in self.dirs}

    def changed(self, since_ns: int) -> list[str]:
        """Repo-relative files created, changed or deleted since :meth:`baseline`.

        In a folder whose entries changed, files modified at or after ``since_ns`` count too.
        """
        files, dirs = self.snapshot()
        found = [f for f, state in files.items() if state != self._files_before.get(f)]
        known = set(files)
        for folder, mtime in dirs.items():
            if mtime != self._dirs_before.get(folder):
                found.extend(self._recent_files(folder, known, since_ns))
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

    def accept_changes(self, since: Snapshot) -> None:
        """Paths that changed since the snapshot ``since`` changed by nbvc's own hand (a checkout
        in a magic, say): take their current state as the baseline so they don't count."""
        files, dirs = self.snapshot()
        for path, state in files.items():
            if state != since[0].get(path):
                self._files_before[path] = state
        for folder, mtime in dirs.items():
            if mtime != since[1].get(folder):
                self._dirs_before[folder] = mtime
