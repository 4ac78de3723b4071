"""`nbvc du`: what the versions of each artifact would cost as copies, and what they cost here.

*Logical* size is the sum of every recorded version's size: what keeping each version as a copy
costs (what DVC's cache costs). *Stored* is what the artifact's distinct objects take in this
cache: whole objects and folder manifests at their size, chunked files at the size of their
distinct chunks plus their manifests, each counted once however many versions share it. For the
whole cache, stored is the bytes of every file in `.nbvc/cache` (objects and packs), so chunks
shared between artifacts count once there, while each artifact's own figure counts them for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.errors import CorruptObjectError, MissingObjectError
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import is_tree_oid
from nbvc.core.storage.odb import ObjectStore


@dataclass(frozen=True)
class ArtifactUsage:
    artifact: str
    versions: int
    logical: int
    stored: int
    missing: int  # objects of recorded versions that are not in this cache

    @property
    def ratio(self) -> float:
        """Logical over stored: 7.0 means seven versions for the price of one."""
        return self.logical / self.stored if self.stored else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.artifact,
            "versions": self.versions,
            "logical_size": self.logical,
            "stored_size": self.stored,
            "dedup_ratio": round(self.ratio, 3),
            "missing_objects": self.missing,
        }


@dataclass
class CacheUsage:
    artifacts: list[ArtifactUsage] = field(default_factory=list)
    logical: int = 0
    stored: int = 0  # every file in the cache's objects and packs
    packs: int = 0
    chunks: int = 0

    @property
    def ratio(self) -> float:
        return self.logical / self.stored if self.stored else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "artifacts": [a.to_json() for a in self.artifacts],
            "logical_size": self.logical,
            "stored_size": self.stored,
            "dedup_ratio": round(self.ratio, 3),
            "packs": self.packs,
            "chunks": self.chunks,
        }


def usage(repo: Repo, paths: Sequence[str] = ()) -> CacheUsage:
    """Usage of the artifacts ``paths`` (default: every artifact with recorded versions)."""
    history = repo.history
    artifacts = (
        list(dict.fromkeys(repo.artifact(p) for p in paths)) if paths else history.artifacts()
    )
    result = CacheUsage()
    for artifact in artifacts:
        versions = history.versions(artifact)
        stored, missing = _stored(repo.odb, repo, (v.oid for v in versions))
        result.artifacts.append(
            ArtifactUsage(artifact, len(versions), sum(v.size for v in versions), stored, missing)
        )
    result.logical = sum(a.logical for a in result.artifacts)
    result.stored = _disk_bytes(repo.odb.objects_dir) + repo.odb.packs.stored_bytes()
    result.packs = len(repo.odb.packs.names())
    result.chunks = sum(1 for _ in repo.odb.packs.digests())
    return result


def _stored(odb: ObjectStore, repo: Repo, roots: Iterable[str]) -> tuple[int, int]:
    """Bytes of the distinct objects and chunks that ``roots`` need here, and how many of
    those objects are missing."""
    files: set[str] = set()
    total = missing = 0
    for oid in set(roots):
        if not is_tree_oid(oid):
            files.add(oid)
            continue
        try:
            total += odb.size(oid)
            files.update(m.oid for m in repo.workspace.load_tree(oid).files.values())
        except (OSError, CorruptObjectError, MissingObjectError):
            missing += 1
    chunks: dict[bytes, int] = {}
    for oid in files:
        try:
            total += odb.size(oid)
            if odb.is_chunked(oid):
                chunks.update(odb.chunks.load(oid).chunks)
        except (OSError, CorruptObjectError, MissingObjectError):
            missing += 1
    return total + sum(chunks.values()), missing


def _disk_bytes(folder: str) -> int:
    total = 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except FileNotFoundError:
                continue
    return total
