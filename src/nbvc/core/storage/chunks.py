"""Files stored as content-defined chunks: a manifest beside the objects, the chunks in packs.

A chunked file keeps its oid (the BLAKE3 of its whole content), so pointers, locks, run records
and diffs mean the same whichever way a file is stored. Its manifest lives where the whole object
would, with the suffix ``.chunks``; its chunks live in :mod:`.packs`, each stored once however
many files and versions share it. Storing writes only the chunks the cache lacks, into new packs;
the manifest is published only after those packs (see :meth:`ObjectStore.commit`), so a manifest
in the cache always means its chunks are there too.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from blake3 import blake3

from nbvc.core.errors import CorruptObjectError, MissingObjectError
from nbvc.core.storage import fsutil
from nbvc.core.storage.chunking import DEFAULT_PARAMS, ChunkParams, chunk_fd
from nbvc.core.storage.hashing import CHUNKED_SUFFIX
from nbvc.core.storage.manifest import Manifest, ManifestError
from nbvc.core.storage.packs import PACK_TARGET, Entry, PackStore, PackWriter, StagedPack

READ_ONLY = 0o444
READ_RUN = 8 << 20  # the most bytes read from a pack at once when streaming a file's data
RUN_MAX = 8 << 20  # the most bytes of a pack's chunks grouped into one run by runs_of


@dataclass(frozen=True)
class StagedChunks:
    """A chunked file written under temp names: its manifest and the new packs it needs."""

    oid: str
    size: int
    manifest_tmp: str
    packs: tuple[StagedPack, ...]


class Run(NamedTuple):
    """Consecutive chunks of a file that also lie back to back in one pack."""

    pack: str
    offset: int
    length: int
    chunks: tuple[tuple[bytes, int], ...]


class ChunkStore:
    def __init__(
        self, objects_dir: str, packs: PackStore, tmp_dir: str, params: ChunkParams = DEFAULT_PARAMS
    ) -> None:
        self.objects_dir = objects_dir
        self.packs = packs
        self.tmp_dir = tmp_dir
        self.params = params

    def manifest_path(self, oid: str) -> str:
        return os.path.join(self.objects_dir, oid[:2], oid[2:] + CHUNKED_SUFFIX)

    def has(self, oid: str) -> bool:
        return os.path.exists(self.manifest_path(oid))

    # -- storing ----------------------------------------------------------------------------
    def stage(self, src_fd: int) -> StagedChunks:
        """Chunk the file open at ``src_fd``, writing the chunks the cache lacks to new packs.

        The packs of a file that spans several are synced as they are written; a smaller file's
        single pack is synced when it is committed, in one batch with the other new files.
        """
        writer = PackWriter(self.tmp_dir, durable=os.fstat(src_fd).st_size > PACK_TARGET)
        seen: set[bytes] = set()
        has = self.packs.has
        position = 0  # where the next chunk lies in the file

        def sink(chunks: list[tuple[bytes, memoryview]]) -> None:
            nonlocal position
            new, offsets = [], []
            for digest, data in chunks:
                if digest not in seen and not has(digest):
                    seen.add(digest)
                    new.append((digest, data))
                    offsets.append(position)
                position += len(data)
            if new:
                writer.add(new, offsets)

        try:
            chunked = chunk_fd(src_fd, sink, self.params)
            packs = writer.finish()
            manifest = Manifest(chunked.oid, chunked.size, tuple(chunked.chunks))
            tmp = self.write_temp(manifest.serialize())
        except BaseException:
            writer.discard()
            raise
        return StagedChunks(chunked.oid, chunked.size, tmp, tuple(packs))

    def write_temp(self, data: bytes) -> str:
        tmp = os.path.join(self.tmp_dir, f"manifest-{os.urandom(8).hex()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, READ_ONLY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except BaseException:
            os.close(fd)
            fsutil.remove_file(tmp)
            raise
        os.close(fd)
        return tmp

    # -- reading ----------------------------------------------------------------------------
    def load(self, oid: str) -> Manifest:
        """The manifest of a chunked file, checked; a damaged one is quarantined."""
        path = self.manifest_path(oid)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise MissingObjectError(
                f"object {oid[:12]} is not in the cache; run `nbvc pull` to fetch it"
            ) from None
        try:
            return Manifest.deserialize(data, oid)
        except ManifestError:
            raise CorruptObjectError(
                f"the chunk manifest of object {oid[:12]} is damaged; run `nbvc fsck` to check "
                "the cache and `nbvc pull` to fetch a good copy"
            ) from None

    def runs(self, manifest: Manifest) -> list[Run]:
        """The file's chunks grouped into runs that are contiguous in one pack."""
        runs: list[Run] = []
        pack, start, end, members = "", 0, 0, []
        for digest, length in manifest.chunks:
            where = self.packs.locate(digest)
            if where is None:
                raise MissingObjectError(
                    f"chunk {digest.hex()[:12]} of object {manifest.oid[:12]} is not in the "
                    "cache; run `nbvc fsck` to see what is damaged, `nbvc pull` to fetch it"
                )
            if where.pack == pack and where.offset == end and end - start < (1 << 30):
                end += length
                members.append((digest, length))
                continue
            if members:
                runs.append(Run(pack, start, end - start, tuple(members)))
            pack, start, end, members = where.pack, where.offset, where.offset + length, []
            members.append((digest, length))
        if members:
            runs.append(Run(pack, start, end - start, tuple(members)))
        return runs

    def unchanged_since(self, oid: str, recorded_ns: int) -> bool:
        """True if no pack holding a chunk of ``oid`` was written to since ``recorded_ns``.

        Packs never change once written, so a newer mtime means damage (or a hand edit); this
        is what lets a chunked file be trusted by its manifest's stat-cache entry.
        """
        try:
            packs = {run.pack for run in self.runs(self.load(oid))}
            return all(os.stat(self.packs.path(name)).st_mtime_ns <= recorded_ns for name in packs)
        except (OSError, MissingObjectError, CorruptObjectError):
            return False

    def copy_to(self, manifest: Manifest, dst_fd: int) -> None:
        """Write the file's content to ``dst_fd`` (from its current offset), in the kernel."""
        with _PackFiles(self.packs) as files:
            for run in self.runs(manifest):
                src = files.fd(run.pack)
                copied = 0
                while copied < run.length:
                    n = _copy_range(src, dst_fd, run.length - copied, run.offset + copied)
                    if n == 0:
                        raise CorruptObjectError(
                            f"pack {run.pack[:12]} is shorter than its index says; "
                            "run `nbvc fsck` to check the cache"
                        )
                    copied += n

    def iter_chunks(self, manifest: Manifest) -> Iterator[tuple[bytes, memoryview]]:
        """``(digest, data)`` of every chunk of the file in order, as stored (unchecked)."""
        with _PackFiles(self.packs) as files:
            for run in self.runs(manifest):
                yield from read_run(files.fd(run.pack), run)

    def verify(self, oid: str) -> bool:
        """True if every chunk matches its digest and together they hash to ``oid``."""
        try:
            manifest = self.load(oid)
            whole = blake3(max_threads=blake3.AUTO) if manifest.size >= 64 << 20 else blake3()
            for digest, data in self.iter_chunks(manifest):
                if blake3(data).digest() != digest:
                    return False
                whole.update(data)
        except (CorruptObjectError, MissingObjectError, OSError):
            return False
        return bool(whole.hexdigest() == oid)

    def read_bytes(self, oid: str) -> bytes:
        manifest = self.load(oid)
        return b"".join(bytes(data) for _, data in self.iter_chunks(manifest))


