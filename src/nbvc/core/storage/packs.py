"""Pack files: many chunks in one file, found through the pack's index file.

A pack is written once and never changed (as in git and restic), so a 2 GiB file becomes a few
dozen files instead of 30,000. The chunks' data lie back to back, so the chunks of a file added in
one go form long runs that are copied with one system call each; the pack ends with a copy of its
index, so a pack describes itself and a lost index file can be rebuilt from it. Layout::

    <name>.pack   b"NBVCPAK1" | chunk data ... | index (as below) | index length u32
    <name>.idx    b"NBVCIDX1" | count u32 | count x (digest 32 B, data offset u64, length u32)
                  | BLAKE3 of all the above 32 B

A pack is named by the BLAKE3 of its index entries, so the same chunks in the same order always
make the same name (uploads are idempotent). The index is what makes a pack visible: it is
written (durably) only after the pack, and removed before it, so every index names a complete
pack. A pack without an index is the leftover of an interrupted write and is garbage.
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from blake3 import blake3

from nbvc.core.storage import fsutil

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

PACK_MAGIC = b"NBVCPAK1"
IDX_MAGIC = b"NBVCIDX1"
PACK_SUFFIX = ".pack"
IDX_SUFFIX = ".idx"
_TRAILER_LEN = struct.Struct("<I")
_IDX_HEAD = struct.Struct("<8sI")
IDX_ENTRY = struct.Struct("<32sQI")
_SUM = 32
# A pack is closed once it holds this many bytes: small enough to travel to object stores in one
# PUT (s3fs switches to multipart uploads above 50 MiB), large enough to keep files few.
PACK_TARGET = 32 << 20
WRITEBACK_EVERY = 32 << 20  # start writing a pack's data to disk every this many bytes
# The most bytes handed to one write call. The kernel sizes the page-cache folios of a write by
# its length: an 8 MiB writev asks for the largest folios, which on a machine whose memory is
# full of page cache costs compaction (measured: 2-4 s of system time per 2 GiB against 1-2 s
# in 1 MiB calls).
WRITE_CALL = 1 << 20
PAGE = 4096
_ZEROS = memoryview(bytes(PAGE))
READ_ONLY = 0o444


class PackError(ValueError):
    """A pack or pack index is damaged."""


class Entry(NamedTuple):
    """Where a chunk's data lies in its pack."""

    digest: bytes
    offset: int
    length: int


class Location(NamedTuple):
    pack: str
    offset: int
    length: int


@dataclass(frozen=True)
class StagedPack:
    """A finished pack and its index under temp names, waiting to be made durable and visible."""

    name: str
    pack_tmp: str
    idx_tmp: str
    entries: tuple[Entry, ...]
    synced: bool = False  # made durable by the writer; else the committer syncs it

    @property
    def tmps(self) -> tuple[str, str]:
        return (self.pack_tmp, self.idx_tmp)


# -- the index format ---------------------------------------------------------------------------
def encode_index(entries: Sequence[Entry]) -> bytes:
    body = bytearray(_IDX_HEAD.pack(IDX_MAGIC, len(entries)))
    for entry in entries:
        body += IDX_ENTRY.pack(*entry)
    body += blake3(body).digest()
    return bytes(body)


def decode_index(data: bytes) -> list[Entry]:
    if len(data) < _IDX_HEAD.size + _SUM or blake3(data[:-_SUM]).digest() != data[-_SUM:]:
        raise PackError("pack index checksum mismatch")
    magic, count = _IDX_HEAD.unpack_from(data)
    if magic != IDX_MAGIC or len(data) != _IDX_HEAD.size + count * IDX_ENTRY.size + _SUM:
        raise PackError("not a pack index of this format")
    return [Entry(*e) for e in IDX_ENTRY.iter_unpack(data[_IDX_HEAD.size : -_SUM])]


def pack_name(entries: Sequence[Entry]) -> str:
    hasher = blake3()
    for entry in entries:
        hasher.update(IDX_ENTRY.pack(*entry))
    return hasher.hexdigest()


