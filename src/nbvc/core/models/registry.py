"""``nbvc.log_model`` / ``nbvc.load_model`` and the registry behind ``nbvc models``.

A model version is an immutable record (kind ``models``): name, version number, the object
holding the model, its flavour and signature, the run that logged it, and the packages needed
to load it. An alias is a movable name for one version (``churn@prod``), kept as immutable
records too (kind ``model_aliases``; the newest for a name and alias wins; version None
removes it), so registries merge by copying records like everything else. The model's object
is also one of its run's artifacts (kind ``model``).

References: ``name`` (latest version), ``name:v3`` (or ``name:3``), ``name@alias``. The same
``name@alias`` names the run that made that version wherever a run reference is accepted.
"""

from __future__ import annotations

import mmap
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from nbvc.core.errors import ModelLoadError, ModelNotFoundError, NbvcError
from nbvc.core.models import flavours
from nbvc.core.models.verified import VerifiedObjects, stamp_of, verify_always
from nbvc.core.repo import Repo
from nbvc.core.runs import logging as runlog
from nbvc.core.runs.environment import packages
from nbvc.core.runs.run_record import RunArtifact
from nbvc.core.runs.run_refs import register_alias_resolver
from nbvc.core.storage.hashing import hash_bytes

MODELS = "models"
ALIASES = "model_aliases"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
MODELS_HINT = "`nbvc models` lists the registered models"


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: int
    oid: str
    size: int
    flavour: str
    run: str | None
    created: float
    signature: dict[str, Any] | None = None
    requirements: dict[str, str] = field(default_factory=dict)  # package -> version
    aliases: tuple[str, ...] = ()
    id: str = ""
    path: str | None = None  # a model the pipeline file declares: the versioned file

    @property
    def ref(self) -> str:
        return f"{self.name}:v{self.version}"

    def to_record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "oid": self.oid,
            "size": self.size,
            "flavour": self.flavour,
            "run": self.run,
            "created": self.created,
            "signature": self.signature,
            "requirements": self.requirements,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.to_record(),
            "id": self.id,
            "aliases": list(self.aliases),
            "path": self.path,
        }

    @classmethod
    def from_record(cls, doc: dict[str, Any], aliases: Iterable[str] = ()) -> ModelVersion:
        return cls(
            name=doc["name"],
            version=int(doc["version"]),
            oid=doc["oid"],
            size=int(doc.get("size") or 0),
            flavour=doc.get("flavour") or flavours.PYTHON,
            run=doc.get("run"),
            created=float(doc.get("created") or 0.0),
            signature=doc.get("signature"),
            requirements=dict(doc.get("requirements") or {}),
            aliases=tuple(sorted(aliases)),
            id=doc.get("id", ""),
        )


