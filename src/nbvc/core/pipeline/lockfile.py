"""`nbvc.lock`: what each stage last ran with and made (exact hashes, param values, command).

Paths are repo-relative. The file is rewritten atomically after every stage that changes, so it
always describes outputs that really exist in the cache; a failed stage keeps its old entry.

    schema: nbvc-lock/1
    stages:
      train:
        cmd: python train.py
        deps:
        - {path: data/prepared, oid: 1f...dir, size: 5120, nfiles: 10}
        params:
          params.yaml: {train.lr: 0.1}
        outs:
        - {path: model.pkl, oid: 9c..., size: 1234, nfiles: 1}
        run: 18a1f...-4be1c2d0
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from nbvc.core.errors import FormatError, PipelineError
from nbvc.core.formats import limits
from nbvc.core.formats.yamlio import dumps, loads_plain
from nbvc.core.storage.fsutil import atomic_write_text

SCHEMA = "nbvc-lock/1"
HEADER = "# nbvc.lock: written by `nbvc repro`; commit it with nbvc.yaml. Do not edit.\n"


class Hash(NamedTuple):
    """The content at a path: a file oid or a tree oid (suffix ``.dir``)."""

    oid: str
    size: int
    nfiles: int

    def to_json(self, path: str) -> dict[str, Any]:
        return {"path": path, "oid": self.oid, "size": self.size, "nfiles": self.nfiles}


@dataclass(frozen=True)
class StageLock:
    definition: Mapping[str, Any]  # Stage.definition(): cmd or notebook, and wdir
    deps: Mapping[str, Hash]
    params: Mapping[str, Mapping[str, Any]]  # file -> key -> value
    outs: Mapping[str, Hash]
    run: str | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = dict(self.definition)
        doc["deps"] = [h.to_json(p) for p, h in self.deps.items()]
        if self.params:
            doc["params"] = {f: dict(v) for f, v in self.params.items()}
        doc["outs"] = [h.to_json(p) for p, h in self.outs.items()]
        if self.run:
            doc["run"] = self.run
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> StageLock:
        definition = {k: doc[k] for k in ("cmd", "notebook", "wdir") if k in doc}
        return cls(
            definition,
            _hashes(doc.get("deps")),
            {str(f): dict(v or {}) for f, v in (doc.get("params") or {}).items()},
            _hashes(doc.get("outs")),
            doc.get("run"),
        )


def _hashes(entries: Any) -> dict[str, Hash]:
    return {
        e["path"]: Hash(e["oid"], int(e.get("size", 0)), int(e.get("nfiles", 1)))
        for e in entries or ()
    }


@dataclass
class LockFile:
    path: str
    stages: dict[str, StageLock] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str) -> LockFile:
        name = os.path.basename(path)
        try:
            text = limits.read_text(path, name)
        except FileNotFoundError:
            return cls(path)
        except FormatError as exc:
            raise PipelineError(name, None, f"cannot read the lock file ({exc})") from None
        return cls(path, parse(text, name))

    def save(self, order: list[str]) -> None:
        """Write atomically, stages in ``order`` first (pipeline order), others after."""
        names = [n for n in order if n in self.stages]
        names += sorted(n for n in self.stages if n not in set(order))
        doc = {"schema": SCHEMA, "stages": {n: self.stages[n].to_json() for n in names}}
        atomic_write_text(self.path, HEADER + dumps(doc))


def parse(text: str, name: str) -> dict[str, StageLock]:
    try:
        doc = loads_plain(text, name) or {}
        return {str(n): StageLock.from_json(s) for n, s in (doc.get("stages") or {}).items()}
    except Exception as exc:  # any malformed lock gets the same advice
        raise PipelineError(
            name, None, f"cannot read the lock file ({exc}); restore it from git or delete it"
        ) from None
