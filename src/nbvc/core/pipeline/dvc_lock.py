"""`dvc.lock` in DVC's own format, read and written so that DVC and nbvc agree on one project.

    schema: '2.0'
    stages:
      train:
        cmd: python train.py
        deps:
        - path: data/prepared          # as declared, relative to the stage's wdir
          hash: md5                     # DVC 3; DVC 2 entries have no `hash` (md5-dos2unix)
          md5: 3c9b2db0c4a46f4e2df5fa74cb7cdca4.dir
          size: 1806
          nfiles: 2                     # folders only
        params:
          params.yaml:
            train.lr: 0.1
        outs:
        - path: model.pkl
          ...

Entries are written as DVC writes them: deps and outs sorted by path, `params.yaml` first and
keys sorted, stages in the order they first ran. A stage that is not in the pipeline any more
keeps its entry untouched. In memory a stage is a :class:`StageLock` whose hashes are md5s.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.errors import PipelineError
from nbvc.core.formats.yamlio import dumps, loads_plain
from nbvc.core.pipeline.definition import Pipeline, Stage
from nbvc.core.pipeline.dvc_hash import LEGACY, MD5, is_md5
from nbvc.core.pipeline.lockfile import Hash, StageLock
from nbvc.core.storage.fsutil import atomic_write_text

SCHEMA = "2.0"
LOCK_FILE = "dvc.lock"
DEFAULT_PARAMS = "params.yaml"


@dataclass
class DvcLockFile:
    path: str
    pipeline: Pipeline
    stages: dict[str, StageLock] = field(default_factory=dict)
    legacy: dict[str, set[str]] = field(default_factory=dict)  # stage -> md5-dos2unix paths
    raw: dict[str, Any] = field(default_factory=dict)  # stage -> its entry as read

    @classmethod
    def load(cls, pipeline: Pipeline) -> DvcLockFile:
        path = os.path.join(os.path.dirname(pipeline.path), LOCK_FILE)
        lock = cls(path, pipeline)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            return lock
        lock.raw = parse_raw(text)
        for name, entry in lock.raw.items():
            stage = pipeline.stages.get(name)
            if stage is not None:
                lock.stages[name], lock.legacy[name] = _from_dvc(stage, entry)
        return lock

    def hash_name(self, stage: str, path: str) -> str:
        return LEGACY if path in self.legacy.get(stage, set()) else MD5

    def save(self, order: list[str]) -> None:
        """Write atomically: stages already in the file keep their place, new ones follow in
        ``order`` (the pipeline's)."""
        names = list(self.raw)
        names += [n for n in order if n in self.stages and n not in self.raw]
        doc: dict[str, Any] = {}
        for name in names:
            stage = self.pipeline.stages.get(name)
            if name in self.stages and stage is not None:
                doc[name] = _to_dvc(stage, self.stages[name], self.legacy.get(name, set()))
            elif name in self.raw:
                doc[name] = self.raw[name]
        self.raw = doc
        atomic_write_text(self.path, dumps({"schema": SCHEMA, "stages": doc}))


def parse_raw(text: str) -> dict[str, Any]:
    """The ``stages`` of a `dvc.lock` text, checked enough to be used."""
    try:
        doc = loads_plain(text, "dvc.lock") or {}
        if not isinstance(doc, dict):
            raise ValueError("not a mapping")
    except Exception as exc:  # any malformed lock gets the same advice
        raise PipelineError(
            LOCK_FILE, None, f"cannot read the lock file ({exc}); restore it from git or delete it"
        ) from None
    if str(doc.get("schema", "")) != SCHEMA:
        raise PipelineError(
            LOCK_FILE,
            None,
            f"lock file schema {doc.get('schema')!r} is not supported (DVC 1 lock files are "
            "not); run `dvc repro` once with DVC 3 to upgrade it, or delete it",
        )
    stages = doc.get("stages") or {}
    if not isinstance(stages, dict):
        raise PipelineError(LOCK_FILE, None, "'stages' must be a mapping; restore it from git")
    return {str(k): v for k, v in stages.items() if isinstance(v, dict)}


def entry_hash(entry: Mapping[str, Any]) -> tuple[Hash, str] | None:
    """A dep or out entry's hash and hash name; None without an md5."""
    md5 = entry.get("md5")
    if not is_md5(md5, folder=True):
        return None
    name = MD5 if entry.get("hash") == MD5 else LEGACY
    size = entry.get("size")
    return Hash(md5, int(size) if isinstance(size, int) else 0, int(entry.get("nfiles") or 1)), name


def _from_dvc(stage: Stage, entry: Mapping[str, Any]) -> tuple[StageLock, set[str]]:
    legacy: set[str] = set()

    def hashes(key: str) -> dict[str, Hash]:
        found = {}
        for item in entry.get(key) or ():
            if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                continue
            parsed = entry_hash(item)
            if parsed is None:
                continue
            path = _repo_path(stage, item["path"])
            found[path] = parsed[0]
            if parsed[1] == LEGACY:
                legacy.add(path)
        return found

    params = {
        _repo_path(stage, str(file)): dict(values or {})
        for file, values in (entry.get("params") or {}).items()
    }
    cmd = entry.get("cmd")
    definition: dict[str, Any] = {"cmd": cmd}
    if stage.wdir:
        definition["wdir"] = stage.wdir
    return StageLock(definition, hashes("deps"), params, hashes("outs")), legacy


def _repo_path(stage: Stage, declared: str) -> str:
    joined = posixpath.normpath(posixpath.join(stage.wdir or ".", declared))
    return "" if joined == "." else joined


def _to_dvc(stage: Stage, lock: StageLock, legacy: set[str]) -> dict[str, Any]:
    declared = {d.path: d.declared for d in stage.deps}
    declared.update({o.path: o.declared for o in stage.outs})
    cmd = stage.cmd if isinstance(stage.cmd, str) else list(stage.commands)
    entry: dict[str, Any] = {"cmd": cmd}
    deps = _entries(lock.deps, declared, legacy)
    if deps:
        entry["deps"] = deps
    params = _params(stage, lock.params)
    if params:
        entry["params"] = params
    outs = _entries(lock.outs, declared, legacy)
    if outs:
        entry["outs"] = outs
    return entry


def _entries(
    hashes: Mapping[str, Hash], declared: Mapping[str, str], legacy: set[str]
) -> list[dict[str, Any]]:
    rows = []
    for path, found in hashes.items():
        row: dict[str, Any] = {"path": declared.get(path, path)}
        if path not in legacy:
            row["hash"] = MD5
        row["md5"] = found.oid
        row["size"] = found.size
        if found.oid.endswith(".dir"):
            row["nfiles"] = found.nfiles
        rows.append(row)
    return sorted(rows, key=lambda r: str(r["path"]))


def _params(stage: Stage, values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    declared = {spec.file: spec.declared for spec in stage.params}
    named = {declared.get(f, f): dict(sorted(v.items())) for f, v in values.items()}
    ordered = dict(sorted(named.items()))
    if DEFAULT_PARAMS in ordered:
        ordered = {DEFAULT_PARAMS: ordered.pop(DEFAULT_PARAMS), **ordered}
    return ordered
