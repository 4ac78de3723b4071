"""What is in the workspace at an artifact's path, as oids and trees."""

from __future__ import annotations

import contextlib
import os
import time
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from blake3 import blake3

from nbvc.core.artifacts.build import resolve_oids, tree_from_scan
from nbvc.core.artifacts.pointer import SUFFIX, looks_like_pointer
from nbvc.core.artifacts.scan import DirScan, FileStat, Scanner
from nbvc.core.errors import NbvcError, OverlapError, PathError
from nbvc.core.progress import NULL, Reporter
from nbvc.core.storage.hashing import TREE_SUFFIX
from nbvc.core.storage.index_db import DirRow, Index
from nbvc.core.storage.odb import ObjectStore
from nbvc.core.storage.pool import Pool
from nbvc.core.storage.tree import FileMeta, Tree

PRUNED_DIRS = frozenset({".git", ".nbvc", "node_modules", "__pycache__", ".ipynb_checkpoints"})


@dataclass(frozen=True)
class Snapshot:
    """The content at an artifact's path: a file's oid, or a directory's tree."""

    kind: str  # "file" or "dir"
    oid: str
    size: int
    nfiles: int
    tree: Tree | None  # for directories
    # what is there but not versioned (relative paths): FIFOs, sockets, devices and dangling
    # symlinks are left out; other symlinks are followed, so their content is kept, not them
    skipped: tuple[str, ...] = ()
    symlinks: tuple[str, ...] = ()


@dataclass
class Workspace:
    root: str
    odb: ObjectStore
    index: Index

    def snapshot(
        self,
        artifact: str,
        pool: Pool,
        store: bool = False,
        reporter: Reporter = NULL,
        need_tree: bool = True,
        previous: str | None = None,
    ) -> Snapshot | None:
        """The artifact's current content, or None if nothing is there.

        With ``store``, every file (and a folder's manifest) is put into the object store on the
        way, for add; the objects of the tree ``previous`` (if complete in the cache) are trusted
        to be there. Without ``need_tree``, a folder whose files' stats are unchanged since it was
        last hashed is answered from the index, without its tree.
        """
        path = os.path.join(self.root, artifact)
        name = os.path.basename(artifact)
        scanner = Scanner(self.root, self.odb)
        if not os.path.isdir(path):
            if not os.path.lexists(path):
                return None
            fs = scanner.file(path)
            task = reporter.task(f"hashing {artifact}", 1)
            ((oid, size),) = resolve_oids([fs], self.index, pool, self.odb if store else None, task)
            task.close()
            if store:
                self._ensure_stored({oid: path}, pool)
            link = os.path.islink(path) and fs.oid is None  # a symlink, not one into the cache
            return Snapshot("file", oid, size, 1, None, symlinks=(name,) if link else ())
        started_ns = time.time_ns()
        scan = scanner.directory(path)
        fingerprint, newest_mtime = _fingerprint(scan)
        if not need_tree:
            known = self.index.dir_lookup(artifact, fingerprint, newest_mtime)
            if known is not None and (not store or self.index.is_complete(known.oid)):
                return Snapshot(
                    "dir", known.oid, known.size, known.nfiles, None, *_unversioned(scan)
                )
        _refuse_nested_pointers(artifact, scan.files)
        task = reporter.task(f"{'adding' if store else 'hashing'} {artifact}", len(scan.files))
        stored: set[str] = set()
        oids = resolve_oids(
            list(scan.files.values()), self.index, pool, self.odb if store else None, task, stored
        )
        task.close()
        tree = tree_from_scan(scan, oids)
        if store:
            self._store_tree(path, tree, pool, previous, stored)
        self.index.dir_store(
            artifact, fingerprint, DirRow(tree.oid, tree.size, tree.nfiles), started_ns
        )
        return Snapshot("dir", tree.oid, tree.size, tree.nfiles, tree, *_unversioned(scan))

    def _store_tree(
        self, path: str, tree: Tree, pool: Pool, previous: str | None, stored: set[str]
    ) -> None:
        """Store the files not yet in the cache and the tree; ``stored``: oids just stored."""
        present = stored
        if previous is not None and self.index.is_complete(previous):
            with contextlib.suppress(NbvcError):  # a damaged manifest only costs the shortcut
                present = stored | {m.oid for m in self.load_tree(previous).files.values()}
        sources = {m.oid: os.path.join(path, rel) for rel, m in tree.files.items()}
        self._ensure_stored({o: p for o, p in sources.items() if o not in present}, pool)
        self.odb.add_bytes(tree.serialize(), suffix=TREE_SUFFIX)
        self.index.mark_complete(tree.oid)

    def _ensure_stored(self, sources: dict[str, str], pool: Pool) -> None:
        """Store any object in ``sources`` (oid -> workspace file) that the cache lacks.

        Files that were hashed earlier (by status, say) are in the stat cache but not yet stored.
        """
        missing = self.odb.missing(list(sources), pool)
        stored_all = pool.map(lambda o: self.odb.add_file(sources[o]), missing)
        for oid, stored in zip(missing, stored_all, strict=True):
            if stored.oid != oid:
                self.odb.remove(stored.oid)
                raise PathError(f"{sources[oid]} changed while it was being added; add it again")

    def load_tree(self, oid: str) -> Tree:
        return Tree.deserialize(self.odb.read_bytes(oid))

    def has_all(self, oid: str, pool: Pool) -> bool:
        """True if the object (and, for a tree, every file in it) is in the cache."""
        if not oid.endswith(".dir"):
            return self.odb.exists(oid)
        if self.index.is_complete(oid):
            return self.odb.exists(oid)
        if not self.odb.exists(oid):
            return False
        files = [meta.oid for meta in self.load_tree(oid).files.values()]
        if not self.odb.missing(files, pool):
            self.index.mark_complete(oid)
            return True
        return False

    def pointers(self, known: set[str] | frozenset[str] = frozenset()) -> Iterator[str]:
        """Every artifact with a pointer file, found by walking the repo.

        A ``x.nbvc`` file is a pointer if it looks like one (an ``oid:`` line), or if ``x`` is
        ``known`` (has versions): a damaged pointer is still listed, and then reported, while a
        user's own file of that name is passed by. Tracked directories, dot-folders and tool
        caches are not entered.
        """
        stack = [""]
        while stack:
            prefix = stack.pop()
            directory = os.path.join(self.root, prefix) if prefix else self.root
            try:
                entries = list(os.scandir(directory))
            except (FileNotFoundError, NotADirectoryError, PermissionError):
                continue
            names = {entry.name for entry in entries}
            for entry in entries:
                name = entry.name
                if name.endswith(SUFFIX) and entry.is_file(follow_symlinks=False):
                    artifact = prefix + name[: -len(SUFFIX)]
                    if artifact in known or looks_like_pointer(entry.path):
                        yield artifact
                elif (
                    entry.is_dir(follow_symlinks=False)
                    and name not in PRUNED_DIRS
                    and not name.startswith(".")
                    and name + SUFFIX not in names
                    and not os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))
                ):
                    stack.append(prefix + name + "/")


