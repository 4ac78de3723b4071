"""`nbvc gc`: delete cached objects that nothing references; optionally prune old versions.

Safe by default: every recorded version (tagged or not), every tag, every pointer file in the
workspace, every run record (run-cache outputs and plot files) and every lineage record (the
cell's source) keeps its objects.
``keep_last`` prunes versions explicitly (never a tagged version or the one a pointer names),
and only then do their objects become garbage.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from nbvc.core.artifacts import pointer
from nbvc.core.artifacts.history import Version
from nbvc.core.errors import NbvcError
from nbvc.core.lineage.store import kept_objects as kept_by_lineage
from nbvc.core.models.registry import model_roots
from nbvc.core.progress import Reporter
from nbvc.core.repo import Repo
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.storage import fsutil
from nbvc.core.storage.hashing import is_tree_oid

STALE_TMP_SECONDS = 24 * 3600


@dataclass
class GcResult:
    dry_run: bool
    pruned: list[Version] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    kept: int = 0
    purged_runs: list[str] = field(default_factory=list)  # soft-deleted runs removed


def gc(repo: Repo, dry_run: bool, keep_last: int | None, reporter: Reporter) -> GcResult:
    if keep_last is not None and keep_last < 1:
        raise NbvcError("--keep-last must be at least 1")
    result = GcResult(dry_run)
    with repo.collecting(), repo.lock():
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
        if not dry_run:
            _clean_tmp(repo.odb.tmp_dir)
            if garbage:
                repo.index.forget_complete()
    return result


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


def _clean_tmp(tmp_dir: str) -> None:
    """Remove temp files that a killed nbvc left behind (old enough not to be in use)."""
    cutoff = time.time() - STALE_TMP_SECONDS
    for entry in os.scandir(tmp_dir):
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            fsutil.remove_file(entry.path)
