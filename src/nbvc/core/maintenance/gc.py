"""`nbvc gc`: delete cached objects that nothing references; optionally prune old versions.

Safe by default: every recorded version (tagged or not), every tag, every pointer file in the
workspace, every run record (run-cache outputs and plot files) and every lineage record (the
cell's source) keeps its objects.
``keep_last`` prunes versions explicitly (never a tagged version or the one a pointer names),
and only then do their objects become garbage.

Chunks are live while a live chunked file lists them. Packs with no live chunk are deleted and
packs that became mostly garbage are rewritten (:mod:`nbvc.core.storage.repack`, crash-safe). If
the manifest of a live chunked file cannot be read, no pack is touched: gc cannot tell which
chunks it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nbvc.core.artifacts import pointer
from nbvc.core.artifacts.history import Version
from nbvc.core.errors import CorruptObjectError, MissingObjectError, NbvcError
from nbvc.core.lineage.store import kept_objects as kept_by_lineage
from nbvc.core.maintenance.rechunk import RechunkResult
from nbvc.core.maintenance.rechunk import rechunk as convert_to_chunks
from nbvc.core.models.registry import model_roots
from nbvc.core.progress import Reporter
from nbvc.core.repo import Repo
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.storage import repack
from nbvc.core.storage.hashing import is_tree_oid
from nbvc.core.storage.packs import PackError


@dataclass
class GcResult:
    dry_run: bool
    pruned: list[Version] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    kept: int = 0
    purged_runs: list[str] = field(default_factory=list)  # soft-deleted runs removed
    packs_removed: int = 0
    packs_rewritten: int = 0
    unreadable: list[str] = field(default_factory=list)  # live manifests gc could not read
    rechunked: RechunkResult | None = None

    def to_json(self) -> dict[str, Any]:
        """``nbvc gc --json`` (docs/cli.md)."""
        rechunked = self.rechunked
        return {
            "dry_run": self.dry_run,
            "pruned": [f"{v.artifact}@{v.name}" for v in self.pruned],
            "removed_objects": len(self.removed),
            "freed_bytes": self.freed_bytes,
            "kept_objects": self.kept,
            "purged_runs": self.purged_runs,
            "packs_removed": self.packs_removed,
            "packs_rewritten": self.packs_rewritten,
            "unreadable_manifests": self.unreadable,
            "rechunked": None
            if rechunked is None
            else {
                "objects": len(rechunked.converted),
                "bytes": rechunked.bytes_before,
                "corrupt": rechunked.corrupt,
            },
        }


def gc(
    repo: Repo, dry_run: bool, keep_last: int | None, reporter: Reporter, rechunk: bool = False
) -> GcResult:
    if keep_last is not None and keep_last < 1:
        raise NbvcError("--keep-last must be at least 1")
    result = GcResult(dry_run)
    with repo.collecting(), repo.lock():
        repo.reindex(strict=True)  # never judge liveness by an index that is behind the records
        if rechunk:
            result.rechunked = convert_to_chunks(repo, dry_run, reporter)
        pointers = {a: p for a in repo.tracked() if (p := pointer.read(repo.abspath(a)))}
        if keep_last is not None:
            result.pruned = _prunable(repo, keep_last, {p.oid for p in pointers.values()})
            if result.pruned and not dry_run:
                repo.history.prune(result.pruned)
        result.purged_runs = repo.runs.purge_deleted(dry_run)
        pruned_ids = {v.id for v in result.pruned}
        roots = live_roots(repo, {p.oid for p in pointers.values()}, pruned_ids)
        live = _expand(repo, roots)
        present = list(repo.odb.iter_oids())
        garbage = [oid for oid in present if oid not in live]
        result.kept = len(present) - len(garbage)
        task = reporter.task("gc", len(garbage))
        for oid in garbage:
            result.freed_bytes += repo.odb.size(oid) if dry_run else repo.odb.remove(oid)
            task.advance()
        task.close()
        result.removed = garbage
        _collect_packs(repo, live, dry_run, result)
        if not dry_run and garbage:
            repo.index.forget_complete()
    return result


def _collect_packs(repo: Repo, live: set[str], dry_run: bool, result: GcResult) -> None:
    """Delete or rewrite packs whose chunks no live chunked file lists."""
    odb = repo.odb
    chunks: set[bytes] = set()
    for oid in live:
        if is_tree_oid(oid) or not odb.is_chunked(oid):
            continue
        try:
            chunks |= odb.chunks.load(oid).digests
        except (CorruptObjectError, MissingObjectError):
            result.unreadable.append(oid)
    if result.unreadable:
        return
    try:
        todo = repack.plan(odb.packs, chunks)
    except (OSError, PackError) as exc:
        raise NbvcError(
            f"a pack index could not be read ({exc}); gc removed no chunks. "
            "Run `nbvc fsck` to check and rebuild the packs"
        ) from None
    result.packs_removed, result.packs_rewritten = len(todo.remove), len(todo.rewrite)
    if dry_run:
        result.freed_bytes += todo.freed_bytes
        return
    result.freed_bytes += repack.remove_leftovers(odb.packs, odb.tmp_dir)
    if todo.remove or todo.rewrite:
        result.freed_bytes += repack.execute(odb.packs, odb.tmp_dir, todo)


def live_roots(repo: Repo, pointer_oids: set[str], ignored_versions: set[str]) -> set[str]:
    """The root oids that keep objects alive, here and on remotes (`nbvc gc --remote`):
    every version not pruned (or in ``ignored_versions``), every pointer's oid and every object
    that lineage or a run references. Features that keep objects alive add their roots here."""
    roots = {v.oid for v in repo.history.all_versions() if v.id not in ignored_versions}
    return (
        roots
        | pointer_oids
        | kept_by_lineage(repo)
        | RunIndex(repo).referenced_oids(live_only=True)
        | model_roots(repo)
    )


def _prunable(repo: Repo, keep_last: int, pointed: set[str]) -> list[Version]:
    tagged = repo.history.tagged_version_ids()
    prunable = []
    for artifact in repo.history.artifacts():
        for version in repo.history.versions(artifact)[keep_last:]:
            if version.id not in tagged and version.oid not in pointed:
                prunable.append(version)
    return prunable


def _expand(repo: Repo, roots: set[str]) -> set[str]:
    """Roots plus every file object their trees list (trees missing from the cache are skipped)."""
    live = set(roots)
    for oid in roots:
        if is_tree_oid(oid) and repo.odb.exists(oid):
            live.update(meta.oid for meta in repo.workspace.load_tree(oid).files.values())
    return live
