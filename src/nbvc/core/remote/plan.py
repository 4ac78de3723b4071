"""Which objects a push, fetch or remote status is about.

A transfer starts from roots: the oid each pointer file names (for the given paths, or every
tracked artifact) and, with ``all_versions``, the oid of every recorded version; plus the cell
sources that lineage records name (records travel on every push, so their sources do too and
`nbvc lineage --script` works after a pull; a missing one is not an error). A root that is a tree
(a tracked folder) stands for itself plus every file it lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nbvc.core.artifacts import pointer
from nbvc.core.errors import NotTrackedError
from nbvc.core.lineage.store import kept_objects as cell_sources
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import is_tree_oid
from nbvc.core.storage.tree import Tree


@dataclass(frozen=True)
class Want:
    """An object to move: its oid, its size if known, and an artifact it belongs to (for
    messages)."""

    oid: str
    size: int | None
    artifact: str
    optional: bool = False  # a cell source: nice to have (lineage scripts), never a failure

    @property
    def is_tree(self) -> bool:
        return is_tree_oid(self.oid)


def roots(repo: Repo, paths: Sequence[str], all_versions: bool) -> list[Want]:
    """The root objects for ``paths`` (default: every tracked artifact), without duplicates."""
    if paths:
        artifacts = list(dict.fromkeys(repo.artifact(p) for p in paths))
    else:
        artifacts = repo.tracked()
        if all_versions:
            artifacts = sorted(set(artifacts) | set(repo.history.artifacts()))
    found: dict[str, Want] = {}
    for artifact in artifacts:
        current = pointer.read(repo.abspath(artifact))
        versions = repo.history.versions(artifact) if all_versions or current is None else []
        if current is None and not versions:
            raise NotTrackedError(f"{artifact} is not tracked; run `nbvc add {artifact}` first")
        if current is not None:
            found.setdefault(current.oid, _want(current.oid, current.size, artifact))
        for version in versions if all_versions else versions[:1]:
            found.setdefault(version.oid, _want(version.oid, version.size, artifact))
    for oid in sorted(cell_sources(repo)):  # tiny, and lineage records travel on every push
        found.setdefault(oid, Want(oid, None, "cell source", optional=True))
    return list(found.values())


def run_cache_wants(repo: Repo) -> list[Want]:
    """The outputs the run cache restores (``cache: false`` ones too) that this cache holds, so
    another machine's ``repro --pull`` or a cluster worker can restore them. Optional: one
    collected since is no failure."""
    from nbvc.core.runs.run_index import RunIndex

    found: dict[str, Want] = {}
    for outs in RunIndex(repo).cache_outs():
        for path, out in outs.items():
            if out["oid"] not in found and repo.odb.exists(out["oid"]):
                size = None if is_tree_oid(out["oid"]) else int(out["size"])
                found[out["oid"]] = Want(out["oid"], size, path, optional=True)
    return list(found.values())


def tree_wants(tree: Tree, artifact: str) -> list[Want]:
    """Wants for the files a tree lists, one per distinct oid."""
    unique: dict[str, Want] = {}
    for rel, meta in tree.files.items():
        unique.setdefault(meta.oid, Want(meta.oid, meta.size, f"{artifact}/{rel}"))
    return list(unique.values())


def _want(oid: str, size: int, artifact: str) -> Want:
    # a tree's recorded size is the total of its files, not the manifest's own size
    return Want(oid, None if is_tree_oid(oid) else size, artifact)
