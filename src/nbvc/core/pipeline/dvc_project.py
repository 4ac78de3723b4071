"""What `nbvc repro` does differently in a DVC project (a `dvc.yaml` next to a `.dvc/` folder).

The truth is DVC's: `dvc.lock` with md5 hashes decides what is up to date, so a project DVC has
just reproduced reruns nothing, and the first nbvc run adopts the lock instead of rerunning.
After a stage runs, its cached outputs go to DVC's cache (`files/md5/..`, folder listings as
`.dir` objects) and to `.gitignore` as DVC would put them, and `dvc.lock` gets the stage's entry
in DVC's format, so `dvc status` and `dvc repro` find nothing to do. The outputs also become nbvc
versions (no pointer files: nothing DVC would not write appears in the project).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from nbvc.core.artifacts import gitignore
from nbvc.core.artifacts.add import version_author
from nbvc.core.errors import UnsupportedError
from nbvc.core.pipeline import dvc_config
from nbvc.core.pipeline.definition import Pipeline, Stage
from nbvc.core.pipeline.dvc_cache import DvcCache
from nbvc.core.pipeline.dvc_hash import DvcHasher
from nbvc.core.pipeline.dvc_lock import DvcLockFile
from nbvc.core.pipeline.lockfile import Hash, StageLock
from nbvc.core.pipeline.stage import Hasher, ParamReader, StageState
from nbvc.core.repo import Repo
from nbvc.core.storage import gitio
from nbvc.core.storage.pool import Pool

PIPELINE_FILE = "dvc.yaml"


def is_dvc_pipeline(repo_root: str, pipeline: Pipeline) -> bool:
    """True for a `dvc.yaml` at the root of a DVC project: DVC's lock and cache are used."""
    return os.path.basename(pipeline.path) == PIPELINE_FILE and dvc_config.is_dvc_project(
        os.path.dirname(pipeline.path) or repo_root
    )


def _refuse_nested_pipelines(root: str) -> None:
    """DVC runs every dvc.yaml of a project; nbvc runs the root one only, so it says so."""
    if not gitio.is_work_tree(root):
        return
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*dvc.yaml"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    nested = [
        p
        for p in listed.stdout.decode("utf-8", "replace").split("\0")
        if p.endswith("/" + PIPELINE_FILE)
    ]
    if nested:
        raise UnsupportedError(
            f"{nested[0]}: dvc.yaml files in subfolders are not supported yet (nbvc runs the "
            "project's root dvc.yaml only); run that pipeline with `dvc repro` for now"
        )


@dataclass
class DvcProject:
    repo: Repo
    pipeline: Pipeline
    hasher: Hasher
    pool: Pool

    def __post_init__(self) -> None:
        _refuse_nested_pipelines(self.repo.root)
        self.lock = DvcLockFile.load(self.pipeline)
        self.hashes = DvcHasher(self.repo, self.hasher, self.pool)
        self.cache = DvcCache(dvc_config.load(self.repo.root).cache_dir())
        self._git: bool | None = None

    # -- deciding ---------------------------------------------------------------------------
    def measure(self, stage: Stage, params: ParamReader) -> StageState:
        """The stage's deps and outs as DVC hashes them, and its param values."""

        def md5(path: str) -> Hash | None:
            return self.hashes.hash(path, self.lock.hash_name(stage.name, path))

        return StageState(
            deps={dep.path: md5(dep.path) for dep in stage.deps},
            params={spec.file: params.values(spec, stage.name) for spec in stage.params},
            outs={out.path: md5(out.path) for out in stage.outs},
        )

    def uncached_outs(self, stage: Stage, state: StageState) -> list[str]:
        """Cached outs (matching the lock) whose objects are missing from DVC's cache."""
        return [
            out.path
            for out in stage.outs
            if out.cache
            and (found := state.outs.get(out.path)) is not None
            and not self.cache.has_all(found.oid, self.lock.hash_name(stage.name, out.path))
        ]

    def cache_outs(self, stage: Stage, paths: Iterable[str]) -> None:
        """Copy the workspace copies of ``paths`` (outs of ``stage``) into DVC's cache."""
        for path in paths:
            name = self.lock.hash_name(stage.name, path)
            target = self.repo.abspath(path)
            if os.path.isdir(target):
                listing = self.hashes.listing(path, name)
                if listing is not None:
                    self.cache.store_folder(target, listing, name)
            else:
                found = self.hashes.hash(path, name)
                if found is not None:
                    self.cache.store_file(target, found.oid, name)

    # -- recording --------------------------------------------------------------------------
    def forget(self, paths: Iterable[str]) -> None:
        self.hashes.forget(paths)

    def record(self, stage: Stage, state: StageState) -> dict[str, Hash]:
        """After ``stage`` ran (or was restored): hash its outs, cache them for DVC, ignore
        them in git as DVC does, and write its `dvc.lock` entry. Returns the outs' md5s."""
        self.lock.legacy.pop(stage.name, None)  # DVC 3 rewrites a rerun stage with plain md5
        self.forget([o.path for o in stage.outs])
        outs: dict[str, Hash] = {}
        for out in stage.outs:
            found = self.hashes.hash(out.path)
            if found is None:
                continue
            outs[out.path] = found
            if out.cache:
                self.cache_outs(stage, [out.path])
                self._ignore(out.path)
        deps = {p: h for p, h in state.deps.items() if h is not None}
        definition = {"cmd": stage.cmd if isinstance(stage.cmd, str) else list(stage.commands)}
        if stage.wdir:
            definition["wdir"] = stage.wdir
        self.lock.stages[stage.name] = StageLock(definition, deps, state.params, outs)
        self.lock.save(list(self.pipeline.stages))
        return outs

    def save_versions(self, stage: Stage, producer_run: str) -> dict[str, Hash]:
        """Store the stage's outs in nbvc's cache (cached ones as versions, without pointer
        files); returns their BLAKE3 hashes, for the run record and the run cache."""
        hashes: dict[str, Hash] = {}
        with self.repo.storing():
            for out in stage.outs:
                snapshot = self.repo.workspace.snapshot(out.path, self.pool, store=True)
                if snapshot is None:
                    continue
                hashes[out.path] = Hash(snapshot.oid, snapshot.size, snapshot.nfiles)
                if not out.cache:
                    continue
                with self.repo.lock():
                    history = self.repo.history
                    latest = history.latest(out.path)
                    if latest is None or latest.oid != snapshot.oid:
                        history.record_version(
                            out.path,
                            snapshot.oid,
                            snapshot.kind,
                            snapshot.size,
                            snapshot.nfiles,
                            version_author(self.repo.root),
                            f"output of stage {stage.name}",
                            f"stage:{stage.name}@{producer_run}",
                        )
        return hashes

    def _ignore(self, path: str) -> None:
        """Add ``/name`` to the out's folder's `.gitignore` unless git ignores it already."""
        if self._git is None:
            self._git = gitio.is_work_tree(self.repo.root)
        if not self._git:
            return
        checked = subprocess.run(
            ["git", "check-ignore", "-q", "--", path],
            cwd=self.repo.root,
            capture_output=True,
            check=False,
        )
        if checked.returncode != 0:
            gitignore.ignore(self.repo.root, path)