def is_pack_name(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def read_trailer(path: str) -> list[Entry]:
    """The index stored at the end of the pack at ``path`` (to rebuild a lost index file)."""
    with open(path, "rb") as handle:
        if handle.read(len(PACK_MAGIC)) != PACK_MAGIC:
            raise PackError(f"{path} is not a pack")
        size = os.fstat(handle.fileno()).st_size
        if size < len(PACK_MAGIC) + _TRAILER_LEN.size:
            raise PackError(f"{path} is truncated")
        handle.seek(size - _TRAILER_LEN.size)
        (length,) = _TRAILER_LEN.unpack(handle.read(_TRAILER_LEN.size))
        if length > size - len(PACK_MAGIC) - _TRAILER_LEN.size:
            raise PackError(f"{path} is truncated")
        handle.seek(size - _TRAILER_LEN.size - length)
        return decode_index(handle.read(length))


# -- writing ------------------------------------------------------------------------------------
@dataclass
class PackWriter:
    """Appends chunks to new packs under ``tmp_dir``, starting another every ``target`` bytes.

    The data is pushed towards the disk as it is written (:func:`fsutil.start_writeback`) and,
    when ``durable``, each finished pack and its index are synced on a helper thread while the
    next pack is written, so that little is left to wait for when the file is committed. A
    writer that is not ``durable`` leaves that to whoever commits the packs (in one batch with
    other new files: one ``syncfs`` for many small packs instead of two fsyncs each).
    """

    tmp_dir: str
    target: int = PACK_TARGET
    durable: bool = True
    finished: list[StagedPack] = field(default_factory=list)
    _syncs: list[Future[None]] = field(default_factory=list)
    _syncer: ThreadPoolExecutor | None = None
    _fd: int = -1
    _path: str = ""
    _entries: list[Entry] = field(default_factory=list)
    _offset: int = 0
    _flushed: int = 0

    def add(
        self, chunks: Sequence[tuple[bytes, memoryview]], offsets: Sequence[int] | None = None
    ) -> None:
        """Append ``(digest, data)`` chunks, in one system call per pack touched.

        With ``offsets`` (where each chunk lies in its file), a chunk is placed at a pack offset
        congruent to its file offset modulo the page size (a few padding bytes where the file's
        new chunks are not contiguous): checkout then copies page-aligned ranges, which the
        kernel does about twice as fast as misaligned ones.
        """
        parts: list[bytes | memoryview] = []
        for index, (digest, data) in enumerate(chunks):
            if self._fd < 0:
                self._open()
            if offsets is not None and (pad := (offsets[index] - self._offset) % PAGE):
                parts.append(_ZEROS[:pad])
                self._offset += pad
            parts.append(data)
            self._entries.append(Entry(digest, self._offset, len(data)))
            self._offset += len(data)
            if self._offset >= self.target:
                self._write(parts)
                parts = []
                self._close()
        if parts:
            self._write(parts)

    def finish(self) -> list[StagedPack]:
        """Close the current pack and wait for the syncs; returns every pack written."""
        if self._fd >= 0:
            self._close()
        self._wait()
        return self.finished

    def discard(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            fsutil.remove_file(self._path)
            self._fd = -1
        with contextlib.suppress(OSError):
            self._wait()
        for staged in self.finished:
            for tmp in staged.tmps:
                fsutil.remove_file(tmp)
        self.finished = []

    def _open(self) -> None:
        self._path = os.path.join(self.tmp_dir, f"pack-{os.urandom(8).hex()}")
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, READ_ONLY)
        self._entries, self._offset, self._flushed = [], len(PACK_MAGIC), 0
        os.write(self._fd, PACK_MAGIC)

    def _write(self, parts: list[bytes | memoryview]) -> None:
        batch: list[bytes | memoryview] = []
        total = 0
        for part in parts:
            batch.append(part)
            total += len(part)
            if total >= WRITE_CALL or len(batch) >= 512:  # IOV_MAX is 1024
                _writev_all(self._fd, batch, total)
                batch, total = [], 0
        if batch:
            _writev_all(self._fd, batch, total)
        if self._offset - self._flushed >= WRITEBACK_EVERY:
            fsutil.start_writeback(self._fd, self._flushed, self._offset - self._flushed)
            self._flushed = self._offset

    def _close(self) -> None:
        entries = tuple(self._entries)
        index = encode_index(entries)
        _write_all(self._fd, index + _TRAILER_LEN.pack(len(index)))
        fsutil.start_writeback(self._fd, self._flushed, 0)
        pack_fd, self._fd = self._fd, -1
        idx_tmp = self._path + IDX_SUFFIX
        idx_fd = os.open(idx_tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, READ_ONLY)
        self.finished.append(
            StagedPack(pack_name(entries), self._path, idx_tmp, entries, self.durable)
        )
        try:
            _write_all(idx_fd, index)
        except BaseException:
            os.close(idx_fd)
            os.close(pack_fd)
            raise
        if not self.durable:
            os.close(idx_fd)
            os.close(pack_fd)
            return
        if self._syncer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._syncer = ThreadPoolExecutor(1, thread_name_prefix="nbvc-sync")
        self._syncs.append(self._syncer.submit(_sync_and_close, pack_fd, idx_fd))

    def _wait(self) -> None:
        syncs, self._syncs = self._syncs, []
        if self._syncer is not None:
            self._syncer.shutdown(wait=True)
            self._syncer = None
        for future in syncs:
            future.result()


def _sync_and_close(*fds: int) -> None:
    try:
        for fd in fds:
            os.fsync(fd)
    finally:
        for fd in fds:
            os.close(fd)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _writev_all(fd: int, parts: list[bytes | memoryview], total: int) -> None:
    written = os.writev(fd, parts)
    if written != total:  # a short write: finish it piece by piece
        _write_rest(fd, parts, written)


def _write_rest(fd: int, parts: list[bytes | memoryview], written: int) -> None:
    for part in parts:
        if written >= len(part):
            written -= len(part)
            continue
        _write_all(fd, memoryview(part)[written:])
        written = 0


# -- the set of packs in a cache ----------------------------------------------------------------
class PackStore:
    """The packs in one folder and the union of their indexes (loaded on first use)."""

    def __init__(self, packs_dir: str) -> None:
        self.packs_dir = packs_dir
        self._index: dict[bytes, tuple[int, int, int]] | None = None
        self._names: list[str] = []
        self._lock = threading.Lock()

    def path(self, name: str, suffix: str = PACK_SUFFIX) -> str:
        return os.path.join(self.packs_dir, name + suffix)

    def names(self) -> list[str]:
        """The packs that have an index (the visible ones)."""
        try:
            files = os.listdir(self.packs_dir)
        except FileNotFoundError:
            return []
        found = (f.removesuffix(IDX_SUFFIX) for f in files if f.endswith(IDX_SUFFIX))
        return sorted(n for n in found if is_pack_name(n))

    def entries(self, name: str) -> list[Entry]:
        with open(self.path(name, IDX_SUFFIX), "rb") as handle:
            return decode_index(handle.read())

    # -- the chunk index ------------------------------------------------------------------
    def _loaded(self) -> dict[bytes, tuple[int, int, int]]:
        index = self._index
        if index is None:
            with self._lock:
                if self._index is None:
                    self._index, self._names = self._load()
                index = self._index
        return index

    def _load(self) -> tuple[dict[bytes, tuple[int, int, int]], list[str]]:
        index: dict[bytes, tuple[int, int, int]] = {}
        names: list[str] = []
        for name in self.names():
            try:
                entries = self.entries(name)
                if not os.path.exists(self.path(name)):
                    continue  # an index without its pack: its chunks are not here
            except (OSError, PackError):
                continue  # removed meanwhile, or damaged: fsck reports and rebuilds it
            number = len(names)
            names.append(name)
            for digest, offset, length in entries:
                index[digest] = (number, offset, length)
        return index, names

    def reload(self) -> None:
        with self._lock:
            self._index = None

    def has(self, digest: bytes) -> bool:
        return digest in self._loaded()

    def locate(self, digest: bytes) -> Location | None:
        found = self._loaded().get(digest)
        if found is None:
            return None
        return Location(self._names[found[0]], found[1], found[2])

    def digests(self) -> Iterable[bytes]:
        return self._loaded().keys()

    def stored_bytes(self) -> int:
        total = 0
        for name in self.names():
            for suffix in (PACK_SUFFIX, IDX_SUFFIX):
                with contextlib.suppress(FileNotFoundError):
                    total += os.stat(self.path(name, suffix)).st_size
        return total

    # -- publishing and removing ----------------------------------------------------------
    def publish(self, staged: Sequence[StagedPack]) -> None:
        """Give written packs their final names: each pack before its index, the folder synced
        before anything that refers to their chunks is published by the caller."""
        if not staged:
            return
        os.makedirs(self.packs_dir, exist_ok=True)
        fresh = []
        for item in staged:
            if os.path.exists(self.path(item.name, IDX_SUFFIX)):  # the same chunks, already in
                for tmp in item.tmps:
                    fsutil.remove_file(tmp)
            else:
                os.rename(item.pack_tmp, self.path(item.name))
                fresh.append(item)
        # Every pack is in place before any index names it, and every index before any manifest
        # that lists its chunks (the caller's next step): the folder is synced in between even
        # when the data is not (``durable=False``), since renames may reach the disk in any order.
        if fresh:
            fsutil.fsync_dir(self.packs_dir)
        for item in fresh:
            os.rename(item.idx_tmp, self.path(item.name, IDX_SUFFIX))
        if fresh:
            fsutil.fsync_dir(self.packs_dir)
        with self._lock:
            if self._index is not None:
                for item in staged:
                    number = len(self._names)
                    self._names.append(item.name)
                    for digest, offset, length in item.entries:
                        self._index.setdefault(digest, (number, offset, length))

    def remove(self, name: str) -> int:
        """Delete a pack, its index first; returns the bytes freed."""
        freed = 0
        for suffix in (IDX_SUFFIX, PACK_SUFFIX):
            path = self.path(name, suffix)
            with contextlib.suppress(FileNotFoundError):
                freed += os.stat(path).st_size
                fsutil.remove_file(path)
        self.reload()
        return freed

    def orphans(self) -> list[str]:
        """Pack files without an index: left by a write interrupted before it was published."""
        try:
            files = os.listdir(self.packs_dir)
        except FileNotFoundError:
            return []
        indexed = set(self.names())
        return [
            f.removesuffix(PACK_SUFFIX)
            for f in files
            if f.endswith(PACK_SUFFIX) and f.removesuffix(PACK_SUFFIX) not in indexed
        ]
