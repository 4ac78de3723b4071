"""`nbvc status`: how each tracked artifact in the workspace compares with its pointer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nbvc.core.artifacts import pointer
from nbvc.core.errors import NbvcError, NotTrackedError
from nbvc.core.repo import Repo
from nbvc.core.storage.pool import Pool
from nbvc.core.storage.tree import TreeDiff, diff_trees

UNCHANGED, MODIFIED, DELETED, NOT_IN_CACHE = "unchanged", "modified", "deleted", "not in cache"


@dataclass(frozen=True)
class ArtifactStatus:
    artifact: str
    state: str
    kind: str
    oid: str  # what the pointer records
    workspace_oid: str | None
    in_cache: bool
    version: int | None
    changes: TreeDiff | None = None  # for modified directories, when the old tree is cached

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "path": self.artifact,
            "state": self.state,
            "type": self.kind,
            "oid": self.oid,
            "workspace_oid": self.workspace_oid,
            "in_cache": self.in_cache,
            "version": self.version,
        }
        if self.changes is not None:
            doc["changes"] = self.changes._asdict()
        return doc


def status(repo: Repo, paths: Sequence[str]) -> list[ArtifactStatus]:
    artifacts = [repo.artifact(p) for p in paths] if paths else repo.tracked()
    with repo.pool() as pool:
        return [_status_of(repo, artifact, pool) for artifact in artifacts]


def _status_of(repo: Repo, artifact: str, pool: Pool) -> ArtifactStatus:
    path = repo.abspath(artifact)
    recorded = pointer.read(path)
    if recorded is None:
        raise NotTrackedError(f"{artifact} is not tracked; run `nbvc add {artifact}` first")
    workspace = repo.workspace
    in_cache = workspace.has_all(recorded.oid, pool)
    current = workspace.snapshot(artifact, pool, need_tree=False)
    changes = None
    if current is None:
        state = DELETED
    elif current.oid == recorded.oid:
        state = UNCHANGED if in_cache else NOT_IN_CACHE
    else:
        state = MODIFIED
        if current.kind == "dir" and current.tree is None:
            current = workspace.snapshot(artifact, pool)
        if current and current.tree and recorded.kind == "dir" and repo.odb.exists(recorded.oid):
            try:
                changes = diff_trees(workspace.load_tree(recorded.oid), current.tree)
            except NbvcError:
                changes = None
    return ArtifactStatus(
        artifact,
        state,
        recorded.kind,
        recorded.oid,
        current.oid if current else None,
        in_cache,
        recorded.version,
        changes,
    )
