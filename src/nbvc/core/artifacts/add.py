"""`nbvc add`: snapshot files and directories into the cache and record a version."""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass

from nbvc.core.artifacts import gitignore, pointer
from nbvc.core.artifacts.checkout import link_to_cache
from nbvc.core.artifacts.history import Version
from nbvc.core.artifacts.paths import parents
from nbvc.core.artifacts.refs import check_tag_name
from nbvc.core.artifacts.scan import describe
from nbvc.core.artifacts.workspace import Snapshot
from nbvc.core.errors import OverlapError, PathError
from nbvc.core.progress import Reporter
from nbvc.core.repo import Repo
from nbvc.core.storage import gitio
from nbvc.core.storage.pool import Pool


@dataclass(frozen=True)
class AddResult:
    artifact: str
    version: Version
    created: bool  # False when the content was already the latest version
    snapshot: Snapshot
    skipped: tuple[str, ...] = ()  # what the folder holds that nbvc left out: "a FIFO data/p"


def skipped_note(result: AddResult) -> str | None:
    """One line saying what an added folder holds that is not versioned, if anything."""
    if not result.skipped:
        return None
    return (
        f"{result.artifact}: left out {', '.join(result.skipped)}: nbvc versions files, "
        "folders and the content of symlinks, not FIFOs, sockets, devices or dangling symlinks"
    )


def add(
    repo: Repo,
    paths: Sequence[str],
    message: str,
    tags: Sequence[str],
    reporter: Reporter,
    producer: str | None,
    reuse: bool = False,
) -> list[AddResult]:
    artifacts = list(dict.fromkeys(repo.artifact(p) for p in paths))
    if not artifacts:
        raise PathError("nothing to add: name at least one file or folder")
    for name in tags:
        check_tag_name(name)
    for artifact in artifacts:
        _check_addable(repo, artifact, artifacts)
    author = version_author(repo.root)
    results = []
    with repo.storing(), repo.pool() as pool:
        for artifact in artifacts:
            snapshot = _store(repo, artifact, pool, reporter)
            with repo.lock():
                result = _record(repo, artifact, snapshot, message, author, producer, reuse)
                for name in tags:
                    repo.history.set_tag(result.version, name)
            link_to_cache(repo, snapshot, artifact, pool)
            version = result.version
            if tags:
                version = repo.history.by_number(artifact, result.version.number)
            skipped = tuple(
                describe(os.path.join(repo.abspath(artifact), rel), f"{artifact}/{rel}")
                for rel in snapshot.skipped
            )
            results.append(AddResult(artifact, version, result.created, snapshot, skipped))
    return results


def _check_addable(repo: Repo, artifact: str, batch: Sequence[str]) -> None:
    path = repo.abspath(artifact)
    if not os.path.lexists(path):
        raise PathError(
            f"{artifact} does not exist; check the path (it is relative to {os.getcwd()})"
        )
    for parent in parents(artifact):
        if os.path.exists(repo.abspath(parent) + pointer.SUFFIX) or parent in batch:
            raise OverlapError(
                f"{artifact} is inside {parent}, which nbvc tracks as a whole; "
                f"run `nbvc add {parent}` to record a new version of it"
            )


def _store(repo: Repo, artifact: str, pool: Pool, reporter: Reporter) -> Snapshot:
    current = pointer.read(repo.abspath(artifact))
    snapshot = repo.workspace.snapshot(
        artifact,
        pool,
        store=True,
        reporter=reporter,
        need_tree=False,
        previous=current.oid if current else None,
    )
    if snapshot is None:
        raise PathError(f"{artifact} disappeared while it was being added")
    return snapshot


def _record(
    repo: Repo,
    artifact: str,
    snapshot: Snapshot,
    message: str,
    author: str,
    producer: str | None,
    reuse: bool = False,
) -> AddResult:
    """Record a new version unless this content is already the latest, or the version the
    pointer names (or, with ``reuse``, any version's); write the pointer."""
    history = repo.history
    latest = history.latest(artifact)
    current = pointer.read(repo.abspath(artifact))
    known = reuse or (current is not None and current.oid == snapshot.oid)
    same = history.by_oid(artifact, snapshot.oid) if known else None
    if latest is not None and latest.oid == snapshot.oid:
        version, created = latest, False
    elif same is not None:
        version, created = same, False
    else:
        version = history.record_version(
            artifact,
            snapshot.oid,
            snapshot.kind,
            snapshot.size,
            snapshot.nfiles,
            author,
            message,
            producer,
        )
        created = True
    new_pointer = pointer.Pointer(
        snapshot.oid, snapshot.kind, snapshot.size, snapshot.nfiles, version.number
    )
    if current != new_pointer:
        pointer.write(repo.abspath(artifact), new_pointer)
    gitignore.ignore(repo.root, artifact)
    return AddResult(artifact, version, created, snapshot)


def version_author(root: str) -> str:
    """Who records a version: $NBVC_AUTHOR, git's user.name <user.email>, or the login name."""
    explicit = os.environ.get("NBVC_AUTHOR")
    if explicit:
        return explicit
    name = gitio.config_value(root, "user.name")
    email = gitio.config_value(root, "user.email")
    if name:
        return f"{name} <{email}>" if email else name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
