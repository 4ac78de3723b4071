"""`nbvc repro`: bring the pipeline's outputs up to date, as one run.

Stages are visited in topological order. Each is skipped (with the reason it is up to date),
restored from the run cache, or run; after a run its deps are hashed again (a dep that changed
while its own stage ran is reported and the run is not cached), its outputs are added to the
object store as versions, and `nbvc.lock` is rewritten. A failed stage keeps its old lock entry
and stops its dependants (and, without ``keep_going``, everything after it).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.engine_options import ReproOptions
from nbvc.core.errors import NbvcError, ParamsError, PipelineError
from nbvc.core.pipeline import dag, outs_guard, runcache
from nbvc.core.pipeline.definition import Pipeline, Stage
from nbvc.core.pipeline.dvc_lock import DvcLockFile
from nbvc.core.pipeline.dvc_project import DvcProject, is_dvc_pipeline
from nbvc.core.pipeline.execute import run_commands
from nbvc.core.pipeline.loader import load_pipeline
from nbvc.core.pipeline.lockfile import Hash, LockFile
from nbvc.core.pipeline.outcome import (
    FAILED,
    NOT_RUN,
    NULL_LISTENER,
    RAN,
    RESTORED,
    SKIPPED,
    WOULD_RUN,
    ReproListener,
    ReproResult,
    StageOutcome,
)
from nbvc.core.pipeline.run_summary import finish_repro_run
from nbvc.core.pipeline.stage import Hasher, ParamReader, StageState, measure, why_run
from nbvc.core.repo import Repo
from nbvc.core.runs import logging as runlog
from nbvc.core.runs.journal import Journal
from nbvc.core.runs.names import readable_name
from nbvc.core.runs.run_record import RunStatus
from nbvc.core.storage.lock import repo_lock
from nbvc.core.storage.pool import Pool
from nbvc.core.storage.record_store import new_id

DEFAULT_OPTIONS = ReproOptions()


def repro(
    repo: Repo,
    options: ReproOptions = DEFAULT_OPTIONS,
    listener: ReproListener = NULL_LISTENER,
    fetch: runcache.OutsFetcher | None = None,
    record_unchanged: bool = False,
) -> ReproResult:
    """Bring the selected stages up to date as one run. ``fetch`` brings a run-cache hit's
    outputs this cache lacks (``--pull``: from the remote). A repro that finds everything up to
    date records no run, unless ``record_unchanged`` (an experiment is a run even when its point
    is what the workspace already holds)."""
    pipeline = load_pipeline(repo.root, check_workspace=False)
    graph = dag.check(pipeline, repo.root)
    targets = dag.resolve_targets(pipeline, options.targets)
    selected = dag.select(graph, targets, options.downstream, options.single_item)
    with (
        repo_lock(os.path.join(repo.dot, "tmp", "repro.lock")),
        repo.storing(),  # gc waits: outs saved before a stage runs are named by the run record
        repo.pool() as pool,
    ):
        return _Repro(repo, pipeline, graph, options, listener, pool, fetch, record_unchanged).run(
            selected
        )


@dataclass
class _Repro:
    repo: Repo
    pipeline: Pipeline
    graph: dag.Graph
    options: ReproOptions
    listener: ReproListener
    pool: Pool
    fetch: runcache.OutsFetcher | None
    record_unchanged: bool
    outcomes: dict[str, StageOutcome] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # for the run record

    def __post_init__(self) -> None:
        self.hasher = Hasher(self.repo, self.pool)
        self.params = ParamReader(self.repo.root)
        self.dvc: DvcProject | None = None
        self.lock: LockFile | DvcLockFile
        if is_dvc_pipeline(self.repo.root, self.pipeline):
            self.dvc = DvcProject(self.repo, self.pipeline, self.hasher, self.pool)
            self.lock = self.dvc.lock
        else:
            self.lock = LockFile.load(self.pipeline.lock_path)
        self.run_id = new_id()
        self.stopped = False
        self._recorded = False

    def run(self, selected: list[str]) -> ReproResult:
        _check_params(self.pipeline, self.params)
        if self.options.dry:
            for name in selected:
                self._visit(name)
            return ReproResult(None, list(self.outcomes.values()), dry=True)
        journal = Journal.create(self.repo, self.run_id, "repro", name=readable_name(self.run_id))
        started = time.time()
        status = RunStatus.FAILED
        try:
            for name in selected:
                self._visit(name)
            if not any(o.status == FAILED for o in self.outcomes.values()):
                status = RunStatus.COMPLETED
        except KeyboardInterrupt:
            status = RunStatus.INTERRUPTED
            raise
        finally:
            if status is RunStatus.COMPLETED and self._did_nothing() and not self.record_unchanged:
                journal.remove()  # a repro that ran and restored nothing records no run
            else:
                self._recorded = True
                finish_repro_run(
                    self.repo,
                    self.pipeline,
                    self.run_id,
                    journal,
                    started,
                    status,
                    self.entries,
                    list(self.options.targets),
                    self.pool,
                )
        run_id = self.run_id if self._recorded else None
        return ReproResult(run_id, list(self.outcomes.values()), status, dry=False)

    def _did_nothing(self) -> bool:
        return all(o.status == SKIPPED for o in self.outcomes.values())

    # -- one stage --------------------------------------------------------------------------
    def _visit(self, name: str) -> None:
        stage = self.pipeline.stages[name]
        blocked = self._blocked_by(name)
        if blocked is not None:
            self._finish(StageOutcome(name, NOT_RUN, blocked))
            return
        try:
            state = self._measure(stage)
        except ParamsError as exc:
            self._finish(StageOutcome(name, FAILED, "cannot read its params", error=str(exc)))
            return
        reason = self._reason(stage, state)
        if stage.frozen and (missing := [p for p, h in state.outs.items() if h is None]):
            # what DVC says when a frozen stage has nothing to verify
            self._finish(
                StageOutcome(
                    name,
                    FAILED,
                    "frozen",
                    error=f"stage {name} is frozen and its outputs are missing: "
                    f"missing data '{'sources' if len(missing) > 1 else 'source'}': "
                    f"{', '.join(missing)}; unfreeze it (remove 'frozen: true') or restore them",
                ),
            )
        elif reason is None or stage.frozen:
            why = "frozen" if stage.frozen else "up to date"
            if self.dvc is not None and not self.options.dry:
                self.dvc.cache_outs(stage, self.dvc.uncached_outs(stage, state))
            self._finish(StageOutcome(name, SKIPPED, why), state)
        elif self.options.dry:
            self._finish(StageOutcome(name, WOULD_RUN, reason))
        elif missing := [p for p, h in state.deps.items() if h is None]:
            message = f"dep {missing[0]} is missing; create it or run the stage that makes it"
            if os.path.isfile(self.repo.abspath(missing[0] + ".dvc")):
                message = (
                    f"dep {missing[0]} (tracked by {missing[0]}.dvc) is missing; "
                    f"`dvc pull {missing[0]}.dvc` or `nbvc checkout {missing[0]}` restores it"
                )
            self._finish(StageOutcome(name, FAILED, reason, error=message))
        else:
            try:
                if not self._restore(stage, state, reason):
                    self._execute(stage, state, reason)
            except NbvcError as exc:  # e.g. an out inside a folder nbvc tracks as a whole
                self._finish(StageOutcome(name, FAILED, reason, error=str(exc)))

    def _measure(self, stage: Stage) -> StageState:
        if self.dvc is not None:
            return self.dvc.measure(stage, self.params)
        return measure(stage, self.hasher, self.params)

    def _blocked_by(self, name: str) -> str | None:
        for up in sorted(self.graph.upstream[name]):
            outcome = self.outcomes.get(up)
            if outcome is not None and outcome.status in (FAILED, NOT_RUN):
                return (
                    f"upstream stage {up} {'failed' if outcome.status == FAILED else 'did not run'}"
                )
        if self.stopped:
            return "an earlier stage failed (use --keep-going to run independent stages)"
        return None

    def _reason(self, stage: Stage, state: StageState) -> str | None:
        if self.options.force:
            return "forced"
        if stage.always_changed:
            return "always changed"
        reason = why_run(stage, state, self.lock.stages.get(stage.name))
        if reason is None and self.options.dry:
            changed = [
                u
                for u in sorted(self.graph.upstream[stage.name])
                if u in self.outcomes and self.outcomes[u].status == WOULD_RUN
            ]
            if changed:
                return f"upstream stage {changed[0]} would run"
        return reason

    def _restore(self, stage: Stage, state: StageState, reason: str) -> bool:
        if not (self.options.run_cache and not self.options.force and runcache.eligible(stage)):
            return False
        key = runcache.cache_key(stage, state)
        hit = runcache.find(self.repo, stage, key, self.pool, self.fetch) if key else None
        if hit is None:
            return False
        started = time.monotonic()
        outs = runcache.restore(self.repo, hit, self.pool)
        self._forget(list(outs))
        outs = self._save_outs(stage, hit.run_id, reuse=True)  # the outs' earlier versions
        self._lock(stage, state, outs, hit.run_id)
        outcome = StageOutcome(
            stage.name, RESTORED, reason, time.monotonic() - started, restored_from=hit.run_id
        )
        self._finish(outcome, state, outs, key)
        return True

    def _execute(self, stage: Stage, state: StageState, reason: str) -> None:
        started = time.monotonic()
        self.listener.stage_started(stage.name, reason)
        saved = outs_guard.set_aside(self.repo, stage, self.pool, versions=self.dvc is None)
        outcome = StageOutcome(stage.name, RAN, reason, replaced={s.path: s.oid for s in saved})
        try:
            error = self._run(stage)
        except KeyboardInterrupt:  # Ctrl-C: the outs it removed come back, as after a failure
            self._forget([o.path for o in stage.outs])
            outs_guard.restore_missing(self.repo, saved, self.pool)
            raise
        self._forget([o.path for o in stage.outs])
        if error is None and (missing := [o.path for o in stage.outs if not self._exists(o.path)]):
            error = f"stage {stage.name} did not create its out {missing[0]}"
        if error is not None:
            outs_guard.restore_missing(self.repo, saved, self.pool)
            self._forget([o.path for o in stage.outs])
            outcome.status, outcome.error = FAILED, error
            outcome.duration = time.monotonic() - started
            self._finish(outcome)
            return
        outcome.warnings = self._recheck_deps(stage, state)
        outs = self._save_outs(stage, self.run_id)
        self._lock(stage, state, outs, self.run_id)
        outcome.duration = time.monotonic() - started
        key = (
            None
            if outcome.warnings or not runcache.eligible(stage)
            else runcache.cache_key(stage, state)
        )
        self._finish(outcome, state, outs, key)

    def _run(self, stage: Stage) -> str | None:
        """Run the stage's commands or notebook; returns an error message or None."""
        cwd = self.repo.abspath(stage.wdir) if stage.wdir else self.repo.root
        env = {
            **os.environ,
            runlog.RUN_ID_ENV: self.run_id,
            runlog.ROOT_ENV: self.repo.root,
            runlog.STAGE_ENV: stage.name,
            "PYTHONUNBUFFERED": os.environ.get("PYTHONUNBUFFERED", "1"),
            # what `dvc repro` gives a stage: tools such as dvclive see they run in a pipeline
            # (and create no DVC experiment of their own)
            "DVC_ROOT": os.environ.get("DVC_ROOT") or self.repo.root,
            "DVC_STAGE": stage.name,
        }

        def sink(stream: str, text: str) -> None:
            self.listener.output(stage.name, stream, text)

        if stage.notebook is not None:
            from nbvc.core.pipeline.notebook_stage import run_notebook_stage

            return run_notebook_stage(self.repo, stage, cwd, env, self.params, sink)
        code, command = run_commands(stage.commands, cwd, env, sink)
        return None if code == 0 else f"command failed with exit code {code}: {command}"

    def _recheck_deps(self, stage: Stage, state: StageState) -> list[str]:
        self._forget([d.path for d in stage.deps])
        return [
            f"dep {dep.path} changed while stage {stage.name} ran; the lock keeps its hash from "
            "before the run, so the stage will run again next time"
            for dep in stage.deps
            if self._dep_hash(stage, dep.path) != state.deps[dep.path]
        ]

    def _dep_hash(self, stage: Stage, path: str) -> Hash | None:
        if self.dvc is not None:
            return self.dvc.hashes.hash(path, self.dvc.lock.hash_name(stage.name, path))
        return self.hasher.hash(path)

    def _save_outs(self, stage: Stage, producer_run: str, reuse: bool = False) -> dict[str, Hash]:
        """Add cached outs as versions (``reuse``: an out whose content an earlier version has
        gets that version back); store uncached ones as objects (for the run cache)."""
        if self.dvc is not None:
            return self.dvc.save_versions(stage, producer_run)
        hashes: dict[str, Hash] = {}
        cached = [o.path for o in stage.outs if o.cache]
        if cached:
            results = self.repo.add(
                [self.repo.abspath(p) for p in cached],
                message=f"output of stage {stage.name}",
                producer=f"stage:{stage.name}@{producer_run}",
                reuse=reuse,
            )
            for result in results:
                snap = result.snapshot
                hashes[result.artifact] = Hash(snap.oid, snap.size, snap.nfiles)
        for out in stage.outs:
            if not out.cache:
                stored = self.repo.workspace.snapshot(out.path, self.pool, store=True)
                if stored is not None:
                    hashes[out.path] = Hash(stored.oid, stored.size, stored.nfiles)
        return {o.path: hashes[o.path] for o in stage.outs if o.path in hashes}

    def _lock(self, stage: Stage, state: StageState, outs: dict[str, Hash], run: str) -> None:
        if self.dvc is not None:
            self.dvc.record(stage, state)
            return
        self.lock.stages[stage.name] = state.lock(stage, outs, run)
        self.lock.save(list(self.pipeline.stages))

    def _finish(
        self,
        outcome: StageOutcome,
        state: StageState | None = None,
        outs: dict[str, Hash] | None = None,
        key: str | None = None,
    ) -> None:
        self.outcomes[outcome.stage] = outcome
        if outcome.status == FAILED and not self.options.keep_going:
            self.stopped = True
        self.entries[outcome.stage] = _entry(
            self.pipeline.stages[outcome.stage], outcome, state, outs, key
        )
        self.listener.stage_finished(outcome)

    def _forget(self, paths: list[str]) -> None:
        self.hasher.forget(paths)
        self.params.forget(paths)
        if self.dvc is not None:
            self.dvc.forget(paths)

    def _exists(self, path: str) -> bool:
        return os.path.lexists(self.repo.abspath(path))


