"""`nbvc checkout`: restore a version of an artifact into the workspace, losing nothing."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from nbvc.core.artifacts import pointer
from nbvc.core.artifacts.build import BATCH
from nbvc.core.artifacts.refs import Target, resolve, split_spec
from nbvc.core.artifacts.scan import describe
from nbvc.core.artifacts.workspace import Snapshot, file_meta
from nbvc.core.errors import CorruptObjectError, UnsavedChangesError
from nbvc.core.progress import NULL, Reporter, Task
from nbvc.core.repo import Repo
from nbvc.core.storage.linking import Linker, Written
from nbvc.core.storage.pool import Pool
from nbvc.core.storage.tree import FileMeta, Tree

SHOWN_FILES = 10


@dataclass(frozen=True)
class CheckoutResult:
    target: Target
    written: int
    deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.written or self.deleted)


@dataclass
class _Plan:
    write: list[str]
    delete: list[str]
    replace_whole: bool  # the workspace holds a file where a folder goes, or the reverse
    stale_dirs: list[str] = field(default_factory=list)  # empty folders the target lacks


def checkout(repo: Repo, spec: str, force: bool, reporter: Reporter) -> CheckoutResult:
    artifact, ref = split_spec(repo, spec)
    target = resolve(repo, artifact, ref)
    path = repo.abspath(artifact)
    name = os.path.basename(artifact)
    with repo.pool() as pool:
        tree = repo.workspace.load_tree(target.oid) if target.kind == "dir" else None
        wanted = tree.files if tree else {name: FileMeta(target.oid, target.size, False)}
        current = repo.workspace.snapshot(artifact, pool)
        plan = _plan(current, target, tree, wanted, name)
        if not force:
            _refuse_unsaved(repo, artifact, current, plan, name)
        try:
            written = _apply(repo, path, target, tree, wanted, plan, pool, reporter)
        except CorruptObjectError:
            repo.index.forget_complete()
            raise
    with repo.lock():
        number = target.version.number if target.version else None
        new_pointer = pointer.Pointer(target.oid, target.kind, target.size, target.nfiles, number)
        if pointer.read(path) != new_pointer:
            pointer.write(path, new_pointer)
    return CheckoutResult(target, written, len(plan.delete))


def _plan(
    current: Snapshot | None,
    target: Target,
    tree: Tree | None,
    wanted: dict[str, FileMeta],
    name: str,
) -> _Plan:
    if current is None:
        return _Plan(sorted(wanted), [], False)
    have = file_meta(current, name)
    if current.kind != target.kind:
        return _Plan(sorted(wanted), sorted(have), True)
    if target.kind == "file":
        same = have[name].oid == wanted[name].oid
        return _Plan([] if same else [name], [], False)
    write = [p for p, meta in wanted.items() if have.get(p) != meta]
    delete = [p for p in have if p not in wanted]
    stale = sorted(current.tree.empty_dirs - tree.empty_dirs) if current.tree and tree else []
    return _Plan(sorted(write), sorted(delete), False, stale)


def _refuse_unsaved(
    repo: Repo, artifact: str, current: Snapshot | None, plan: _Plan, name: str
) -> None:
    if current is None:
        return
    have = file_meta(current, name)
    at_risk = [p for p in (*plan.write, *plan.delete) if p in have]
    unsaved = [p for p in at_risk if not repo.odb.exists(have[p].oid)]
    if unsaved:
        shown = _shown(unsaved)
        raise UnsavedChangesError(
            f"{artifact} has changes that are not saved in nbvc ({len(unsaved)} file(s): "
            f"{shown}); checkout would lose them. Run `nbvc add {artifact}` to keep them as a "
            "new version, or `nbvc checkout --force` to discard them."
        )
    if unversioned := _unversioned_at_risk(current, plan):
        path = repo.abspath(artifact)
        shown = _shown(
            [
                describe(path if current.kind == "file" else os.path.join(path, p), p)
                for p in unversioned
            ]
        )
        raise UnsavedChangesError(
            f"{artifact} holds what nbvc does not version ({shown}); checkout would delete "
            f"it. Move it out of {artifact}, or run `nbvc checkout --force` to delete it."
        )


def _unversioned_at_risk(current: Snapshot, plan: _Plan) -> list[str]:
    """FIFOs, sockets, devices and symlinks (not links into the cache) that the plan would
    remove or write over: the whole folder goes when a file replaces it."""
    entries = [*current.skipped, *current.symlinks]
    if plan.replace_whole:
        return entries
    touched = [*plan.write, *plan.delete, *plan.stale_dirs]
    return [e for e in entries if any(p == e or p.startswith(e + "/") for p in touched)]


def _shown(items: Sequence[str]) -> str:
    return ", ".join(items[:SHOWN_FILES]) + (" ..." if len(items) > SHOWN_FILES else "")


def _apply(
    repo: Repo,
    path: str,
    target: Target,
    tree: Tree | None,
    wanted: dict[str, FileMeta],
    plan: _Plan,
    pool: Pool,
    reporter: Reporter,
) -> int:
    if plan.replace_whole:
        _remove_any(path)
    elif target.kind == "dir":
        _delete(path, plan.delete, plan.stale_dirs, wanted)
    dests = {p: os.path.join(path, p) if tree else path for p in plan.write}
    if tree is not None:
        _make_dirs(path, plan.write, tree)
    linker = Linker(repo.odb, repo.index, repo.config.link_types)
    dest_dir = path if tree else os.path.dirname(path)
    linker.prepare([wanted[p].oid for p in plan.write], dest_dir, pool)
    task = reporter.task(f"checkout {target.artifact}", len(plan.write))
    written = _write(repo, linker, plan.write, wanted, dests, pool, task)
    task.close()
    return written


def link_to_cache(repo: Repo, snapshot: Snapshot, artifact: str, pool: Pool) -> int:
    """After add: with hardlink or symlink checkouts configured, replace the workspace files by
    links into the cache (as DVC does), so the data is stored once. Returns files relinked."""
    if repo.config.link_types[0] not in ("hardlink", "symlink"):
        return 0
    path = repo.abspath(artifact)
    if snapshot.kind == "dir":
        tree = snapshot.tree or repo.workspace.load_tree(snapshot.oid)
        wanted, dests = tree.files, {p: os.path.join(path, p) for p in tree.files}
    else:
        name = os.path.basename(artifact)
        wanted, dests = {name: FileMeta(snapshot.oid, snapshot.size, False)}, {name: path}
    linker = Linker(repo.odb, repo.index, repo.config.link_types)
    linker.prepare([meta.oid for meta in wanted.values()], os.path.dirname(path), pool)
    if linker.link_type not in ("hardlink", "symlink"):
        return 0
    todo = [p for p, meta in wanted.items() if not linker.is_linked(meta.oid, dests[p])]
    return _write(repo, linker, todo, wanted, dests, pool, NULL.task("", None))


def _write(
    repo: Repo,
    linker: Linker,
    relpaths: list[str],
    wanted: dict[str, FileMeta],
    dests: dict[str, str],
    pool: Pool,
    task: Task,
) -> int:
    started_ns = time.time_ns()

    def write_batch(batch: Sequence[str]) -> list[Written]:
        done = [linker.materialize(wanted[p].oid, dests[p], wanted[p].executable) for p in batch]
        task.advance(len(done))
        return done

    batches = [relpaths[i : i + BATCH] for i in range(0, len(relpaths), BATCH)]
    written = [w for batch in pool.map(write_batch, batches) for w in batch]
    verified = repo.odb.stat_entries(linker.newly_verified(), started_ns)
    repo.index.stat_store([*written, *verified])
    return len(written)


def _remove_any(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _delete(
    root: str, relpaths: list[str], stale_dirs: list[str], wanted: dict[str, FileMeta]
) -> None:
    """Remove files, then the folders (and stale empty folders) that this leaves empty."""
    parents: set[str] = set(stale_dirs)
    for rel in relpaths:
        os.unlink(os.path.join(root, rel))
        parents.add(os.path.dirname(rel))
    keep = {os.path.dirname(p) for p in wanted}
    for deepest in sorted(parents, key=len, reverse=True):
        folder = deepest
        while folder and folder not in keep:
            try:
                os.rmdir(os.path.join(root, folder))
            except OSError:
                break
            folder = os.path.dirname(folder)


def _make_dirs(root: str, relpaths: list[str], tree: Tree) -> None:
    os.makedirs(root, exist_ok=True)
    folders = {os.path.dirname(p) for p in relpaths} | set(tree.empty_dirs)
    for folder in sorted(folders):
        if folder:
            os.makedirs(os.path.join(root, folder), exist_ok=True)