def file_meta(snapshot: Snapshot, name: str) -> dict[str, FileMeta]:
    """A snapshot as a mapping of relative path to file metadata (one entry for a file).

    A single tracked file's executable bit is not versioned (only files inside folders are).
    """
    if snapshot.tree is not None:
        return snapshot.tree.files
    return {name: FileMeta(snapshot.oid, snapshot.size, False)}


def _unversioned(scan: DirScan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(sorted(scan.skipped)), tuple(sorted(scan.symlinks))


def _refuse_nested_pointers(artifact: str, files: Mapping[str, FileStat]) -> None:
    for rel, fs in files.items():
        if rel.endswith(SUFFIX) and looks_like_pointer(fs.path):
            inner = rel[: -len(SUFFIX)]
            if inner in files or any(p.startswith(inner + "/") for p in files):
                raise OverlapError(
                    f"{artifact}/{inner} is tracked on its own; nbvc cannot also track the folder "
                    f"{artifact} that contains it. Track one or the other."
                )


def _fingerprint(scan: DirScan) -> tuple[str, int]:
    """A digest of every file's path and stat (and the empty folders), and the newest mtime.

    Columns of machine integers hashed in bulk: four times faster than formatting a line per
    file, which matters on the path of every `nbvc status`.
    """
    stats = list(scan.files.values())
    mtimes = array("q", [fs.mtime_ns for fs in stats])
    hasher = blake3("\0".join(scan.files).encode("utf-8", "surrogateescape"))
    for column in (
        array("q", [fs.ino for fs in stats]),
        array("q", [fs.size for fs in stats]),
        mtimes,
    ):
        hasher.update(column.tobytes())
    hasher.update(bytes([fs.executable for fs in stats]))
    known = "\0".join(f"{rel}={oid}" for rel, oid in sorted(scan.linked.items()))
    empty = "\0".join(sorted(scan.empty_dirs))
    hasher.update(f"\n{known}\n{empty}".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest(), max(mtimes, default=0)
