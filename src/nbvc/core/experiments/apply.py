"""``nbvc exp apply RUN`` (also ``nbvc checkout --run RUN``): bring back everything a run used and
made, in one command.

From the run's record: its params values go into the params files (only those values, the rest
of each file untouched); every dep and out goes back to the version the run recorded (tracked
artifacts through checkout, so their pointer files follow; other files from the cache or, for an
experiment, from its code snapshot); and the git commit its code came from is reported. Nothing
is changed until every file it would overwrite is known to be safe (saved in nbvc, or committed in
git); otherwise it refuses, unless ``force``. Any run: an experiment, a plain repro, a notebook.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.artifacts import pointer
from nbvc.core.errors import MissingObjectError, RunNotFoundError, UnsavedChangesError
from nbvc.core.experiments.params_edit import set_in_text, set_params
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import LOGGED, RunRecord
from nbvc.core.storage.pool import Pool

SHOWN = 5


@dataclass(frozen=True)
class Restore:
    path: str
    oid: str
    source: str  # "cache" or "code" (the experiment's code snapshot)


@dataclass
class ApplyResult:
    run: RunRecord
    params_files: list[str] = field(default_factory=list)  # files whose values changed
    restored: list[str] = field(default_factory=list)  # deps and outs put back
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # versions nbvc does not have
    git: str | None = None  # the commit the run's code came from

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run.id,
            "params_files": self.params_files,
            "restored": self.restored,
            "unchanged": self.unchanged,
            "missing": self.missing,
            "git": self.git,
        }


def apply_run(repo: Repo, ref: str, force: bool = False) -> ApplyResult:
    run = find_experiment(repo, ref)
    result = ApplyResult(run, git=run.git)
    _fetch_missing(repo, run)
    code = _code_tree(repo, run)
    wanted, result.missing = _wanted(repo, run, code)
    params = {f: v for f, v in run.params.items() if f != LOGGED and _settable(f)}
    with repo.pool() as pool:
        changes = {path: r for path, r in wanted.items() if not _same(repo, path, r.oid, pool)}
        result.unchanged = sorted(set(wanted) - set(changes))
        param_files = [f for f, values in params.items() if _params_change(repo, f, values)]
        if not force:
            _refuse_unsaved(repo, [*changes, *param_files], pool)
        for path, restore in sorted(changes.items()):
            _restore(repo, restore, run, pool)
            result.restored.append(path)
    result.params_files = set_params(repo.root, params)
    _lock(repo, run)
    return result


def _lock(repo: Repo, run: RunRecord) -> None:
    """Write the run's stages into the lock file, so `repro` sees them up to date."""
    from nbvc.core.errors import NoPipelineError
    from nbvc.core.pipeline.loader import load_pipeline
    from nbvc.core.pipeline.lockfile import Hash, LockFile, StageLock

    try:
        pipeline = load_pipeline(repo.root, check_workspace=False)
    except NoPipelineError:
        return
    lock = LockFile.load(pipeline.lock_path)
    changed = False
    with repo.pool() as pool:
        for name, entry in run.stages.items():
            if name not in pipeline.stages or entry.get("status") not in (
                "ran",
                "restored",
                "skipped",
            ):
                continue
            deps = {}
            for path, oid in (entry.get("deps") or {}).items():
                current = repo.workspace.snapshot(path, pool, need_tree=False)
                if current is None or current.oid != oid:
                    break
                deps[path] = Hash(oid, current.size, current.nfiles)
            else:
                outs = {
                    p: Hash(o["oid"], int(o["size"]), int(o["nfiles"]))
                    for p, o in (entry.get("outs") or {}).items()
                }
                definition = entry.get("definition") or pipeline.stages[name].definition()
                lock.stages[name] = StageLock(
                    definition, deps, entry.get("params") or {}, outs, run.id
                )
                changed = True
    if changed:
        lock.save(list(pipeline.stages))


def _fetch_missing(repo: Repo, run: RunRecord) -> None:
    """Outputs an experiment made on another machine are on the remote: fetch them."""
    from nbvc.core.errors import ConfigError
    from nbvc.core.remote import remote_config

    wanted = {out["oid"]: path for e in run.stages.values() for path, out in _outs(e)}
    for e in run.stages.values():
        wanted.update({oid: path for path, oid in (e.get("deps") or {}).items()})
    absent = {oid: path for oid, path in wanted.items() if not repo.odb.exists(oid)}
    if not absent:
        return
    try:
        remote_config.get(repo)
    except ConfigError:
        return  # no remote: what is missing is reported
    from nbvc.core.remote.plan import Want
    from nbvc.core.remote.transfer import fetch_objects

    fetch_objects(repo, [Want(oid, None, path) for oid, path in absent.items()])


