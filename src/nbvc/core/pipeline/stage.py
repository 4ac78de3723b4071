"""One stage's state (hashes of deps and outs, param values) and why it must run.

Hashing goes through the workspace's stat cache, so an unchanged file is never read again; a
:class:`Hasher` also remembers results for the length of one repro (a dep shared by ten stages
is hashed once) and forgets the paths a stage has just rewritten.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nbvc.core.artifacts.build import resolve_oids, tree_from_scan
from nbvc.core.artifacts.paths import parents
from nbvc.core.artifacts.pointer import SUFFIX
from nbvc.core.artifacts.scan import DirScan, Scanner
from nbvc.core.errors import DataFileError, OverlapError, ParamsError, PathError
from nbvc.core.formats.datafiles import flatten, is_missing, lookup, parse_bytes
from nbvc.core.pipeline.definition import ParamSpec, Stage
from nbvc.core.pipeline.lockfile import Hash, StageLock
from nbvc.core.progress import NULL
from nbvc.core.repo import Repo
from nbvc.core.storage.fsutil import is_within, read_within
from nbvc.core.storage.pool import Pool

SHOWN_VALUE = 40


class Hasher:
    def __init__(self, repo: Repo, pool: Pool) -> None:
        self.repo = repo
        self.pool = pool
        self._known: dict[str, Hash | None] = {}

    def hash(self, path: str) -> Hash | None:
        """The content at repo-relative ``path`` now, or None if nothing is there."""
        if path not in self._known:
            self._known[path] = self._hash(path)
        return self._known[path]

    def _hash(self, path: str) -> Hash | None:
        try:
            snapshot = self.repo.workspace.snapshot(path, self.pool, need_tree=False)
        except OverlapError:  # a folder holding other stages' outputs and their pointer files
            return self._hash_folder_with_pointers(path)
        return None if snapshot is None else Hash(snapshot.oid, snapshot.size, snapshot.nfiles)

    def _hash_folder_with_pointers(self, path: str) -> Hash:
        scan = Scanner(self.repo.root, self.repo.odb).directory(self.repo.abspath(path))
        _drop_pointers_of_present_files(scan)
        files = list(scan.files.values())
        oids = resolve_oids(files, self.repo.index, self.pool, None, NULL.task("hash", None))
        tree = tree_from_scan(scan, oids)
        return Hash(tree.oid, tree.size, tree.nfiles)

    def forget(self, paths: Iterable[str]) -> None:
        """Drop what is known about ``paths``, what lies inside them and what contains them."""
        changed = [os.sep + p for p in paths]
        for known in list(self._known):
            candidate = os.sep + known
            if any(is_within(candidate, c) or is_within(c, candidate) for c in changed):
                del self._known[known]


def _drop_pointers_of_present_files(scan: DirScan) -> None:
    """A folder dep may hold outputs of other stages with their pointer files next to them;
    the pointers are nbvc's bookkeeping (their version numbers move), not content."""
    present = set(scan.files)
    folders = {parent for rel in present for parent in parents(rel)}
    for rel in [r for r in present if r.endswith(SUFFIX)]:
        target = rel[: -len(SUFFIX)]
        if target in present or target in folders:
            del scan.files[rel]


class ParamReader:
    """Reads params files once per repro."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._files: dict[str, Any] = {}

    def forget(self, paths: Iterable[str]) -> None:
        for path in paths:
            self._files.pop(path, None)

    def values(self, spec: ParamSpec, stage: str) -> dict[str, Any]:
        data = self._file(spec, stage)
        if spec.keys is None:
            return dict(data) if isinstance(data, Mapping) else {}
        values = {}
        for key in spec.keys:
            value = lookup(data, key)
            if is_missing(value):
                raise ParamsError(
                    f"param {key!r} of stage {stage!r} is not in {spec.file}; "
                    f"add it there or remove it from the stage's params"
                )
            values[key] = value
        return values

    def _file(self, spec: ParamSpec, stage: str) -> Any:
        if spec.file not in self._files:
            try:
                data = read_within(self.root, spec.file)
                if data is None:
                    raise ParamsError(
                        f"params file {spec.file} of stage {stage!r} does not exist; create it"
                    )
                self._files[spec.file] = parse_bytes(data, spec.file) or {}
            except (DataFileError, PathError) as exc:
                raise ParamsError(str(exc)) from None
        return self._files[spec.file]


@dataclass(frozen=True)
class StageState:
    deps: dict[str, Hash | None]
    params: dict[str, dict[str, Any]]
    outs: dict[str, Hash | None]

    def lock(self, stage: Stage, outs: Mapping[str, Hash], run: str | None) -> StageLock:
        deps = {p: h for p, h in self.deps.items() if h is not None}
        return StageLock(stage.definition(), deps, self.params, dict(outs), run)


def measure(stage: Stage, hasher: Hasher, params: ParamReader) -> StageState:
    return StageState(
        deps={dep.path: hasher.hash(dep.path) for dep in stage.deps},
        params={spec.file: params.values(spec, stage.name) for spec in stage.params},
        outs={out.path: hasher.hash(out.path) for out in stage.outs},
    )


def why_run(stage: Stage, state: StageState, locked: StageLock | None) -> str | None:
    """The first reason the stage must run, or None if it is up to date."""
    if locked is None:
        return "never run before"
    if dict(locked.definition) != stage.definition():
        return "notebook stage changed" if stage.notebook else "command changed"
    return (
        _compare_paths("dep", state.deps, locked.deps)
        or _compare_params(state.params, locked.params)
        or _compare_paths("out", state.outs, locked.outs)
    )


def _compare_paths(
    what: str, now: Mapping[str, Hash | None], locked: Mapping[str, Hash]
) -> str | None:
    if added := [p for p in now if p not in locked]:
        return f"{what} {added[0]} is new"
    if removed := [p for p in locked if p not in now]:
        return f"{what} {removed[0]} was removed from the stage"
    for path, current in now.items():
        if current is None:
            return f"{what} {path} is missing"
        if current.oid != locked[path].oid:
            return f"{what} {path} changed"
    return None


def _compare_params(
    now: Mapping[str, Mapping[str, Any]], locked: Mapping[str, Mapping[str, Any]]
) -> str | None:
    for file, current in now.items():
        old, values = _flat(locked.get(file, {})), _flat(current)
        for key, value in values.items():
            if key not in old:
                return f"param {key} is new"
            if old[key] != value:
                return f"param {key} changed ({_short(old[key])} -> {_short(value)})"
        if removed := [k for k in old if k not in values]:
            return f"param {removed[0]} was removed"
    if removed_files := [f for f in locked if f not in now]:
        return f"params of {removed_files[0]} were removed from the stage"
    return None


def _flat(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"train": {"lr": 0.1}}`` as ``{"train.lr": 0.1}``, so messages name the leaf."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        flat.update(flatten(value, key) if isinstance(value, Mapping) and value else {key: value})
    return flat


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 3] + "..."
