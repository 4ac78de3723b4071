"""Naming the files a cell touched: their content hash and, if nbvc tracks them, their version.

Hashes go through the engine's stat cache, so a file that did not change since nbvc last saw it
is not read again. The kernel tracer calls :func:`describe` after each cell that touched files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from typing import ParamSpec, TypeVar

from nbvc.core.artifacts import pointer
from nbvc.core.artifacts.build import resolve_oids
from nbvc.core.artifacts.paths import parents
from nbvc.core.artifacts.pointer import Pointer
from nbvc.core.artifacts.scan import FileStat, Scanner
from nbvc.core.errors import NbvcError
from nbvc.core.lineage.cell_record import FileAccess, FileState, file_state
from nbvc.core.progress import NULL
from nbvc.core.repo import Repo
from nbvc.core.storage.tree import Tree

P = ParamSpec("P")
T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs work on the calling thread: hashing a handful of files needs no thread pool."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future, like a pool
            future.set_exception(exc)
        return future


def describe(repo: Repo, seen: Mapping[str, FileState | None]) -> dict[str, FileAccess]:
    """Hash and look up the files at the repo-relative paths in ``seen``.

    ``seen[path]`` is the state the file had when the cell opened it (None if unknown). If the
    file changed since, the content that was read is named only if the stat cache remembers it.
    Folders are left out; a missing file comes back with ``oid=None``.
    """
    scanner = Scanner(repo.root, repo.odb)
    to_hash: list[tuple[str, FileStat]] = []
    found: dict[str, str | None] = {}
    sizes: dict[str, int | None] = {}
    for path, before in seen.items():
        absolute = repo.abspath(path)
        now = file_state(absolute)
        if now is None:
            if not os.path.isdir(absolute):
                found[path], sizes[path] = None, None
            continue
        if before is not None and before != now:
            found[path], sizes[path] = _remembered_oid(repo, before), before.size
            continue
        try:
            to_hash.append((path, scanner.file(absolute)))
        except NbvcError:  # a symlink out of the repo: its content is not nbvc's to name
            found[path], sizes[path] = None, now.size
    if to_hash:
        task = NULL.task("lineage", len(to_hash))
        oids = resolve_oids([fs for _, fs in to_hash], repo.index, InlineExecutor(), None, task)
        for (path, _), (oid, size) in zip(to_hash, oids, strict=True):
            found[path], sizes[path] = oid, size
    lookup = TrackedLookup(repo)
    return {path: lookup.access(path, oid, sizes[path]) for path, oid in sorted(found.items())}


def _remembered_oid(repo: Repo, state: FileState) -> str | None:
    row = repo.index.stat_lookup([state.ino]).get(state.ino)
    return row.oid if row is not None and row.matches(state.size, state.mtime_ns) else None


class TrackedLookup:
    """Which tracked artifact holds a path, and which version a given content of it is."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._pointers: dict[str, Pointer | None] = {}
        self._trees: dict[str, Tree | None] = {}

    def access(self, path: str, oid: str | None, size: int | None) -> FileAccess:
        artifact = self.artifact_of(path)
        if artifact is None:
            return FileAccess(path, oid, size)
        return FileAccess(path, oid, size, artifact, self.version_of(artifact, path, oid))

    def artifact_of(self, path: str) -> str | None:
        for candidate in (path, *parents(path)):
            if self._pointer(candidate) is not None:
                return candidate
        return None

    def version_of(self, artifact: str, path: str, oid: str | None) -> int | None:
        """The version of ``artifact`` whose content at ``path`` is ``oid``, if nbvc knows it.

        A file inside a tracked folder counts as that folder's version when it matches the
        folder's pointer; a tracked file also matches any of its own earlier versions.
        """
        current = self._pointer(artifact)
        if oid is None or current is None:
            return None
        if artifact == path:
            if current.oid == oid:
                return current.version
            version = self.repo.history.by_oid(artifact, oid)
            return version.number if version else None
        tree = self._tree(current.oid)
        meta = tree.files.get(path[len(artifact) + 1 :]) if tree else None
        return current.version if meta is not None and meta.oid == oid else None

    def _pointer(self, artifact: str) -> Pointer | None:
        if artifact not in self._pointers:
            try:
                self._pointers[artifact] = pointer.read(self.repo.abspath(artifact))
            except NbvcError:
                self._pointers[artifact] = None
        return self._pointers[artifact]

    def _tree(self, oid: str) -> Tree | None:
        if oid not in self._trees:
            try:
                self._trees[oid] = self.repo.workspace.load_tree(oid)
            except NbvcError:
                self._trees[oid] = None
        return self._trees[oid]