class Registry:
    """The registered models of one repo (read from their records on use: a registry holds
    tens to hundreds of versions, not millions)."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo

    # -- reading ----------------------------------------------------------------------------
    def versions(self, name: str | None = None) -> list[ModelVersion]:
        """Every version (of ``name``), by name then version number: those logged with
        ``log_model``, and the versions of models the pipeline file declares (``artifacts:``
        of type model, whose file nbvc versions) under names no logged model uses."""
        aliases = self.aliases()
        found = []
        for doc in self.repo.records.iter(MODELS):
            if name is not None and doc.get("name") != name:
                continue
            mine = [a for (n, a), v in aliases.items() if n == doc["name"] and v == doc["version"]]
            found.append(ModelVersion.from_record(doc, mine))
        logged = {v.name for v in found}
        for declared in self._declared():
            if declared.name not in logged and name in (None, declared.name):
                mine = [
                    a
                    for (n, a), v in aliases.items()
                    if n == declared.name and v == declared.version
                ]
                found.append(replace(declared, aliases=tuple(sorted(mine))))
        return sorted(found, key=lambda v: (v.name, v.version))

    def _declared(self) -> list[ModelVersion]:
        """Versions of the models dvc.yaml / nbvc.yaml declare under ``artifacts:``."""
        found = []
        for artifact in self.repo.pipeline.declared("model"):
            for version in self.repo.history.versions(artifact["path"]):
                if version.kind != "file" or not NAME_RE.fullmatch(artifact["name"]):
                    continue
                producer = version.producer or ""
                run = producer.rsplit("@", 1)[1] if producer.startswith("stage:") else None
                found.append(
                    ModelVersion(
                        artifact["name"],
                        version.number,
                        version.oid,
                        version.size,
                        flavours.PYTHON,
                        run,
                        version.created,
                        id=version.id,
                        path=artifact["path"],
                    )
                )
        return found

    def names(self) -> list[str]:
        return sorted({v.name for v in self.versions()})

    def aliases(self) -> dict[tuple[str, str], int]:
        """(name, alias) -> version number, as the newest alias records say."""
        docs = sorted(self.repo.records.iter(ALIASES), key=lambda d: (d["time"], d["id"]))
        current: dict[tuple[str, str], int] = {}
        for doc in docs:
            key = (doc["name"], doc["alias"])
            if doc.get("version") is None:
                current.pop(key, None)
            else:
                current[key] = int(doc["version"])
        return current

    def resolve(self, ref: str) -> ModelVersion:
        """``name``, ``name:v3`` / ``name:3``, or ``name@alias``."""
        name, version, alias = parse_ref(ref)
        versions = self.versions(name)
        if not versions:
            raise ModelNotFoundError(f"no model named {name!r}; {MODELS_HINT}")
        if alias is not None:
            number = self.aliases().get((name, alias))
            if number is None:
                known = sorted({a for v in versions for a in v.aliases})
                raise ModelNotFoundError(
                    f"model {name!r} has no alias {alias!r} "
                    f"(aliases: {', '.join(known) or 'none'}); "
                    f"set one with `nbvc models alias {name}@{alias} vN`"
                )
            version = number
        if version is None:
            return versions[-1]
        for found in versions:
            if found.version == version:
                return found
        raise ModelNotFoundError(
            f"model {name!r} has no version v{version} (it has v1..v{versions[-1].version})"
        )

    # -- writing ----------------------------------------------------------------------------
    def register(
        self,
        name: str,
        oid: str,
        size: int,
        flavour: str,
        run: str | None,
        signature: dict[str, Any] | None,
        requirements: dict[str, str],
    ) -> ModelVersion:
        check_name(name)
        with self.repo.lock():
            numbers = [v.version for v in self.versions(name)]
            version = ModelVersion(
                name,
                max(numbers, default=0) + 1,
                oid,
                size,
                flavour,
                run,
                time.time(),
                signature,
                requirements,
            )
            doc = self.repo.records.write(MODELS, version.to_record())
        return ModelVersion.from_record(doc)

    def set_alias(self, name: str, alias: str, version: str | int | None) -> ModelVersion | None:
        """Point ``name@alias`` at a version (``v3``, ``3``) or, with None, remove it."""
        check_name(alias, "an alias")
        number = None
        if version is not None:
            number = self.resolve(f"{name}:{version}").version
        elif (name, alias) not in self.aliases():
            raise ModelNotFoundError(f"model {name!r} has no alias {alias!r}")
        self.repo.records.write(
            ALIASES, {"name": name, "alias": alias, "version": number, "time": time.time()}
        )
        return self.resolve(f"{name}:v{number}") if number is not None else None

    # -- loading ----------------------------------------------------------------------------
    def load(self, ref: str) -> Any:
        """The model ``ref`` names, after checking its object's hash."""
        version = self.resolve(ref)
        return flavours.load(self.verified_bytes(version), version.flavour)

    def verified_bytes(self, version: ModelVersion) -> memoryview:
        """The model's bytes, mapped from the cache, checked against their hash before anyone
        unpickles them (unless the file is unchanged since it was last hashed: see
        :mod:`nbvc.core.models.verified`). An object path that leads outside the cache (a
        symlink planted in it) is refused."""
        if self.repo.odb.is_chunked(version.oid):  # stored as chunks: read_bytes checks the hash
            return memoryview(self.repo.odb.read_bytes(version.oid))
        path = self.repo.odb.path(version.oid)
        cache = os.path.realpath(self.repo.odb.objects_dir)
        if os.path.realpath(path) != os.path.join(cache, version.oid[:2], version.oid[2:]):
            raise ModelLoadError(
                f"model {version.ref}: its object {version.oid[:12]} is not a file of this "
                "repo's cache; refusing to load it"
            )
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise ModelLoadError(
                f"model {version.ref}: object {version.oid[:12]} is not in the cache; "
                "run `nbvc pull` to fetch it"
            ) from None
        try:
            stamp = stamp_of(os.fstat(fd))
            size = stamp[1]
            data = mmap.mmap(fd, size, access=mmap.ACCESS_READ) if size else b""
        finally:
            os.close(fd)
        view = memoryview(data)
        verified = VerifiedObjects(self.repo.index)
        if not verify_always(self.repo.config.raw) and verified.unchanged(version.oid, stamp):
            return view
        if hash_bytes(view) != version.oid:
            verified.forget(version.oid)
            self.repo.odb.quarantine(version.oid)
            raise ModelLoadError(
                f"model {version.ref}: object {version.oid[:12]} does not match its hash "
                "(quarantined); refusing to load it; `nbvc pull` fetches a good copy"
            )
        verified.remember(version.oid, stamp)
        return view


