"""Turning scanned workspace files into oids: stat cache first, hashing (or storing) the rest.

This is the hot path of add and status. A file whose (inode, size, mtime_ns) is in the stat cache
is not read again. Files that must be read are processed in batches on a thread pool (file I/O and
BLAKE3 release the GIL), so per-file scheduling overhead stays small.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor

from nbvc.core.hashing import hash_path
from nbvc.core.index import Index, StatEntry
from nbvc.core.odb import ObjectStore
from nbvc.core.progress import Task
from nbvc.core.scan import DirScan, FileStat
from nbvc.core.tree import FileMeta, Tree

BATCH = 64

StatUpdate = tuple[int, int, int, str]  # ino, size, mtime_ns, oid


def resolve_oids(
    files: Sequence[FileStat],
    index: Index,
    pool: Executor,
    odb: ObjectStore | None,
    task: Task,
) -> list[tuple[str, int]]:
    """``(oid, size)`` of every file, in order; with ``odb``, files not hashed before are stored."""
    started_ns = time.time_ns()
    oids: list[tuple[str, int] | None] = [
        None if fs.oid is None else (fs.oid, fs.size) for fs in files
    ]
    cached = index.stat_lookup(fs.ino for fs in files if fs.oid is None)
    misses: list[int] = []
    for i, fs in enumerate(files):
        if fs.oid is not None:
            continue
        row = cached.get(fs.ino)
        if row is not None and row.matches(fs.size, fs.mtime_ns):
            oids[i] = (row.oid, fs.size)
        else:
            misses.append(i)
    task.advance(len(files) - len(misses))
    updates: list[StatEntry] = []
    work = _store_one(odb) if odb is not None else _hash_one
    for batch_result in pool.map(
        lambda batch: [(i, work(files[i])) for i in batch], _batches(misses)
    ):
        for i, update in batch_result:
            oids[i] = (update[3], update[1])
            updates.append((*update, started_ns))
        task.advance(len(batch_result))
    if updates:
        index.stat_store(updates)
    return [oid for oid in oids if oid is not None]


def tree_from_scan(scan: DirScan, oids: Sequence[tuple[str, int]]) -> Tree:
    files = {
        rel: FileMeta(oid, size, fs.executable)
        for (rel, fs), (oid, size) in zip(scan.files.items(), oids, strict=True)
    }
    return Tree(files, frozenset(scan.empty_dirs))


def _hash_one(fs: FileStat) -> StatUpdate:
    return (fs.ino, fs.size, fs.mtime_ns, hash_path(fs.path, fs.size))


def _store_one(odb: ObjectStore) -> Callable[[FileStat], StatUpdate]:
    def store(fs: FileStat) -> StatUpdate:
        stored = odb.add_file(fs.path)
        return (stored.ino, stored.size, stored.mtime_ns, stored.oid)

    return store


def _batches(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