def read_run(fd: int, run: Run) -> Iterator[tuple[bytes, memoryview]]:
    """Read a run from its pack in pieces of at most :data:`READ_RUN` bytes, chunk by chunk."""
    members = list(run.chunks)
    offset = run.offset
    while members:
        take, size = 0, 0
        while take < len(members) and (size == 0 or size + members[take][1] <= READ_RUN):
            size += members[take][1]
            take += 1
        data = os.pread(fd, size, offset)
        if len(data) != size:
            raise CorruptObjectError(
                "a pack is shorter than its index says; run `nbvc fsck` to check the cache"
            )
        view = memoryview(data)
        position = 0
        for digest, length in members[:take]:
            yield digest, view[position : position + length]
            position += length
        members = members[take:]
        offset += size


def runs_of(name: str, entries: Iterable[Entry], gap: int = 0) -> list[Run]:
    """Entries grouped into runs that lie back to back (or less than ``gap`` bytes apart; the
    gap's bytes are then read too) and hold at most :data:`RUN_MAX` bytes."""
    runs: list[Run] = []
    start = end = -1
    members: list[tuple[bytes, int]] = []
    for digest, offset, length in sorted(entries, key=lambda e: e.offset):
        if members and (offset - end > gap or offset + length - start > RUN_MAX):
            runs.append(Run(name, start, end - start, tuple(members)))
            members = []
        if not members:
            start = offset
        elif offset > end:  # a gap read along: a nameless piece of the run
            members.append((b"", offset - end))
        members.append((digest, length))
        end = offset + length
    if members:
        runs.append(Run(name, start, end - start, tuple(members)))
    return runs


def _copy_range(src: int, dst: int, count: int, offset: int) -> int:
    try:
        return os.copy_file_range(src, dst, count, offset_src=offset)
    except OSError:  # not supported between these files: copy through memory
        data = os.pread(src, min(count, READ_RUN), offset)
        view = memoryview(data)
        while view:
            view = view[os.write(dst, view) :]
        return len(data)


class _PackFiles:
    """Open pack files, each opened once; closed on exit."""

    def __init__(self, packs: PackStore) -> None:
        self.packs = packs
        self.fds: dict[str, int] = {}

    def fd(self, name: str) -> int:
        found = self.fds.get(name)
        if found is None:
            try:
                found = os.open(self.packs.path(name), os.O_RDONLY)
            except FileNotFoundError:
                self.packs.reload()  # repacked by gc meanwhile: the caller finds it elsewhere
                raise MissingObjectError(
                    f"pack {name[:12]} disappeared while it was read (a concurrent `nbvc gc`?); "
                    "run the command again"
                ) from None
            self.fds[name] = found
        return found

    def __enter__(self) -> _PackFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self.fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds.clear()
