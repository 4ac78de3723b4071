"""Moving chunked files: their manifests, plus only the chunks the other side lacks, in packs.

**Push.** What the remote holds is read from its pack indexes (:mod:`.remote_packs`). The
chunks it lacks are sent in packs: a local pack that is mostly needed goes as it is (one file
copy), the rest are gathered into new packs first. Every chunk is checked against its digest
before it leaves. On the remote a pack goes before its index, and a file's manifest only after
every chunk it lists is in a pack with an index, so a manifest on the remote always means that
the whole file can be fetched (the same invariant as for folder manifests).

**Fetch.** The manifests come first; the chunks the cache lacks are then read from the remote's
packs: a pack that is mostly needed is downloaded whole (and becomes a local pack as it is),
otherwise the needed ranges are read, nearby ones together. Every chunk is checked on arrival;
a damaged one is read once more, then refused: the files using it are not stored (so nothing
damaged reaches the workspace), the chunk is marked bad on the remote and the manifests are
removed there, so the next push from a machine with a good copy sends it again.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from blake3 import blake3

from nbvc.core.errors import CorruptObjectError, MissingObjectError, RemoteError
from nbvc.core.progress import Task
from nbvc.core.remote import remote_packs
from nbvc.core.remote.fs import Remote
from nbvc.core.remote.parallel import parallel_map
from nbvc.core.remote.plan import Want
from nbvc.core.remote.remote_packs import PACKS, RemotePacks
from nbvc.core.repo import Repo
from nbvc.core.storage import fsutil
from nbvc.core.storage.chunks import RUN_MAX, read_run, runs_of
from nbvc.core.storage.manifest import Manifest, ManifestError
from nbvc.core.storage.odb import Staged, StoredFile
from nbvc.core.storage.packs import (
    IDX_SUFFIX,
    PACK_SUFFIX,
    Entry,
    PackWriter,
    StagedPack,
    encode_index,
    pack_name,
)

WHOLE_PACK_SHARE = 0.9  # push a local pack as it is when this share of its bytes is needed
FETCH_WHOLE_SHARE = 0.5  # download a remote pack whole when this share of its bytes is needed
RANGE_GAP = 1 << 20  # needed ranges closer than this are read in one request
FETCH_ATTEMPTS = 2


@dataclass
class ChunkOutcome:
    """What moving chunked files did: files moved, bytes moved, and the files that failed."""

    moved: list[str] = field(default_factory=list)
    bytes: int = 0
    missing: list[Want] = field(default_factory=list)  # a chunk (or manifest) is not at the source
    corrupt: list[Want] = field(default_factory=list)  # a chunk (or manifest) is damaged there

    @property
    def failed(self) -> set[str]:
        return {w.oid for w in (*self.missing, *self.corrupt)}


# -- push ---------------------------------------------------------------------------------------
@dataclass
class _Upload:
    name: str  # the pack's name, here and on the remote
    path: str  # the local file to send
    index: bytes
    size: int
    temp: bool  # gathered for this push: deleted afterwards


def push_chunked(repo: Repo, remote: Remote, wants: Sequence[Want], task: Task) -> ChunkOutcome:
    """Send the chunked files ``wants`` (which the remote lacks): missing chunks, then manifests."""
    outcome = ChunkOutcome()
    manifests = _local_manifests(repo, wants, outcome)
    if not manifests:
        return outcome
    there = remote_packs.load(repo, remote)
    needed = {d for _, m in manifests.values() for d in m.digests if not there.has(d)}
    uploads, lost, damaged = _gather(repo, needed)
    remote.make_dirs(["tmp", PACKS])
    trusted = _trusted_packs(repo, manifests)
    damaged |= _send_packs(repo, remote, uploads, needed, trusted, task, outcome)
    ready = []
    for want, manifest in manifests.values():
        if manifest.digests & lost:
            outcome.missing.append(want)
        elif manifest.digests & damaged:
            outcome.corrupt.append(want)
        else:
            ready.append((want, manifest))

    def send_manifest(item: tuple[Want, Manifest]) -> int:
        data = item[1].serialize()
        remote.write_bytes(remote.manifest_path(item[0].oid), data)
        return len(data)

    sizes = parallel_map(remote.jobs, send_manifest, ready)
    for (want, _), nbytes in zip(ready, sizes, strict=True):
        outcome.moved.append(want.oid)
        outcome.bytes += nbytes
    return outcome


def _local_manifests(
    repo: Repo, wants: Sequence[Want], outcome: ChunkOutcome
) -> dict[str, tuple[Want, Manifest]]:
    manifests: dict[str, tuple[Want, Manifest]] = {}
    for want in wants:
        try:
            manifests[want.oid] = (want, repo.odb.chunks.load(want.oid))
        except MissingObjectError:
            outcome.missing.append(want)
        except CorruptObjectError:
            repo.odb.quarantine(want.oid)
            outcome.corrupt.append(want)
    return manifests


def _send_packs(
    repo: Repo,
    remote: Remote,
    uploads: list[_Upload],
    needed: set[bytes],
    trusted: set[str],
    task: Task,
    outcome: ChunkOutcome,
) -> set[bytes]:
    """Upload packs in parallel, each before its index; returns the needed chunks that were
    found damaged here (their packs were not sent). Packs not ``trusted`` are re-hashed first."""
    packs = repo.odb.packs

    def send(upload: _Upload) -> bool:
        checked = upload.temp or upload.name in trusted
        if not checked and not _pack_intact(packs.path(upload.name), upload.index):
            return False
        remote.put_file(upload.path, remote.pack_path(upload.name, PACK_SUFFIX))
        remote.write_bytes(remote.pack_path(upload.name, IDX_SUFFIX), upload.index)
        remote_packs.remember(repo, remote, upload.name, upload.index)
        task.advance(upload.size)
        return True

    try:
        sent = parallel_map(remote.jobs, send, uploads, weight=lambda u: u.size)
    finally:
        for upload in uploads:
            if upload.temp:
                fsutil.remove_file(upload.path)
                fsutil.remove_file(upload.path + IDX_SUFFIX)
    damaged: set[bytes] = set()
    for upload, ok in zip(uploads, sent, strict=True):
        if ok:
            outcome.bytes += upload.size
        else:
            damaged |= {e.digest for e in packs.entries(upload.name)} & needed
    return damaged


def _trusted_packs(repo: Repo, manifests: dict[str, tuple[Want, Manifest]]) -> set[str]:
    """Packs holding chunks of files verified when they were stored or last checked out, and
    not written to since (as big whole objects are trusted by their stat): not re-hashed."""
    odb = repo.odb
    intact = odb.known_intact(repo.index, list(manifests))
    return {run.pack for oid in intact for run in odb.chunks.runs(manifests[oid][1])}


def _gather(repo: Repo, needed: set[bytes]) -> tuple[list[_Upload], set[bytes], set[bytes]]:
    """The packs to send for ``needed`` chunks; also the chunks not here and the damaged ones."""
    packs = repo.odb.packs
    lost: set[bytes] = set()
    by_pack: dict[str, list[Entry]] = defaultdict(list)
    for digest in needed:
        where = packs.locate(digest)
        if where is None:
            lost.add(digest)
        else:
            by_pack[where.pack].append(Entry(digest, where.offset, where.length))
    uploads: list[_Upload] = []
    partial: list[tuple[str, list[Entry]]] = []
    for name, entries in sorted(by_pack.items()):
        with open(packs.path(name, IDX_SUFFIX), "rb") as handle:
            index = handle.read()
        total = sum(e.length for e in packs.entries(name))
        if sum(e.length for e in entries) >= WHOLE_PACK_SHARE * total:
            size = os.path.getsize(packs.path(name))
            uploads.append(_Upload(name, packs.path(name), index, size, False))
        else:
            partial.append((name, entries))
    damaged: set[bytes] = set()
    if partial:
        writer = PackWriter(repo.odb.tmp_dir, durable=False)
        try:
            for name, entries in partial:
                damaged |= _copy_chunks(packs.path(name), name, entries, writer)
            staged = writer.finish()
        except BaseException:
            writer.discard()
            raise
        for item in staged:
            size = os.path.getsize(item.pack_tmp)
            uploads.append(
                _Upload(item.name, item.pack_tmp, encode_index(item.entries), size, True)
            )
    return uploads, lost, damaged


def _copy_chunks(path: str, name: str, entries: list[Entry], writer: PackWriter) -> set[bytes]:
    """Copy checked chunks of one pack into ``writer``; returns the digests that were damaged."""
    damaged = set()
    fd = os.open(path, os.O_RDONLY)
    try:
        for run in runs_of(name, entries, 0):
            good = []
            for digest, data in read_run(fd, run):
                if blake3(data).digest() == digest:
                    good.append((digest, data))
                else:
                    damaged.add(digest)
            writer.add(good)
    finally:
        os.close(fd)
    return damaged


def _pack_intact(path: str, index: bytes) -> bool:
    """True if every chunk of the local pack at ``path`` matches its digest."""
    from nbvc.core.storage.packs import decode_index

    entries = decode_index(index)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        for run in runs_of("", entries, 0):
            for digest, data in read_run(fd, run):
                if blake3(data).digest() != digest:
                    return False
    except CorruptObjectError:
        return False
    finally:
        os.close(fd)
    return True


# -- fetch --------------------------------------------------------------------------------------
_CORRUPT = object()


def fetch_chunked(repo: Repo, remote: Remote, wants: Sequence[Want], task: Task) -> ChunkOutcome:
    """Fetch the chunked files ``wants``; those whose manifest the remote lacks come back in
    ``missing`` (the caller may try them as whole objects)."""
    odb = repo.odb
    outcome = ChunkOutcome()

    def get(want: Want) -> Manifest | object | None:
        for _ in range(FETCH_ATTEMPTS):
            data = remote.read_bytes(remote.manifest_path(want.oid))
            if data is None:
                return None
            with contextlib.suppress(ManifestError):
                return Manifest.deserialize(data, want.oid)
        return _CORRUPT

    manifests: dict[str, tuple[Want, Manifest]] = {}
    for want, got in zip(wants, parallel_map(remote.jobs, get, list(wants)), strict=True):
        if got is None:
            outcome.missing.append(want)
        elif isinstance(got, Manifest):
            manifests[want.oid] = (want, got)
        else:
            outcome.corrupt.append(want)
    if not manifests:
        return outcome
    needed = {d for _, m in manifests.values() for d in m.digests if not odb.packs.has(d)}
    there = remote_packs.load(repo, remote) if needed else RemotePacks()
    lost = {d for d in needed if not there.has(d)}
    receiver = _Receiver(repo, remote, there, task)
    try:
        damaged = receiver.receive(needed - lost)
        odb.packs.publish(receiver.finish())
    except BaseException:
        receiver.discard()
        raise
    outcome.bytes += receiver.bytes
    _store_manifests(repo, manifests, lost, damaged, outcome)
    if damaged and not remote.read_only:
        for name, digests in _by_pack(there, damaged).items():
            with contextlib.suppress(RemoteError):  # the fetch's report is what matters
                remote_packs.mark_bad(remote, name, digests)
    return outcome


def _store_manifests(
    repo: Repo,
    manifests: dict[str, tuple[Want, Manifest]],
    lost: set[bytes],
    damaged: set[bytes],
    outcome: ChunkOutcome,
) -> None:
    staged = []
    for want, manifest in manifests.values():
        if manifest.digests & (lost | damaged):  # damage on the remote: a push put chunks first
            outcome.corrupt.append(want)
        else:
            tmp = repo.odb.chunks.write_temp(manifest.serialize())
            staged.append(Staged(StoredFile(want.oid, manifest.size, 0, 0), tmp, True))
            outcome.moved.append(want.oid)
    try:
        repo.odb.commit(staged, durable=False)
    except BaseException:
        repo.odb.discard(staged)
        raise


def _by_pack(there: RemotePacks, digests: set[bytes]) -> dict[str, set[bytes]]:
    found: dict[str, set[bytes]] = defaultdict(set)
    for digest in digests:
        where = there.locations.get(digest)
        if where is not None:
            found[where.pack].add(digest)
    return found


class _Receiver:
    """Receives chunks from a remote's packs into new local packs (in parallel, checked)."""

    def __init__(self, repo: Repo, remote: Remote, there: RemotePacks, task: Task) -> None:
        self.repo = repo
        self.remote = remote
        self.there = there
        self.task = task
        self.writer = PackWriter(repo.odb.tmp_dir, durable=False)
        self.lock = threading.Lock()
        self.whole: list[StagedPack] = []
        self.bytes = 0

    def receive(self, needed: set[bytes]) -> set[bytes]:
        """Fetch ``needed``; returns the digests that arrived damaged (twice)."""
        jobs: list[tuple[str, list[Entry] | None]] = []
        for name, digests in sorted(_by_pack(self.there, needed).items()):
            wanted = [e for e in self.there.entries[name] if e.digest in digests]
            share = sum(e.length for e in wanted) / max(1, self.there.sizes[name])
            if share >= FETCH_WHOLE_SHARE:
                jobs.append((name, None))
            else:
                jobs.extend((name, list(run_entries)) for run_entries in _range_jobs(wanted))
        results = parallel_map(
            self.remote.jobs,
            lambda job: self._job(*job),
            jobs,
            weight=lambda job: self.there.sizes[job[0]] if job[1] is None else RUN_MAX,
        )
        damaged = {d for found in results for d in found}
        if damaged:  # a glitch in transit is not damage at rest: read them once more
            retry = [
                (n, [e for e in self.there.entries[n] if e.digest in d])
                for n, d in _by_pack(self.there, damaged).items()
            ]
            damaged = {d for job in retry for d in self._ranges(*job)}
        return damaged

    def _job(self, name: str, entries: list[Entry] | None) -> set[bytes]:
        return self._whole_pack(name) if entries is None else self._ranges(name, entries)

    def _whole_pack(self, name: str) -> set[bytes]:
        """Download a pack whole; if it is intact it becomes a local pack as it is."""
        entries = self.there.entries[name]
        tmp = os.path.join(self.repo.odb.tmp_dir, f"pack-{os.urandom(8).hex()}")
        try:
            if not self.remote.get_file(remote_packs.pack_data_path(self.remote, name), tmp):
                return {e.digest for e in entries}
            size = os.path.getsize(tmp)
            with self.lock:
                self.bytes += size
            self.task.advance(size)
            damaged = (
                _damaged(tmp, entries)
                if pack_name(entries) == name
                else {e.digest for e in entries}
            )
            if not damaged:
                idx_tmp = tmp + IDX_SUFFIX
                with open(idx_tmp, "wb") as handle:
                    handle.write(encode_index(entries))
                with self.lock:
                    self.whole.append(StagedPack(name, tmp, idx_tmp, tuple(entries)))
                return set()
            good = [e for e in entries if e.digest not in damaged]
            with self.lock:
                _copy_chunks(tmp, name, good, self.writer)
            fsutil.remove_file(tmp)
            return damaged
        except BaseException:
            fsutil.remove_file(tmp)
            raise

    def _ranges(self, name: str, entries: list[Entry]) -> set[bytes]:
        damaged = set()
        path = remote_packs.pack_data_path(self.remote, name)
        for run in runs_of(name, entries, RANGE_GAP):
            data = self.remote.read_range(path, run.offset, run.offset + run.length)
            if data is None or len(data) != run.length:
                damaged |= {d for d, _ in run.chunks if d}
                continue
            view = memoryview(data)
            good, position = [], 0
            for digest, length in run.chunks:
                piece = view[position : position + length]
                position += length
                if not digest:
                    continue
                if blake3(piece).digest() == digest:
                    good.append((digest, piece))
                else:
                    damaged.add(digest)
            with self.lock:
                self.writer.add(good)
                self.bytes += run.length
            self.task.advance(run.length)
        return damaged

    def finish(self) -> list[StagedPack]:
        return [*self.writer.finish(), *self.whole]

    def discard(self) -> None:
        self.writer.discard()
        for staged in self.whole:
            for tmp in staged.tmps:
                fsutil.remove_file(tmp)


def _range_jobs(entries: list[Entry]) -> list[list[Entry]]:
    """Split a pack's wanted entries into jobs of about :data:`RUN_MAX` bytes."""
    jobs: list[list[Entry]] = []
    current: list[Entry] = []
    size = 0
    for entry in sorted(entries, key=lambda e: e.offset):
        current.append(entry)
        size += entry.length
        if size >= RUN_MAX:
            jobs.append(current)
            current, size = [], 0
    if current:
        jobs.append(current)
    return jobs


def _damaged(path: str, entries: Sequence[Entry]) -> set[bytes]:
    """The chunks of the pack file at ``path`` that do not match their digests."""
    damaged = set()
    fd = os.open(path, os.O_RDONLY)
    try:
        for run in runs_of("", entries, 0):
            try:
                for digest, data in read_run(fd, run):
                    if blake3(data).digest() != digest:
                        damaged.add(digest)
            except CorruptObjectError:  # shorter than its index says
                damaged |= {d for d, _ in run.chunks}
    finally:
        os.close(fd)
    return damaged
