"""`nbvc diff`: files added, removed and modified between two versions (or the workspace)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from nbvc.core.artifacts.refs import WORKSPACE, resolve, split_spec
from nbvc.core.artifacts.workspace import file_meta
from nbvc.core.errors import PathError
from nbvc.core.repo import Repo
from nbvc.core.storage.tree import FileMeta, Tree, diff_trees


@dataclass(frozen=True)
class DiffResult:
    artifact: str
    old_label: str
    new_label: str
    added: list[tuple[str, int]]
    removed: list[tuple[str, int]]
    modified: list[tuple[str, int, int]]  # path, old size, new size

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.modified)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.artifact,
            "old": self.old_label,
            "new": self.new_label,
            "added": [{"path": p, "size": s} for p, s in self.added],
            "removed": [{"path": p, "size": s} for p, s in self.removed],
            "modified": [{"path": p, "old_size": a, "new_size": b} for p, a, b in self.modified],
        }


def diff(repo: Repo, spec_a: str, spec_b: str | None) -> DiffResult:
    """``spec_a`` against ``spec_b``; without ``spec_b``, against the workspace."""
    artifact, ref_a = split_spec(repo, spec_a)
    ref_b = None
    if spec_b is not None:
        artifact_b, ref_b = split_spec(repo, spec_b)
        if artifact_b != artifact:
            raise PathError(f"cannot diff {artifact} against {artifact_b}: name one artifact")
    old_label, old = _files(repo, artifact, ref_a)
    new_label, new = _files(repo, artifact, ref_b if spec_b is not None else WORKSPACE)
    changes = diff_trees(Tree(old), Tree(new))
    return DiffResult(
        artifact,
        old_label,
        new_label,
        [(p, new[p].size) for p in changes.added],
        [(p, old[p].size) for p in changes.removed],
        [(p, old[p].size, new[p].size) for p in changes.modified],
    )


def _files(repo: Repo, artifact: str, ref: str | None) -> tuple[str, dict[str, FileMeta]]:
    name = os.path.basename(artifact)
    if ref == WORKSPACE:
        with repo.pool() as pool:
            current = repo.workspace.snapshot(artifact, pool)
        return WORKSPACE, file_meta(current, name) if current else {}
    target = resolve(repo, artifact, ref)
    if target.kind == "dir":
        return target.label, repo.workspace.load_tree(target.oid).files
    return target.label, {name: FileMeta(target.oid, target.size, False)}
