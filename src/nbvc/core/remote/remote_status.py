"""`nbvc status --remote`: which objects and records are missing here, and which on a remote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.artifacts import pointer
from nbvc.core.errors import CorruptObjectError, NotTrackedError
from nbvc.core.remote import record_sync as records
from nbvc.core.remote.fs import Remote, open_remote
from nbvc.core.remote.objects import digest
from nbvc.core.remote.parallel import parallel_map
from nbvc.core.remote.plan import Want
from nbvc.core.remote.transfer import absent_on_remote
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import hash_bytes, is_tree_oid
from nbvc.core.storage.tree import Tree


@dataclass(frozen=True)
class ArtifactSync:
    """How one artifact's objects (its file, or its folder manifest and files) are spread."""

    artifact: str
    version: int | None
    oid: str
    objects: int | None  # None: the folder manifest is neither here nor on the remote
    missing_local: int | None
    missing_remote: int | None

    @property
    def in_sync(self) -> bool:
        return self.missing_local == 0 and self.missing_remote == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.artifact,
            "version": self.version,
            "oid": self.oid,
            "objects": self.objects,
            "missing_local": self.missing_local,
            "missing_remote": self.missing_remote,
        }


@dataclass
class RemoteStatus:
    remote: str
    artifacts: list[ArtifactSync] = field(default_factory=list)
    records_to_push: int = 0
    records_to_fetch: int = 0

    @property
    def in_sync(self) -> bool:
        """Every object and record is both here and on the remote."""
        return all(a.in_sync for a in self.artifacts) and not (
            self.records_to_push or self.records_to_fetch
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "artifacts": [a.to_json() for a in self.artifacts],
            "records_to_push": self.records_to_push,
            "records_to_fetch": self.records_to_fetch,
        }


@dataclass
class _Entry:
    artifact: str
    recorded: pointer.Pointer
    wants: list[Want] | None  # None: unknown (manifest unavailable)
    remote_complete: bool  # the remote has the tree, hence all of it


def remote_status(
    repo: Repo, paths: Sequence[str] = (), remote_name: str | None = None, jobs: int | None = None
) -> RemoteStatus:
    remote = open_remote(repo, remote_name, jobs)
    here, there = records.local_keys(repo), records.remote_keys(remote)
    result = RemoteStatus(remote.name, [], len(here - there), len(there - here))
    artifacts = [repo.artifact(p) for p in paths] if paths else repo.tracked()
    entries = parallel_map(remote.jobs, lambda a: _entry(repo, remote, a), artifacts)
    unsure = {w.oid: w for e in entries if e.wants and not e.remote_complete for w in e.wants}
    absent = {w.oid for w in absent_on_remote(remote, list(unsure.values()))}
    for entry in entries:
        result.artifacts.append(_summarise(repo, entry, absent))
    return result


def _entry(repo: Repo, remote: Remote, artifact: str) -> _Entry:
    recorded = pointer.read(repo.abspath(artifact))
    if recorded is None:
        raise NotTrackedError(f"{artifact} is not tracked; run `nbvc add {artifact}` first")
    root = Want(recorded.oid, None if is_tree_oid(recorded.oid) else recorded.size, artifact)
    if not root.is_tree:
        return _Entry(artifact, recorded, [root], False)
    on_remote = remote.exists(remote.object_path(root.oid))
    tree = _tree(repo, remote, root.oid, on_remote)
    if tree is None:
        return _Entry(artifact, recorded, None, on_remote)
    files = {m.oid: Want(m.oid, m.size, artifact) for m in tree.files.values()}
    return _Entry(artifact, recorded, [root, *files.values()], on_remote)


def _tree(repo: Repo, remote: Remote, oid: str, on_remote: bool) -> Tree | None:
    if repo.odb.exists(oid):
        try:
            return repo.workspace.load_tree(oid)
        except CorruptObjectError:
            pass
    data = remote.read_bytes(remote.object_path(oid)) if on_remote else None
    if data is None or hash_bytes(data) != digest(oid):
        return None
    return Tree.deserialize(data)


def _summarise(repo: Repo, entry: _Entry, absent: set[str]) -> ArtifactSync:
    recorded = entry.recorded
    if entry.wants is None:
        return ArtifactSync(entry.artifact, recorded.version, recorded.oid, None, None, None)
    missing_local = sum(not repo.odb.exists(w.oid) for w in entry.wants)
    missing_remote = 0 if entry.remote_complete else sum(w.oid in absent for w in entry.wants)
    return ArtifactSync(
        entry.artifact,
        recorded.version,
        recorded.oid,
        len(entry.wants),
        missing_local,
        missing_remote,
    )
