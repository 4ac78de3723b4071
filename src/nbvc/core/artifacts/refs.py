"""Version references (`path`, `path@v3`, `path@prod`, `path@HEAD~1`), log and tags."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from nbvc.core.artifacts import pointer
from nbvc.core.artifacts.history import Version
from nbvc.core.errors import NbvcError, NotTrackedError, RefError
from nbvc.core.repo import Repo
from nbvc.core.storage import gitio

WORKSPACE = "workspace"
_VERSION_RE = re.compile(r"v(\d+)")
_TAG_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


@dataclass(frozen=True)
class Target:
    """A resolved reference: which content, and which version it is if nbvc knows."""

    artifact: str
    ref: str | None
    oid: str
    kind: str
    size: int
    nfiles: int
    version: Version | None

    @property
    def label(self) -> str:
        if self.version is not None:
            return self.version.name
        return self.ref or "pointer"


def split_spec(repo: Repo, spec: str) -> tuple[str, str | None]:
    """``path@ref`` -> (artifact, ref). A path that exists as typed keeps any ``@`` in it."""
    if "@" in spec and not os.path.lexists(spec) and not os.path.lexists(spec + pointer.SUFFIX):
        path, ref = spec.rsplit("@", 1)
        if not ref:
            raise RefError(f"{spec!r} has an empty reference after '@'; use e.g. {path}@v1")
        return repo.artifact(path), ref
    return repo.artifact(spec), None


def resolve(repo: Repo, artifact: str, ref: str | None) -> Target:
    """The content that ``artifact@ref`` names (``ref=None``: what the pointer file says)."""
    history = repo.history
    if ref is None:
        current = pointer.read(repo.abspath(artifact))
        if current is None:
            raise NotTrackedError(
                f"{artifact} is not tracked (no {artifact}{pointer.SUFFIX}); "
                f"run `nbvc add {artifact}` first"
            )
        version = history.by_oid(artifact, current.oid)
        return Target(
            artifact, None, current.oid, current.kind, current.size, current.nfiles, version
        )
    match = _VERSION_RE.fullmatch(ref)
    version = (
        history.by_number(artifact, int(match.group(1))) if match else history.by_tag(artifact, ref)
    )
    if version is not None:
        return Target(
            artifact, ref, version.oid, version.kind, version.size, version.nfiles, version
        )
    return _resolve_git(repo, artifact, ref)


def _resolve_git(repo: Repo, artifact: str, ref: str) -> Target:
    if not gitio.is_work_tree(repo.root):
        raise RefError(
            f"{ref!r} is not a version or tag of {artifact}; `nbvc log {artifact}` lists them"
        )
    text = gitio.show(repo.root, ref, artifact + pointer.SUFFIX)
    if text is None:
        raise RefError(
            f"{ref!r} is not a version or tag of {artifact}, nor a git revision that has "
            f"{artifact}{pointer.SUFFIX}; `nbvc log {artifact}` lists versions and tags"
        )
    at_rev = pointer.parse(text.decode("utf-8", "replace"), f"{artifact}{pointer.SUFFIX}@{ref}")
    version = repo.history.by_oid(artifact, at_rev.oid)
    return Target(artifact, ref, at_rev.oid, at_rev.kind, at_rev.size, at_rev.nfiles, version)


def log(repo: Repo, path: str) -> list[Version]:
    artifact = repo.artifact(path)
    versions = repo.history.versions(artifact)
    if not versions and pointer.read(repo.abspath(artifact)) is None:
        raise NotTrackedError(f"{artifact} is not tracked; run `nbvc add {artifact}` first")
    return versions


def check_tag_name(name: str) -> None:
    if not _TAG_RE.fullmatch(name) or _VERSION_RE.fullmatch(name) or name == WORKSPACE:
        raise NbvcError(
            f"{name!r} cannot be a tag: use letters, digits, '_', '-' and '.', "
            "not starting with '-' and not of the form vN"
        )


def tagged(repo: Repo, spec: str, name: str) -> Version | None:
    """The version tag ``name`` of the artifact ``spec`` names points at now, if any."""
    artifact, _ = split_spec(repo, spec)
    return repo.history.by_tag(artifact, name)


def tag(repo: Repo, spec: str, name: str) -> Version:
    """Point tag ``name`` at the version ``spec`` names (moving it if it exists)."""
    check_tag_name(name)
    artifact, ref = split_spec(repo, spec)
    target = resolve(repo, artifact, ref)
    if target.version is None:
        raise RefError(
            f"{spec} has no nbvc version to tag (its content was never added here); "
            f"`nbvc log {artifact}` lists the versions"
        )
    with repo.lock():
        repo.history.set_tag(target.version, name)
    return repo.history.by_number(artifact, target.version.number)
