"""`nbvc gc --remote NAME`: delete the objects on a remote that nothing references.

Live means reachable from a root of :func:`nbvc.core.maintenance.gc.live_roots` (every unpruned
version, every pointer here, and whatever other features add there), trees expanded. The order of
steps keeps a concurrent push safe: the remote's objects are listed first, then its records are
fetched; a push sends records before objects, so every object in the listing already had its
record on the remote. Local records the remote lacks (a local prune, say) are pushed before
anything is deleted, so that other clones agree with what went. A tree is read from the local
cache or else from the remote; if a live tree on the remote cannot be read, gc stops rather than
guess what it lists. Uploads that an interrupted push left in the remote's ``tmp/`` for more
than a day are removed too.

Chunks: a pack on the remote none of whose chunks a live chunked file lists is deleted (its
index first, so no reader takes it for complete while it goes). Packs that are only partly dead
stay (rewriting them would mean downloading their live part). If the manifest of a live chunked
file cannot be read, no pack is deleted.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.artifacts import pointer
from nbvc.core.errors import CorruptObjectError, MissingObjectError, RemoteError
from nbvc.core.maintenance.gc import live_roots
from nbvc.core.progress import NULL, Reporter
from nbvc.core.remote import ledger, remote_packs
from nbvc.core.remote import record_sync as records
from nbvc.core.remote.fs import Remote, open_remote
from nbvc.core.remote.objects import digest
from nbvc.core.remote.parallel import parallel_map
from nbvc.core.remote.remote_packs import BAD_SUFFIX
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import CHUNKED_SUFFIX, hash_bytes, is_tree_oid, short
from nbvc.core.storage.manifest import Manifest, ManifestError
from nbvc.core.storage.packs import IDX_SUFFIX, PACK_SUFFIX
from nbvc.core.storage.tree import Tree

# an upload older than this is not in flight: a push killed half-way left it
STALE_UPLOAD_SECONDS = 24 * 3600

ALL_PREFIXES = [f"{i:02x}" for i in range(256)]
DELETE_BATCH = 500


@dataclass
class RemoteGcResult:
    remote: str
    dry_run: bool
    removed: list[str] = field(default_factory=list)
    kept: int = 0
    stale_uploads: int = 0
    records_fetched: int = 0
    records_pushed: int = 0
    packs_removed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``nbvc gc --remote NAME --json`` (docs/cli.md)."""
        return {
            "remote": self.remote,
            "dry_run": self.dry_run,
            "removed_objects": len(self.removed),
            "kept_objects": self.kept,
            "stale_uploads": self.stale_uploads,
            "packs_removed": len(self.packs_removed),
        }


def gc_remote(
    repo: Repo,
    remote_name: str | None,
    dry_run: bool = False,
    jobs: int | None = None,
    reporter: Reporter = NULL,
) -> RemoteGcResult:
    remote = open_remote(repo, remote_name, jobs)
    remote.check_writable()
    result = RemoteGcResult(remote.name, dry_run)
    present = remote.list_objects(ALL_PREFIXES)
    result.records_fetched = records.fetch(repo, remote).copied
    if not dry_run:
        result.records_pushed = records.push(repo, remote).copied
    pointed = {p.oid for a in repo.tracked() if (p := pointer.read(repo.abspath(a)))}
    live = _expand(repo, remote, live_roots(repo, pointed, set()), present)
    result.removed = sorted(n for n in present if n.removesuffix(CHUNKED_SUFFIX) not in live)
    result.kept = len(present) - len(result.removed)
    stale = remote.stale_uploads(STALE_UPLOAD_SECONDS)
    result.stale_uploads = len(stale)
    kept_manifests = sorted(
        n for n in present if n.endswith(CHUNKED_SUFFIX) and n not in result.removed
    )
    dead_packs = _dead_packs(repo, remote, kept_manifests)
    result.packs_removed = sorted(dead_packs)
    if not dry_run:
        ledger.forget(repo, remote.url)
        _delete(remote, [remote.object_path(oid) for oid in result.removed] + stale, reporter)
        indexes = [remote.pack_path(n, s) for n in dead_packs for s in (IDX_SUFFIX, BAD_SUFFIX)]
        _delete(remote, [p for p in indexes if remote.exists(p)], NULL)
        _delete(remote, [remote.pack_path(n, PACK_SUFFIX) for n in dead_packs], NULL)
    return result


def _dead_packs(repo: Repo, remote: Remote, manifests: list[str]) -> set[str]:
    """The remote's packs that no kept chunk manifest needs a chunk of."""
    live: set[bytes] = set()
    for name in manifests:
        oid = name.removesuffix(CHUNKED_SUFFIX)
        manifest = _load_manifest(repo, remote, oid)
        if manifest is None:
            return set()  # gc cannot tell which chunks it needs: keep every pack
        live |= manifest.digests
    there = remote_packs.load(repo, remote)
    return {
        name
        for name, entries in there.entries.items()
        if not any(entry.digest in live for entry in entries)
    }


def _load_manifest(repo: Repo, remote: Remote, oid: str) -> Manifest | None:
    if repo.odb.chunks.has(oid):
        with contextlib.suppress(CorruptObjectError, MissingObjectError):
            return repo.odb.chunks.load(oid)
    data = remote.read_bytes(remote.manifest_path(oid))
    try:
        return Manifest.deserialize(data, oid) if data is not None else None
    except ManifestError:
        return None


def _expand(repo: Repo, remote: Remote, roots: set[str], present: set[str]) -> set[str]:
    live = set(roots)
    for oid in sorted(o for o in roots if is_tree_oid(o)):
        tree = _load_tree(repo, remote, oid, present)
        if tree is not None:
            live.update(meta.oid for meta in tree.files.values())
    return live


def _load_tree(repo: Repo, remote: Remote, oid: str, present: set[str]) -> Tree | None:
    """The tree from the local cache or the remote; None if neither has it."""
    if repo.odb.exists(oid):
        try:
            return repo.workspace.load_tree(oid)
        except CorruptObjectError:
            pass  # quarantined locally; the remote's copy may be good
    if oid not in present:
        return None
    data = remote.read_bytes(remote.object_path(oid))
    if data is None or hash_bytes(data) != digest(oid):
        raise RemoteError(
            f"remote {remote.name!r}: the folder manifest {short(oid)} is missing or corrupt, so "
            "gc cannot tell which objects it needs and deleted nothing; push that version again "
            "from a machine that has it, then run gc again"
        )
    return Tree.deserialize(data)


def _delete(remote: Remote, paths: list[str], reporter: Reporter) -> None:
    task = reporter.task(f"gc {remote.name}", len(paths), unit="file")
    batches = [paths[i : i + DELETE_BATCH] for i in range(0, len(paths), DELETE_BATCH)]

    def delete(batch: list[str]) -> None:
        remote.remove(batch)
        task.advance(len(batch))

    try:
        parallel_map(remote.jobs, delete, batches)
    finally:
        task.close()
