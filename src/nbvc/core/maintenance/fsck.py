"""`nbvc fsck`: check every object, every pack and every chunk manifest in the cache.

- Whole objects and folder manifests are re-hashed; a corrupt one is quarantined.
- Every pack's index is checked (a damaged index is rebuilt from the copy at the pack's end) and
  every chunk re-hashed. Packs holding damaged chunks are rewritten without them (nothing else
  is lost), and each damaged chunk is reported with the files and versions that use it.
- Every chunk manifest is checked (its checksum, and that each chunk it lists is there and
  intact); a damaged one is quarantined.

With a remote, what fsck found missing or damaged is fetched again from it, checked on arrival.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from blake3 import blake3

from nbvc.core.artifacts.build import BATCH
from nbvc.core.errors import CorruptObjectError, MissingObjectError
from nbvc.core.progress import Reporter
from nbvc.core.repo import Repo
from nbvc.core.storage import repack
from nbvc.core.storage.chunks import read_run, runs_of
from nbvc.core.storage.fsutil import atomic_write_bytes
from nbvc.core.storage.hashing import is_tree_oid
from nbvc.core.storage.packs import IDX_SUFFIX, PackError, encode_index, read_trailer

SHOWN_USERS = 10


@dataclass(frozen=True)
class BadChunk:
    digest: str
    pack: str
    users: list[str]  # the files and versions that use it, e.g. "model.pt@v3"


@dataclass
class FsckResult:
    checked: int = 0  # objects, manifests included
    corrupt: list[tuple[str, str]] = field(default_factory=list)  # oid, where it was moved
    chunks: int = 0  # chunks checked
    bad_chunks: list[BadChunk] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # chunked files missing a chunk
    rebuilt_indexes: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # fetched again from the remote
    remote: str | None = None

    damaged_packs: list[str] = field(default_factory=list)  # index and trailer unreadable

    def to_json(self) -> dict[str, Any]:
        """``nbvc fsck --json`` (docs/cli.md)."""
        return {
            "ok": self.ok,
            "checked_objects": self.checked,
            "checked_chunks": self.chunks,
            "corrupt": [{"oid": oid, "moved_to": moved} for oid, moved in self.corrupt],
            "bad_chunks": [
                {"digest": b.digest, "pack": b.pack, "used_by": b.users} for b in self.bad_chunks
            ],
            "broken_files": self.broken,
            "rebuilt_pack_indexes": self.rebuilt_indexes,
            "damaged_packs": self.damaged_packs,
            "repaired": self.repaired,
            "remote": self.remote,
        }

    @property
    def unrepaired(self) -> set[str]:
        """Objects found damaged or incomplete and not fetched again."""
        return ({oid for oid, _ in self.corrupt} | set(self.broken)) - set(self.repaired)

    @property
    def ok(self) -> bool:
        """True if nothing was found damaged, or everything found was repaired from a remote."""
        if self.unrepaired or self.damaged_packs:
            return False
        return not self.bad_chunks or self.remote is not None


def fsck(repo: Repo, reporter: Reporter, remote: str | None = None) -> FsckResult:
    result = FsckResult(remote=remote)
    with repo.collecting():  # packs may be rewritten: no add, fetch or gc meanwhile
        oids = list(repo.odb.iter_oids())
        result.checked = len(oids)
        chunked = [o for o in oids if not is_tree_oid(o) and repo.odb.is_chunked(o)]
        whole = [o for o in oids if o not in set(chunked)]
        bad = _check_packs(repo, reporter, result)
        corrupt = _check_whole(repo, whole, reporter)
        corrupt += _check_manifests(repo, chunked, bad, result)
        if corrupt:
            with repo.lock():
                result.corrupt = [(oid, repo.odb.quarantine(oid)) for oid in corrupt]
        if bad:
            _drop_bad_chunks(repo, bad)
            result.bad_chunks = _describe(repo, bad, chunked)
        if corrupt or bad:
            repo.index.forget_complete()
            repo.index.stat_forget([*corrupt, *result.broken])
    if remote is not None and (result.corrupt or result.broken):
        _repair(repo, remote, result)
    return result


def _check_whole(repo: Repo, oids: list[str], reporter: Reporter) -> list[str]:
    task = reporter.task("fsck objects", len(oids), unit="object")

    def check(batch: list[str]) -> list[str]:
        bad = [oid for oid in batch if not _intact(repo, oid)]
        task.advance(len(batch))
        return bad

    with repo.pool() as pool:
        batches = [oids[i : i + BATCH] for i in range(0, len(oids), BATCH)]
        corrupt = [oid for bad in pool.map(check, batches) for oid in bad]
    task.close()
    return corrupt


def _intact(repo: Repo, oid: str) -> bool:
    try:
        return repo.odb.verify(oid)
    except OSError:
        return False


def _check_packs(repo: Repo, reporter: Reporter, result: FsckResult) -> dict[bytes, str]:
    """Re-hash every chunk of every pack; returns the damaged chunks and their packs."""
    packs = repo.odb.packs
    for name in packs.orphans():  # a pack whose index is lost: rebuild it from the trailer
        try:
            entries = read_trailer(packs.path(name))
        except (OSError, PackError):
            continue  # unreadable: gc removes it as a leftover
        atomic_write_bytes(packs.path(name, IDX_SUFFIX), encode_index(entries))
        result.rebuilt_indexes.append(name)
    for name in packs.names():
        try:
            packs.entries(name)
        except PackError:
            try:
                entries = read_trailer(packs.path(name))
            except (OSError, PackError):  # nothing tells where its chunks are: set it aside
                os.replace(packs.path(name, IDX_SUFFIX), packs.path(name, ".idx-damaged"))
                result.damaged_packs.append(name)
                continue
            atomic_write_bytes(packs.path(name, IDX_SUFFIX), encode_index(entries))
            result.rebuilt_indexes.append(name)
    packs.reload()
    names = packs.names()
    task = reporter.task("fsck packs", len(names), unit="pack")

    def check(name: str) -> tuple[int, list[bytes]]:
        entries = packs.entries(name)
        bad = []
        fd = os.open(packs.path(name), os.O_RDONLY)
        try:
            for run in runs_of(name, entries):
                try:
                    bad += [d for d, data in read_run(fd, run) if blake3(data).digest() != d]
                except CorruptObjectError:  # the pack is shorter than its index says
                    bad += [d for d, _ in run.chunks]
        finally:
            os.close(fd)
        task.advance()
        return len(entries), bad

    with repo.pool() as pool:
        checked = list(pool.map(check, names))
    task.close()
    result.chunks = sum(count for count, _ in checked)
    return {d: name for name, (_, bad) in zip(names, checked, strict=True) for d in bad}


def _check_manifests(
    repo: Repo, oids: list[str], bad: dict[bytes, str], result: FsckResult
) -> list[str]:
    """The damaged manifests; files listing a missing or damaged chunk go to ``broken``."""
    corrupt = []
    for oid in oids:
        try:
            manifest = repo.odb.chunks.load(oid)
        except (CorruptObjectError, MissingObjectError):
            corrupt.append(oid)
            continue
        if any(d in bad or not repo.odb.packs.has(d) for d in manifest.digests):
            result.broken.append(oid)
    return corrupt


def _drop_bad_chunks(repo: Repo, bad: dict[bytes, str]) -> None:
    """Rewrite the packs holding damaged chunks without them (every good chunk is kept)."""
    packs = repo.odb.packs
    victims = sorted(set(bad.values()))
    plan = repack.RepackPlan()
    for name in victims:
        usage = repack.PackUsage(name, 0)
        for digest, offset, length in packs.entries(name):
            usage.size += length
            if digest not in bad:
                usage.live.append((digest, offset, length))
        (plan.rewrite if usage.live else plan.remove).append(usage)
    repack.execute(packs, repo.odb.tmp_dir, plan)


def _describe(repo: Repo, bad: dict[bytes, str], chunked: Sequence[str]) -> list[BadChunk]:
    """Each damaged chunk with the files and versions that use it."""
    users_of_file = _version_users(repo)
    users: dict[bytes, list[str]] = defaultdict(list)
    for oid in chunked:
        try:
            manifest = repo.odb.chunks.load(oid)
        except (CorruptObjectError, MissingObjectError):
            continue
        for digest in manifest.digests & bad.keys():
            users[digest] += users_of_file.get(oid, [f"object {oid[:12]} (no version)"])
    return [BadChunk(d.hex(), bad[d], sorted(users.get(d, []))) for d in sorted(bad)]


def _version_users(repo: Repo) -> dict[str, list[str]]:
    """File oid -> the versions holding it, as ``artifact@vN`` (``artifact@vN: path`` inside
    a folder)."""
    found: dict[str, list[str]] = defaultdict(list)
    for version in repo.history.all_versions():
        name = f"{version.artifact}@{version.name}"
        if not is_tree_oid(version.oid):
            found[version.oid].append(name)
            continue
        try:
            tree = repo.workspace.load_tree(version.oid)
        except (CorruptObjectError, MissingObjectError):
            continue
        for rel, meta in tree.files.items():
            found[meta.oid].append(f"{name}: {rel}")
    return found


def _repair(repo: Repo, remote_name: str, result: FsckResult) -> None:
    """Fetch what was quarantined or lost a chunk from the remote, checked on arrival."""
    from nbvc.core.progress import NULL
    from nbvc.core.remote import chunk_transfer, objects
    from nbvc.core.remote.fs import open_remote
    from nbvc.core.remote.plan import Want

    remote = open_remote(repo, remote_name)
    chunked = set(result.broken) | {o for o, moved in result.corrupt if moved.endswith(".chunks")}
    whole = [o for o, moved in result.corrupt if o not in chunked]
    with repo.storing():
        task = NULL.task("", None)
        outcome = chunk_transfer.fetch_chunked(
            repo, remote, [Want(o, None, "fsck") for o in sorted(chunked)], task
        )
        result.repaired += outcome.moved
        for oid in whole:
            if objects.download(repo.odb, remote, oid, None)[0] is objects.Outcome.SENT:
                result.repaired.append(oid)