def parse_ref(ref: str) -> tuple[str, int | None, str | None]:
    """``(name, version, alias)`` of ``name``, ``name:v3``, ``name:3`` or ``name@alias``."""
    name, at, alias = ref.partition("@")
    version: int | None = None
    if not at:
        name, colon, number = ref.partition(":")
        if colon:
            match = re.fullmatch(r"v?(\d+)", number)
            if match is None:
                raise ModelNotFoundError(
                    f"{ref!r}: a model version is written name:v3 (or name@alias)"
                )
            version = int(match.group(1))
    check_name(name)
    if at:
        check_name(alias, "an alias")
    return name, version, alias or None


def check_name(name: str, what: str = "a model name") -> None:
    if not NAME_RE.fullmatch(name or ""):
        raise NbvcError(
            f"{name!r} is not {what}: use letters, digits, '.', '_' and '-' "
            "(starting with a letter or digit)"
        )


# -- the Python API ---------------------------------------------------------------------------
def log_model(
    model: Any, name: str, input_example: Any = None, output_example: Any = None
) -> ModelVersion:
    """Store ``model`` as the next version of ``name``, with the active run (one is started
    if none is open) as its source. The signature is inferred from ``input_example`` (and
    ``output_example``, else the model's ``predict`` of the input example)."""
    check_name(name)
    run = runlog.active_run() or runlog.start_run()
    flavour = flavours.flavour_of(model)
    data = flavours.dump(model, flavour)
    installed = packages()
    requirements = {
        package: installed[package]
        for package in flavours.FLAVOUR_PACKAGES[flavour]
        if package in installed
    }
    with Repo.open(run.root) as repo:
        oid = repo.odb.add_bytes(data)
        run.add_artifact(RunArtifact(name, "model", oid, len(data), "application/x-pickle"))
        return Registry(repo).register(
            name,
            oid,
            len(data),
            flavour,
            run.id,
            flavours.signature(model, input_example, output_example),
            requirements,
        )


def load_model(ref: str, path: str | None = None) -> Any:
    """The model ``name``, ``name:v3`` or ``name@alias`` of the repo at (or above) ``path``."""
    with Repo.find(path) as repo:
        return Registry(repo).load(ref)


def model_roots(repo: Repo) -> set[str]:
    """Objects every registered model version keeps alive (for gc)."""
    return {doc["oid"] for doc in repo.records.iter(MODELS)}


def _run_of_alias(repo: Repo, name: str, alias: str) -> str | None:
    """``name@alias`` as a run reference: the run that logged that version."""
    if not NAME_RE.fullmatch(name) or not NAME_RE.fullmatch(alias):
        return None
    registry = Registry(repo)
    number = registry.aliases().get((name, alias))
    if number is None:
        return None
    return next((v.run for v in registry.versions(name) if v.version == number), None)


register_alias_resolver(_run_of_alias)
