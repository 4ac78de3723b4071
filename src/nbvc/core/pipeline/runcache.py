"""The run cache: outputs of any earlier run with exactly the same inputs, restored, not rerun.

A stage's key hashes what it runs (command or notebook, wdir), the oid of every dep, the value of
every param and the declared outs. Each finished run record lists, per stage, its key and the
oids of its outs (all of them stored, ``cache: false`` ones too), and the index looks keys up.
Stages with persistent outs, ``always_changed`` stages and stages without outs are not cached.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nbvc.core.pipeline.definition import Stage
from nbvc.core.pipeline.lockfile import Hash
from nbvc.core.pipeline.stage import StageState
from nbvc.core.repo import Repo
from nbvc.core.runs.run_index import CacheHit, RunIndex
from nbvc.core.storage.hashing import hash_bytes
from nbvc.core.storage.index_db import Index
from nbvc.core.storage.linking import Linker
from nbvc.core.storage.pool import Pool


def eligible(stage: Stage) -> bool:
    return bool(stage.outs) and not stage.always_changed and not any(o.persist for o in stage.outs)


def cache_key(stage: Stage, state: StageState) -> str | None:
    """The key of the stage's exact inputs; None if an input is missing."""
    if any(h is None for h in state.deps.values()):
        return None
    doc = {
        "definition": stage.definition(),
        "deps": {p: h.oid for p, h in sorted(state.deps.items()) if h is not None},
        "params": state.params,
        "outs": sorted([o.path, o.cache, o.persist] for o in stage.outs),
    }
    data = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hash_bytes(data.encode("utf-8"))


def outs_entry(stage: Stage, outs: Mapping[str, Hash]) -> dict[str, dict[str, Any]]:
    """How a run record lists a stage's outs (what the run cache restores)."""
    cache = {o.path: o.cache for o in stage.outs}
    return {
        path: {"oid": h.oid, "size": h.size, "nfiles": h.nfiles, "cache": cache.get(path, True)}
        for path, h in outs.items()
    }


OutsFetcher = Callable[[Mapping[str, Mapping[str, Any]]], None]
"""Brings a hit's outs (``path -> {"oid": ...}``) into the cache from elsewhere (a remote); what
it cannot bring stays missing."""


def find(
    repo: Repo, stage: Stage, key: str, pool: Pool, fetch: OutsFetcher | None = None
) -> CacheHit | None:
    """The newest earlier run of these inputs whose outputs are all in the cache, or (with
    ``fetch``) could be brought into it."""
    wanted = {o.path for o in stage.outs}
    hits = [hit for hit in RunIndex(repo).cache_hits(key) if set(hit.outs) == wanted]
    for hit in hits:
        if _cached(repo, hit, pool):
            return hit
    if fetch is None:
        return None
    for hit in hits:
        fetch(hit.outs)
        if _cached(repo, hit, pool):
            return hit
    return None


def _cached(repo: Repo, hit: CacheHit, pool: Pool) -> bool:
    return all(repo.workspace.has_all(out["oid"], pool) for out in hit.outs.values())


def restore(repo: Repo, hit: CacheHit, pool: Pool) -> dict[str, Hash]:
    """Put the hit's outputs in the workspace; returns their hashes."""
    restore_objects(repo, hit.outs, repo.config.link_types, pool)
    return {
        path: Hash(out["oid"], int(out["size"]), int(out["nfiles"]))
        for path, out in hit.outs.items()
    }


def restore_objects(
    repo: Repo,
    outs: Mapping[str, Mapping[str, Any]],
    link_types: Sequence[str],
    pool: Pool,
    checked: Index | None = None,
) -> None:
    """Put cached objects (``path -> {"oid": ...}``) at their paths, replacing what is there.

    ``checked``: an index whose stat cache vouches for the cache's objects, when the cache is
    shared with another repo (an experiment's folder uses its client's cache and index).
    """
    linker = Linker(repo.odb, checked or repo.index, link_types)
    for path, out in outs.items():
        target = repo.abspath(path)
        _remove(target)
        if out["oid"].endswith(".dir"):
            _restore_tree(repo, linker, out["oid"], target, pool)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            linker.prepare([out["oid"]], os.path.dirname(target), pool)
            repo.index.stat_store([linker.materialize(out["oid"], target, False)])


def _restore_tree(repo: Repo, linker: Linker, oid: str, target: str, pool: Pool) -> None:
    tree = repo.workspace.load_tree(oid)
    os.makedirs(target, exist_ok=True)
    for folder in {os.path.dirname(rel) for rel in tree.files} | set(tree.empty_dirs):
        if folder:
            os.makedirs(os.path.join(target, folder), exist_ok=True)
    files = sorted(tree.files.items())
    linker.prepare([meta.oid for _, meta in files], target, pool)
    written = pool.map(
        lambda item: linker.materialize(
            item[1].oid, os.path.join(target, item[0]), item[1].executable
        ),
        files,
    )
    repo.index.stat_store(list(written))


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)
