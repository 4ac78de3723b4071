"""The content-addressed object store in `.nbvc/cache/objects`.

An object's name is the BLAKE3 hex digest of its bytes (``oid[:2]/oid[2:]``); directory
manifests carry the suffix ``.dir``. Objects are written to a temp file, synced, hashed from what
was actually written and only then renamed to their final name, so a killed writer never leaves a
corrupt or partial object behind. Objects are read-only on disk.

A file of at least ``chunk_min_size`` bytes is stored as chunks instead (:mod:`.chunks`): its
manifest ``oid[2:].chunks`` takes the place of the whole object and its chunks go to packs
shared by every file. Both kinds answer to the same oid; old caches hold whole objects only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nbvc.core.errors import CorruptObjectError, MissingObjectError
from nbvc.core.storage import fsutil
from nbvc.core.storage.hashing import (
    BIG_FILE,
    CHUNKED_SUFFIX,
    TREE_SUFFIX,
    copy_hashing,
    hash_bytes,
    hash_owned_file,
    is_tree_oid,
    is_valid_oid,
)
from nbvc.core.storage.index_db import Index, StatEntry
from nbvc.core.storage.pool import Pool
from nbvc.core.storage.scratch import Scratch, scratch

if TYPE_CHECKING:
    from nbvc.core.storage.chunks import ChunkStore
    from nbvc.core.storage.packs import PackStore, StagedPack

READ_ONLY = 0o444


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What storing a workspace file produced: its oid and the stat taken before reading it."""

    oid: str
    size: int
    ino: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Staged:
    """A stored file's content, written and hashed under a temp name, waiting for commit.

    For a chunked file ``tmp`` is its manifest and ``packs`` the new packs holding its chunks.
    """

    stored: StoredFile
    tmp: str
    chunked: bool = False
    packs: tuple[StagedPack, ...] = ()
    checked: bool = False  # found missing from the store after staging (see drop_stored)