def _outs(entry: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return list((entry.get("outs") or {}).items())


def find_experiment(repo: Repo, ref: str) -> RunRecord:
    """A run by any run reference, or an experiment by its name (``sweep-1a2b-3``)."""
    from nbvc.core.experiments import sweep_state
    from nbvc.core.runs.run_record import read_run
    from nbvc.core.runs.run_refs import find_run

    try:
        return find_run(repo, ref)
    except RunNotFoundError:
        for sweep_id in sweep_state.finished_ids(repo, limit=200):
            plan = sweep_state.load(repo, sweep_id).plan
            for point in plan["points"]:
                if point.get("name") == ref:
                    return read_run(repo, point["id"])
        raise


def _wanted(
    repo: Repo, run: RunRecord, code: dict[str, str]
) -> tuple[dict[str, Restore], list[str]]:
    """Every dep and out of the run with the version to restore, and those nbvc lacks."""
    versions: dict[str, str] = {}
    for entry in run.stages.values():
        for path, oid in (entry.get("deps") or {}).items():
            versions.setdefault(path, oid)
        for path, out in (entry.get("outs") or {}).items():
            versions[path] = out["oid"]
    wanted, missing = {}, []
    for path, oid in versions.items():
        if repo.odb.exists(oid) and (not oid.endswith(".dir") or _complete(repo, oid)):
            wanted[path] = Restore(path, oid, "cache")
        elif code.get(path) == oid:
            wanted[path] = Restore(path, oid, "code")
        else:
            missing.append(path)
    return wanted, sorted(missing)


def _code_tree(repo: Repo, run: RunRecord) -> dict[str, str]:
    """path -> oid of the experiment's code snapshot (empty for other runs)."""
    details = run.extra.get("experiment")
    code = details.get("code") if isinstance(details, dict) else None
    tree_oid = code.get("tree") if isinstance(code, dict) else None
    if not isinstance(tree_oid, str) or not repo.odb.exists(tree_oid):
        return {}
    tree = repo.workspace.load_tree(tree_oid)
    return {path: meta.oid for path, meta in tree.files.items()}


def _complete(repo: Repo, tree_oid: str) -> bool:
    tree = repo.workspace.load_tree(tree_oid)
    return all(repo.odb.exists(meta.oid) for meta in tree.files.values())


def _same(repo: Repo, path: str, oid: str, pool: Pool) -> bool:
    current = repo.workspace.snapshot(path, pool)
    return current is not None and current.oid == oid


def _settable(file: str) -> bool:
    return file.endswith((".yaml", ".yml", ".json"))


def _params_change(repo: Repo, file: str, values: Mapping[str, Any]) -> bool:
    try:
        with open(repo.abspath(file), encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return True
    return set_in_text(text, file, values) != text


def _refuse_unsaved(repo: Repo, paths: list[str], pool: Pool) -> None:
    """Refuse if a file about to be overwritten holds content neither nbvc nor git has."""
    dirty = _git_dirty(repo, paths) if repo.in_git else None
    unsaved = []
    for path in paths:
        current = repo.workspace.snapshot(path, pool)
        if current is None:
            continue
        if dirty is not None and path not in dirty and not _untracked_in_git(repo, path):
            continue  # committed as it is
        if current.tree is None:
            if not repo.odb.exists(current.oid):
                unsaved.append(path)
        elif any(not repo.odb.exists(meta.oid) for meta in current.tree.files.values()):
            unsaved.append(path)
    if unsaved:
        shown = ", ".join(unsaved[:SHOWN]) + (" ..." if len(unsaved) > SHOWN else "")
        raise UnsavedChangesError(
            f"applying the run would overwrite changes saved neither in nbvc nor in git "
            f"({shown}); commit them or `nbvc add` them first, or apply with --force"
        )


def _git_dirty(repo: Repo, paths: list[str]) -> set[str]:
    if not paths:
        return set()
    done = subprocess.run(
        ["git", "status", "--porcelain", "-z", "--untracked-files=all", "--", *paths],
        cwd=repo.root,
        capture_output=True,
        check=False,
    )
    prefix = (
        subprocess.run(
            ["git", "rev-parse", "--show-prefix"], cwd=repo.root, capture_output=True, check=False
        )
        .stdout.decode()
        .strip()
    )
    dirty = set()
    for item in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(item) > 3:
            name = item[3:]
            dirty.add(name[len(prefix) :] if name.startswith(prefix) else name)
    return {p for p in paths if p in dirty or any(d.startswith(p + "/") for d in dirty)}


def _untracked_in_git(repo: Repo, path: str) -> bool:
    """Ignored by git (like the data nbvc tracks): git does not keep it."""
    done = subprocess.run(
        ["git", "check-ignore", "-q", "--", path], cwd=repo.root, capture_output=True, check=False
    )
    return done.returncode == 0


def _restore(repo: Repo, restore: Restore, run: RunRecord, pool: Pool) -> None:
    path = restore.path
    if restore.source == "code":
        from nbvc.core.pipeline.runcache import restore_objects

        restore_objects(repo, {path: {"oid": restore.oid}}, ("copy",), pool)
        return
    found = pointer.read(repo.abspath(path))
    version = repo.history.by_oid(path, restore.oid) if found is not None else None
    if version is not None:
        repo.checkout(f"{path}@v{version.number}", force=True)
        return
    from nbvc.core.pipeline.runcache import restore_objects

    try:
        restore_objects(repo, {path: {"oid": restore.oid}}, repo.config.link_types, pool)
    except MissingObjectError:
        raise MissingObjectError(
            f"{path} of run {run.short_id} is not complete in the cache; "
            "`nbvc pull` fetches it from the remote"
        ) from None
    if found is not None:  # tracked, but this version is not in its history: record it
        repo.add([repo.abspath(path)], message=f"restored from run {run.short_id}")
