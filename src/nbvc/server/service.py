"""What the REST API does, as plain functions over an open :class:`~nbvc.core.repo.Repo`.

Handlers and jobs both call these: they take already validated arguments (artifact names
relative to the repo root, refs, flags) and return JSON-ready dicts. Arguments that are
still wrong (a path leading out of the repo, a malformed ref) raise ``ApiError`` like the path
checks do; engine errors pass through to the caller, which maps them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from nbvc import __version__
from nbvc.core import (
    NULL_REPORTER,
    AddOptions,
    ArtifactStatus,
    NbvcError,
    Repo,
    Reporter,
    Version,
    option_values,
)
from nbvc.server.errors import BAD_REQUEST, NOT_FOUND, ApiError
from nbvc.server.paths import artifact_path, relative_to

Json = dict[str, Any]

# Refs are versions (v3), tags or git revisions. A ':' would let a "revision" name another path
# in git's object store, a leading '-' would read as an option, and '@' would split the engine's
# `path@ref` at the wrong place, so all three are refused.
_REF_RE = re.compile(r"[^\s:@\x00-][^\s:@\x00]{0,199}")


# A run reference may also be a model alias, `name@alias` (never part of a `path@ref`).
_ALIAS_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}@[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}")


def check_run_ref(ref: str) -> str:
    """A run reference: what :func:`check_ref` accepts, or a model alias ``name@alias``."""
    return ref if _ALIAS_RE.fullmatch(ref) else check_ref(ref)


def check_ref(ref: str) -> str:
    if not _REF_RE.fullmatch(ref):
        raise ApiError(
            BAD_REQUEST,
            f"{ref[:80]!r} is not a version reference; use vN, a tag, or a git revision "
            "without ':', '@' or spaces",
        )
    return ref


def spec(repo: Repo, artifact: str, ref: str | None) -> str:
    """The engine's ``path@ref`` for an artifact named relative to the repo root."""
    path = artifact_path(repo, artifact)
    return path if ref is None else f"{path}@{check_ref(ref)}"


def repo_info(repo: Repo, server_root: str) -> Json:
    return {
        "root": relative_to(server_root, repo.root),
        "tracked": len(repo.tracked()),
        "git": repo.in_git,
        "nbvc_version": __version__,
    }


def statuses(repo: Repo, artifacts: Sequence[str]) -> Json:
    paths = [artifact_path(repo, a) for a in artifacts]
    return {"artifacts": [s.to_json() for s in repo.status(paths)]}


def artifacts(repo: Repo, server_root: str) -> Json:
    """Every tracked artifact with its state, its version count, latest version and tags, and
    the models and datasets the pipeline file declares (``artifacts:`` in dvc.yaml)."""
    return {
        "root": relative_to(server_root, repo.root),
        "artifacts": [_artifact(repo, s) for s in repo.status([])],
        "declared": _declared(repo),
    }


def _declared(repo: Repo) -> list[Json]:
    try:
        return repo.pipeline.declared()
    except NbvcError:  # a broken pipeline file must not hide the tracked artifacts
        return []


def _artifact(repo: Repo, status: ArtifactStatus) -> Json:
    versions = repo.history.versions(status.artifact)
    tags = sorted({name for v in versions for name in v.tags})
    return {
        "path": status.artifact,
        "type": status.kind,
        "state": status.state,
        "in_cache": status.in_cache,
        "version": status.version,
        "versions": len(versions),
        "latest": versions[0].to_json() if versions else None,
        "tags": tags,
    }


def versions(repo: Repo, artifact: str) -> Json:
    return {
        "path": artifact,
        "versions": [v.to_json() for v in repo.log(artifact_path(repo, artifact))],
    }


def usage(repo: Repo, artifact: str | None) -> Json:
    """`nbvc du` for one artifact (its versions must exist) or for every one."""
    paths = [artifact_path(repo, artifact)] if artifact is not None else []
    if paths and not repo.history.versions(repo.artifact(paths[0])):
        raise ApiError(NOT_FOUND, f"{artifact} has no recorded versions in this repo")
    return repo.du(paths).to_json()


def diff(repo: Repo, artifact: str, ref_a: str | None, ref_b: str | None) -> Json:
    """``artifact@ref_a`` (default: what the pointer names) against ``ref_b`` (or the workspace)."""
    old = spec(repo, artifact, ref_a)
    new = spec(repo, artifact, ref_b) if ref_b is not None else None
    return repo.diff(old, new).to_json()


def checkout(
    repo: Repo, artifact: str, ref: str | None, force: bool, reporter: Reporter = NULL_REPORTER
) -> Json:
    result = repo.checkout(spec(repo, artifact, ref), force=force, reporter=reporter)
    target = result.target
    return {
        "path": target.artifact,
        "version": target.label,
        "oid": target.oid,
        "written": result.written,
        "deleted": result.deleted,
        "changed": result.changed,
    }


def add(repo: Repo, options: AddOptions, reporter: Reporter = NULL_REPORTER) -> Json:
    """``options.paths`` are named relative to the repo root."""
    paths = [artifact_path(repo, a) for a in options.paths]
    for artifact, path in zip(options.paths, paths, strict=True):
        if not os.path.lexists(path):
            raise ApiError(NOT_FOUND, f"{artifact} does not exist in the repo; check the path")
    in_repo = replace(options, paths=tuple(paths))
    results = repo.add(**option_values(in_repo), reporter=reporter)
    return {
        "added": [
            {
                "path": r.artifact,
                "created": r.created,
                "version": r.version.to_json(),
                "skipped": list(r.skipped),
            }
            for r in results
        ]
    }


def tag(repo: Repo, artifact: str, ref: str | None, name: str) -> Json:
    version = repo.tag(spec(repo, artifact, ref), name)
    return {"path": version.artifact, "version": version.to_json()}


def gc(
    repo: Repo, dry_run: bool, keep_last: int | None, reporter: Reporter = NULL_REPORTER
) -> Json:
    result = repo.gc(dry_run=dry_run, keep_last=keep_last, reporter=reporter)
    return {
        "dry_run": result.dry_run,
        "pruned": [_version_ref(v) for v in result.pruned],
        "removed": len(result.removed),
        "freed_bytes": result.freed_bytes,
        "kept": result.kept,
    }


def fsck(repo: Repo, reporter: Reporter = NULL_REPORTER) -> Json:
    result = repo.fsck(reporter=reporter)
    return {
        "checked": result.checked,
        "corrupt": [oid for oid, _ in result.corrupt],
        "chunks": result.chunks,
        "bad_chunks": [{"digest": b.digest, "users": b.users} for b in result.bad_chunks],
    }


def _version_ref(version: Version) -> Json:
    return {"path": version.artifact, "version": version.name}
