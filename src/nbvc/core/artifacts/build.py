"""Turning scanned workspace files into oids: stat cache first, hashing (or storing) the rest.

This is the hot path of add and status. A file whose (inode, size, mtime_ns) is in the stat cache
is not read again. Files that must be read are processed in batches on a thread pool (file I/O and
BLAKE3 release the GIL), so per-file scheduling overhead stays small. When storing, objects are
staged under temp names and committed (made durable, then renamed) a few thousand at a time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from nbvc.core.artifacts.scan import DirScan, FileStat
from nbvc.core.progress import Task
from nbvc.core.storage import fsutil
from nbvc.core.storage.hashing import BIG_FILE, hash_path
from nbvc.core.storage.index_db import Index, StatEntry
from nbvc.core.storage.odb import ObjectStore, Staged, StoredFile
from nbvc.core.storage.pool import Pool, one_per_core
from nbvc.core.storage.tree import FileMeta, Tree

BATCH = 64
COMMIT_FILES = 4096
COMMIT_BYTES = 1 << 30


def resolve_oids(
    files: Sequence[FileStat],
    index: Index,
    pool: Pool,
    odb: ObjectStore | None,
    task: Task,
    stored: set[str] | None = None,
) -> list[tuple[str, int]]:
    """``(oid, size)`` of every file, in order; with ``odb``, files not hashed before are stored
    (and their oids added to ``stored``: in the store, durably, when this returns)."""
    started_ns = time.time_ns()
    known: list[tuple[str, int] | None] = [
        None if fs.oid is None else (fs.oid, fs.size) for fs in files
    ]
    cached = index.stat_lookup(fs.ino for fs in files if fs.oid is None)
    misses: list[int] = []
    for i, fs in enumerate(files):
        if fs.oid is not None:
            continue
        row = cached.get(fs.ino)
        if row is not None and row.matches(fs.size, fs.mtime_ns):
            known[i] = (row.oid, fs.size)
        else:
            misses.append(i)
    task.advance(len(files) - len(misses))
    if odb is None:
        entries = _hash_misses(files, misses, pool, task, started_ns)
    else:
        entries = _store_misses(files, misses, pool, task, started_ns, odb, index)
        if stored is not None:
            stored.update(entry[3] for entry in entries)
    for i, entry in zip(misses, entries, strict=True):
        known[i] = (entry[3], entry[1])
    if entries:
        index.stat_store(entries)
    return [k for k in known if k is not None]


def _hash_misses(
    files: Sequence[FileStat], misses: list[int], pool: Pool, task: Task, started_ns: int
) -> list[StatEntry]:
    def hash_batch(batch: Sequence[int]) -> list[StatEntry]:
        done = []
        for i in batch:
            fs = files[i]
            done.append((fs.ino, fs.size, fs.mtime_ns, hash_path(fs.path, fs.size), started_ns))
        task.advance(len(batch))
        return done

    return [entry for batch in pool.map(hash_batch, _batches(misses)) for entry in batch]


def _store_misses(
    files: Sequence[FileStat],
    misses: list[int],
    pool: Pool,
    task: Task,
    started_ns: int,
    odb: ObjectStore,
    index: Index,
) -> list[StatEntry]:
    @one_per_core
    def stage_batch(
        batch: Sequence[int],
    ) -> tuple[list[StoredFile], list[Staged], BaseException | None]:
        """Never raises: a batch that fails (a full disk) hands back what it staged, so that
        every staged temp file is discarded, in this batch and the others. Returns what was
        stored and the staged copies still to commit (not those the store has already)."""
        staged: list[Staged] = []
        try:
            for i in batch:
                staged.append(odb.stage_file(files[i].path))
            fresh = odb.drop_stored(staged)
        except BaseException as exc:  # re-raised by the caller, after the clean-up
            return [], staged, exc
        task.advance(len(batch))
        return [item.stored for item in staged], fresh, None

    entries: list[StatEntry] = []
    pending: list[Staged] = []
    pending_bytes = 0
    folders: list[str] = []  # that received objects: synced once, at the end
    failure: BaseException | None = None
    try:
        for stored, batch, error in pool.map(stage_batch, _batches(misses)):
            if error is not None or failure is not None:
                odb.discard(batch)
                failure = failure or error
                continue
            entries.extend((s.ino, s.size, s.mtime_ns, s.oid, started_ns) for s in stored)
            for item in batch:
                pending.append(item)
                pending_bytes += item.stored.size
            if len(pending) >= COMMIT_FILES or pending_bytes >= COMMIT_BYTES:
                odb.commit(pending, folders_out=folders)
                pending, pending_bytes = [], 0
        if failure is not None:
            raise failure
        odb.commit(pending, folders_out=folders)
    except BaseException:
        odb.discard(pending)
        raise
    # the new names are made durable once, for every commit, before anything refers to them
    fsutil.sync_dirs(folders, odb.objects_dir)
    # big objects were hashed from what was written: checkout may trust them by their stat
    big = [e[3] for e in entries if e[1] >= BIG_FILE]
    if big:
        index.stat_store(odb.stat_entries(big, time.time_ns()))
    return entries


def tree_from_scan(scan: DirScan, oids: Sequence[tuple[str, int]]) -> Tree:
    files = {
        rel: FileMeta(oid, size, fs.executable)
        for (rel, fs), (oid, size) in zip(scan.files.items(), oids, strict=True)
    }
    return Tree(files, frozenset(scan.empty_dirs))


def _batches(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
