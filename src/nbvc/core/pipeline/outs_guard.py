"""Outs a stage run replaces: saved before they are removed, put back if the run fails.

A non-persistent out is removed before its stage runs (as DVC does, so a stage never sees its
own old output), but nbvc never removes a file it has no copy of. So whatever is at the out's
path is stored first: a cached out whose content is no version yet becomes one ("kept by
repro"), so `nbvc checkout` brings it back; an uncached out is stored as objects that the run
record names (and `nbvc gc` keeps). If the stage fails, every file it did not write again is put
back from the cache, so a failed run leaves the user's files where they were.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from nbvc.core.errors import PathError
from nbvc.core.pipeline.definition import Stage
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import is_tree_oid
from nbvc.core.storage.linking import Linker
from nbvc.core.storage.pool import Pool


@dataclass(frozen=True)
class SavedOut:
    path: str  # repo-relative
    oid: str


def set_aside(repo: Repo, stage: Stage, pool: Pool, versions: bool = True) -> list[SavedOut]:
    """Store, then remove, the stage's non-persistent outs; returns what was saved.

    ``versions``: whether a cached out whose content is no version yet becomes one; in a DVC
    project (whose `dvc.lock` names its outs, and which gets no pointer files) the run record
    alone names what was replaced, as for uncached outs."""
    saved: list[SavedOut] = []
    for out in stage.outs:
        if out.persist:
            continue
        path = repo.abspath(out.path)
        if not os.path.lexists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            continue
        saved.append(_save(repo, stage, out.path, out.cache and versions, pool))
    for item in saved:
        _remove(repo.abspath(item.path))
    return saved


def _save(repo: Repo, stage: Stage, relpath: str, as_version: bool, pool: Pool) -> SavedOut:
    snapshot = repo.workspace.snapshot(relpath, pool, store=True)
    if snapshot is None:
        raise PathError(f"out {relpath} of stage {stage.name} vanished while it was being saved")
    if snapshot.skipped or snapshot.symlinks:
        raise PathError(
            f"out {relpath} of stage {stage.name} holds FIFOs, sockets, devices or symlinks, "
            "which nbvc cannot keep a copy of; move them out of it before running the stage"
        )
    if as_version and repo.history.by_oid(relpath, snapshot.oid) is None:
        repo.add(
            [repo.abspath(relpath)],
            message=f"kept by repro: what was at {relpath} before stage {stage.name} ran",
        )
    return SavedOut(relpath, snapshot.oid)


def restore_missing(repo: Repo, saved: Sequence[SavedOut], pool: Pool) -> int:
    """After a failed run: put back every saved file that is not there now (what the failed
    run wrote is left as it is). Returns how many files were put back."""
    linker = Linker(repo.odb, repo.index, repo.config.link_types)
    restored = 0
    for item in saved:
        target = repo.abspath(item.path)
        if is_tree_oid(item.oid):
            tree = repo.workspace.load_tree(item.oid)
            wanted = {
                os.path.join(target, rel): meta
                for rel, meta in tree.files.items()
                if not os.path.lexists(os.path.join(target, rel))
            }
            for folder in tree.empty_dirs:
                os.makedirs(os.path.join(target, folder), exist_ok=True)
            files = [(dest, meta.oid, meta.executable) for dest, meta in wanted.items()]
        else:
            files = [] if os.path.lexists(target) else [(target, item.oid, False)]
        for dest, _, _ in files:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
        if files:
            linker.prepare([oid for _, oid, _ in files], os.path.dirname(files[0][0]), pool)
            repo.index.stat_store([linker.materialize(oid, d, x) for d, oid, x in files])
            restored += len(files)
    return restored


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)