class ObjectStore:
    def __init__(
        self,
        objects_dir: str,
        tmp_root: str,
        quarantine_dir: str,
        chunk_min_size: int = 0,
    ) -> None:
        self.objects_dir = objects_dir
        self.scratch: Scratch = scratch(tmp_root)
        self.quarantine_dir = quarantine_dir
        self.chunk_min_size = chunk_min_size  # 0: never chunk
        self._reflink_ok: bool | None = None

    @property
    def tmp_dir(self) -> str:
        """This process's temp folder (see :mod:`.scratch`): objects are staged there."""
        return self.scratch.dir

    # Created on first use: `nbvc status` never needs them, and should not import them.
    @functools.cached_property
    def packs(self) -> PackStore:
        from nbvc.core.storage.packs import PackStore

        return PackStore(os.path.join(os.path.dirname(self.objects_dir), "packs"))

    @functools.cached_property
    def chunks(self) -> ChunkStore:
        from nbvc.core.storage.chunks import ChunkStore

        return ChunkStore(self.objects_dir, self.packs, self.tmp_dir)

    # -- addressing -------------------------------------------------------------------------
    def path(self, oid: str) -> str:
        """Where the whole object ``oid`` is (a chunked file has its manifest beside it)."""
        return os.path.join(self.objects_dir, oid[:2], oid[2:])

    def stored_path(self, oid: str) -> str:
        """The file that holds ``oid`` here: the whole object, else its chunk manifest."""
        path = self.path(oid)
        if is_tree_oid(oid) or os.path.exists(path):
            return path
        manifest = path + CHUNKED_SUFFIX
        return manifest if os.path.exists(manifest) else path

    def exists(self, oid: str) -> bool:
        path = self.path(oid)
        return os.path.exists(path) or (
            not is_tree_oid(oid) and os.path.exists(path + CHUNKED_SUFFIX)
        )

    def is_chunked(self, oid: str) -> bool:
        """True if ``oid`` is stored as chunks (and not also whole)."""
        path = self.path(oid)
        return not os.path.exists(path) and os.path.exists(path + CHUNKED_SUFFIX)

    def should_chunk(self, size: int) -> bool:
        return 0 < self.chunk_min_size <= size

    def missing(self, oids: Sequence[str], pool: Pool) -> list[str]:
        """The oids not in the store, checked in parallel batches of stat calls."""
        unique = list(dict.fromkeys(oids))
        batches = [unique[i : i + 256] for i in range(0, len(unique), 256)]
        found = pool.map(lambda batch: [o for o in batch if not self.exists(o)], batches)
        return [oid for batch in found for oid in batch]

    def oid_from_path(self, path: str) -> str | None:
        """The oid of an object path inside this store, or None (used for symlinked checkouts)."""
        parent, name = os.path.split(path)
        prefix_dir, prefix = os.path.split(parent)
        if prefix_dir != self.objects_dir:
            return None
        oid = prefix + name
        return oid if is_valid_oid(oid) else None

    def iter_oids(self) -> Iterator[str]:
        with contextlib.suppress(FileNotFoundError), os.scandir(self.objects_dir) as prefixes:
            for prefix in prefixes:
                if len(prefix.name) != 2 or not prefix.is_dir():
                    continue
                with os.scandir(prefix.path) as entries:
                    names = {entry.name for entry in entries}
                for name in names:
                    base = name.removesuffix(CHUNKED_SUFFIX)
                    if base != name and (base in names or is_tree_oid(base)):
                        continue  # also stored whole (being converted): listed once
                    oid = prefix.name + base
                    if is_valid_oid(oid):
                        yield oid

    # -- writing ----------------------------------------------------------------------------
    def add_file(self, src: str) -> StoredFile:
        """Copy the file at ``src`` into the store; returns its oid and pre-read stat."""
        staged = self.stage_file(src)
        self.commit([staged])
        return staged.stored

    def stage_file(self, src: str) -> Staged:
        """Copy ``src`` to a temp file in the store, hashing what was written; not yet visible.

        Many staged files are made durable with one filesystem sync in :meth:`commit`, which is
        several times faster than one fsync per small file.
        """
        src_fd = os.open(src, os.O_RDONLY)
        try:
            st = os.fstat(src_fd)
            if self.should_chunk(st.st_size):
                chunked = self.chunks.stage(src_fd)
                stored = StoredFile(chunked.oid, st.st_size, st.st_ino, st.st_mtime_ns)
                return Staged(stored, chunked.manifest_tmp, True, chunked.packs)
            tmp = self.scratch.temp("obj-")
            tmp_fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, READ_ONLY)
            try:
                if st.st_size >= BIG_FILE:
                    self._clone_or_copy(src_fd, tmp_fd, st.st_size)
                    oid = hash_owned_file(tmp, st.st_size)
                else:
                    oid = copy_hashing(src_fd, tmp_fd)
            except BaseException:
                fsutil.remove_file(tmp)
                raise
            finally:
                os.close(tmp_fd)
        finally:
            os.close(src_fd)
        return Staged(StoredFile(oid, st.st_size, st.st_ino, st.st_mtime_ns), tmp)

    def drop_stored(self, staged: Sequence[Staged]) -> list[Staged]:
        """Discard the staged whole files whose object is stored already; the rest, marked as
        checked so that :meth:`commit` does not stat them again.

        Meant for worker threads, so that the thread committing does not make two stat calls
        per file while the workers hold the GIL. An object that another process stores between
        this check and the commit is renamed over with the same content, which is harmless.
        """
        fresh = []
        for item in staged:
            if item.chunked:
                fresh.append(item)  # commit checks it (few, and chunks and whole may mix)
            elif self.exists(item.stored.oid):
                self.discard([item])
            else:
                fresh.append(dataclasses.replace(item, checked=True))
        return fresh

    def commit(
        self,
        staged: Sequence[Staged],
        durable: bool = True,
        convert: bool = False,
        folders_out: list[str] | None = None,
    ) -> None:
        """Make staged files durable, then give each its final name (or drop a duplicate).

        ``durable=False`` skips the syncs, for copies that exist elsewhere (objects fetched from
        a remote): a crash may then leave a damaged object, which verification on checkout or
        push finds and quarantines, and a pull fetches again. With ``convert``, a chunked copy
        is kept even where the object is stored whole (`nbvc gc --rechunk`). With
        ``folders_out``, the folders that received new names are appended to it instead of
        being synced: the caller syncs them (:func:`fsutil.sync_dirs`) before anything refers
        to these objects, so that many commits share one sync.
        """
        if not staged:
            return
        fresh = []
        for item in staged:
            oid = item.stored.oid
            if item.checked:
                there = False
            elif convert and item.chunked:
                there = self.chunks.has(oid)
            else:
                there = self.exists(oid)
            if there:  # stored already (whole or as chunks): drop this copy
                self.discard([item])
            else:
                fresh.append(item)
        if durable:  # with the packs their writer did not sync
            unsynced = [t for s in fresh for p in s.packs if not p.synced for t in p.tmps]
            fsutil.sync_files([*(s.tmp for s in fresh), *unsynced], self.tmp_dir)
        self.packs.publish([p for s in fresh for p in s.packs])
        folders = []
        for item in fresh:
            final = self.path(item.stored.oid) + (CHUNKED_SUFFIX if item.chunked else "")
            try:
                os.rename(item.tmp, final)
            except FileNotFoundError:
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.rename(item.tmp, final)
            folders.append(os.path.dirname(final))
        if folders_out is not None:
            folders_out.extend(folders)
        elif durable:
            fsutil.sync_dirs(folders, self.objects_dir)

    def stat_entries(self, oids: Iterable[str], recorded_ns: int) -> list[StatEntry]:
        """Stat-cache rows saying these (just verified) objects hold their content.

        Checkout then trusts a big object whose stat still matches instead of re-hashing it
        (for a chunked file: whose manifest's stat still matches).
        """
        entries = []
        for oid in oids:
            with contextlib.suppress(FileNotFoundError):
                st = os.stat(self.stored_path(oid))
                entries.append((st.st_ino, st.st_size, st.st_mtime_ns, oid, recorded_ns))
        return entries

    def known_intact(self, index: Index, oids: Iterable[str]) -> set[str]:
        """The objects whose stat matches a stat-cache entry made when they were verified."""
        stats = {}
        for oid in oids:
            with contextlib.suppress(FileNotFoundError):
                stats[oid] = os.stat(self.stored_path(oid))
        known = index.stat_lookup(st.st_ino for st in stats.values())
        return {
            oid
            for oid, st in stats.items()
            if (row := known.get(st.st_ino)) is not None
            and row.oid == oid
            and row.unchanged(st.st_size, st.st_mtime_ns)
            and (not self.is_chunked(oid) or self.chunks.unchanged_since(oid, row.recorded_ns))
        }

    def discard(self, staged: Sequence[Staged]) -> None:
        for item in staged:
            fsutil.remove_file(item.tmp)
            for pack in item.packs:
                for tmp in pack.tmps:
                    fsutil.remove_file(tmp)

    def add_bytes(self, data: bytes, suffix: str = "") -> str:
        oid = hash_bytes(data) + suffix
        if not self.exists(oid):
            tmp = self.scratch.temp("obj-")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, READ_ONLY)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                self.commit([Staged(StoredFile(oid, len(data), 0, 0), tmp)])
            except BaseException:  # e.g. a full disk: don't leave a partial copy in tmp/
                fsutil.remove_file(tmp)
                raise
        return oid

    def _clone_or_copy(self, src_fd: int, dst_fd: int, size: int) -> None:
        if self._reflink_ok is not False:
            self._reflink_ok = fsutil.try_reflink(src_fd, dst_fd)
            if self._reflink_ok:
                return
        fsutil.copy_fd(src_fd, dst_fd, size)

    # -- reading and checking ---------------------------------------------------------------
    def read_bytes(self, oid: str) -> bytes:
        """Read a (small) object such as a manifest, checking its hash."""
        try:
            with open(self.path(oid), "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            if self.is_chunked(oid):
                data = self.chunks.read_bytes(oid)
                if hash_bytes(data) == oid:
                    return data
                raise CorruptObjectError(
                    f"object {oid[:12]} is stored as chunks that no longer add up to it; "
                    "run `nbvc fsck` to find and repair the damage"
                ) from None
            raise MissingObjectError(
                f"object {oid[:12]} is not in the cache; run `nbvc pull` to fetch it"
            ) from None
        if hash_bytes(data) != oid.removesuffix(TREE_SUFFIX):
            self.quarantine(oid)
            raise CorruptObjectError(
                f"object {oid[:12]} was corrupt and has been quarantined; "
                "run `nbvc pull` to fetch a good copy, or `nbvc fsck` to check the whole cache"
            )
        return data

    def verify(self, oid: str) -> bool:
        """Re-hash an object; True if its content matches its name."""
        path = self.path(oid)
        if oid.endswith(TREE_SUFFIX):
            with open(path, "rb") as handle:
                return hash_bytes(handle.read()) == oid.removesuffix(TREE_SUFFIX)
        if self.is_chunked(oid):
            return self.chunks.verify(oid)
        return hash_owned_file(path, os.stat(path).st_size) == oid

    def quarantine(self, oid: str) -> str:
        """Move a corrupt object out of the store; returns where it went."""
        os.makedirs(self.quarantine_dir, exist_ok=True)
        source = self.stored_path(oid)
        dest = os.path.join(self.quarantine_dir, oid + source.removeprefix(self.path(oid)))
        with contextlib.suppress(FileNotFoundError):
            os.replace(source, dest)
        return dest

    def remove(self, oid: str) -> int:
        """Delete an object (a chunked file's manifest; its chunks go when gc repacks); returns
        the bytes freed."""
        freed = 0
        for path in (self.path(oid), self.path(oid) + CHUNKED_SUFFIX):
            try:
                freed += os.lstat(path).st_size
            except FileNotFoundError:
                continue
            fsutil.remove_file(path)
        return freed

    def size(self, oid: str) -> int:
        """The bytes the object takes here (a chunked file: its manifest only)."""
        return os.stat(self.stored_path(oid)).st_size