def _entry(
    stage: Stage,
    outcome: StageOutcome,
    state: StageState | None,
    outs: dict[str, Hash] | None,
    key: str | None,
) -> dict[str, Any]:
    """A stage's part of the run record."""
    entry: dict[str, Any] = {
        "status": outcome.status,
        "reason": outcome.reason,
        "duration": round(outcome.duration, 3),
        "definition": stage.definition(),
    }
    if state is not None:
        entry["deps"] = {p: h.oid for p, h in state.deps.items() if h is not None}
        entry["params"] = state.params
        current = outs if outs is not None else {p: h for p, h in state.outs.items() if h}
        entry["outs"] = runcache.outs_entry(stage, current)
    if key is not None:
        entry["cache_key"] = key
    for name in ("error", "restored_from", "replaced"):
        if getattr(outcome, name):
            entry[name] = getattr(outcome, name)
    if outcome.warnings:
        entry["warnings"] = outcome.warnings
    return entry


def _check_params(pipeline: Pipeline, params: ParamReader) -> None:
    """Declared params must exist (in files no stage writes) before anything runs."""
    produced = {o.path for _, o in pipeline.all_outs()}
    for stage in pipeline.stages.values():
        for spec in stage.params:
            if spec.file in produced:
                continue
            try:
                params.values(spec, stage.name)
            except ParamsError as exc:
                raise PipelineError(pipeline.file, spec.line, str(exc)) from None
