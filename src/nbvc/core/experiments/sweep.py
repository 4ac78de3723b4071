"""``nbvc exp run``: a sweep of experiments, each a run in a workspace of its own.

The client plans the points (each gets its run id now, so ``exp show`` lists a queued sweep at
once), takes one snapshot of the code, hands the tasks to the executor and writes every
experiment's record as it arrives. The sweep itself ends as a run (``source: sweep``) listing
its points; each experiment's record names the sweep as its parent. The user's workspace is
only read: params files, outputs and git state stay as they were.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from nbvc.core.engine_options import ExpRunOptions
from nbvc.core.errors import ExperimentError
from nbvc.core.experiments import snapshot as code_snapshot
from nbvc.core.experiments import sweep_state
from nbvc.core.experiments.executors import DaskExecutor, Executor, InlineExecutor
from nbvc.core.experiments.sweep_spec import parse_axis, point_label, points
from nbvc.core.experiments.task import ExpResult, ExpTask, LocalStore, RemoteStore
from nbvc.core.repo import Repo
from nbvc.core.runs.environment import environment
from nbvc.core.runs.run_record import RunRecord, RunStatus, short_id, write_run
from nbvc.core.storage.record_store import new_id

SCHEDULER_KEY = "scheduler"  # [exp] scheduler = "tcp://host:8786" in .nbvc/config


class SweepListener(Protocol):
    def sweep_started(self, sweep: SweepProgress) -> None: ...

    def experiment_started(self, sweep: SweepProgress, exp_id: str) -> None: ...

    def experiment_finished(self, sweep: SweepProgress, run: RunRecord) -> None: ...

    def sweep_finished(self, sweep: SweepProgress) -> None: ...


class NullSweepListener:
    def sweep_started(self, sweep: SweepProgress) -> None:
        pass

    def experiment_started(self, sweep: SweepProgress, exp_id: str) -> None:
        pass

    def experiment_finished(self, sweep: SweepProgress, run: RunRecord) -> None:
        pass

    def sweep_finished(self, sweep: SweepProgress) -> None:
        pass


@dataclass
class SweepProgress:
    """What a listener sees: the plan, what is running and what finished (in arrival order)."""

    id: str
    name: str
    executor: str
    labels: dict[str, str]  # experiment id -> its point as text
    started: float = field(default_factory=time.time)
    running: set[str] = field(default_factory=set)
    runs: list[RunRecord] = field(default_factory=list)
    status: RunStatus | None = None

    @property
    def total(self) -> int:
        return len(self.labels)

    @property
    def done(self) -> int:
        return len(self.runs)

    @property
    def failed(self) -> int:
        return sum(1 for run in self.runs if run.status == RunStatus.FAILED)

    def eta(self) -> float | None:
        """Seconds left, from the pace so far."""
        if not self.runs or self.done >= self.total:
            return None
        pace = (time.time() - self.started) / self.done
        return pace * (self.total - self.done)


@dataclass(frozen=True)
class SweepResult:
    sweep_id: str
    runs: list[RunRecord]
    status: RunStatus

    @property
    def failed(self) -> list[RunRecord]:
        return [run for run in self.runs if run.status != RunStatus.COMPLETED]


NULL_SWEEP_LISTENER = NullSweepListener()


def run_sweep(
    repo: Repo, options: ExpRunOptions, listener: SweepListener = NULL_SWEEP_LISTENER
) -> SweepResult:
    grid = points([parse_axis(text) for text in options.set_params], options.random, options.seed)
    targets = _check_pipeline(repo, options.targets)
    executor = executor_for(repo, options.workers, options.scheduler)
    snapshot = code_snapshot.take(repo)
    code = {**snapshot.describe(), "tree": code_snapshot.store(repo, snapshot)}
    sweep_id = new_id()
    name = options.name or f"sweep-{short_id(sweep_id)}"
    store = store_for(repo, executor.local)
    open(os.path.join(repo.dot, "gc.lock"), "a").close()  # experiments share it (see worker)
    cache_rows = _cache_rows(repo, targets) if options.run_cache else ()
    tasks = [
        ExpTask(
            exp_id=new_id(),
            name=f"{name}-{number}",
            sweep_id=sweep_id,
            point=point,
            targets=tuple(options.targets),
            tags=tuple(options.tags),
            code=code,
            store=store,
            cache_rows=cache_rows,
            run_cache=options.run_cache,
            cancel_file=sweep_state.cancel_file(repo, sweep_id) if executor.local else None,
        )
        for number, point in enumerate(grid, 1)
    ]
    plan = _plan(name, options, executor, code, tasks)
    sweep_state.write_plan(repo, sweep_id, plan)
    progress = SweepProgress(
        sweep_id, name, executor.description, {t.exp_id: point_label(t.point) for t in tasks}
    )
    events = _Events(repo, progress, listener)
    listener.sweep_started(progress)
    status = RunStatus.INTERRUPTED
    try:
        executor.run(tasks, snapshot, events)
        status = _status(progress, events.cancelled())
    finally:
        _finish(repo, progress, plan, status, events, tasks)
    listener.sweep_finished(progress)
    return SweepResult(sweep_id, _in_plan_order(progress.runs, tasks), status)


def executor_for(repo: Repo, workers: int | None, scheduler: str | None) -> Executor:
    exp_config = repo.config.raw.get("exp") or {}
    scheduler = scheduler or (
        exp_config.get(SCHEDULER_KEY) if isinstance(exp_config, dict) else None
    )
    if workers is not None and scheduler:
        raise ExperimentError("give --workers (a local cluster) or --scheduler, not both")
    if scheduler:
        if not isinstance(scheduler, str) or "://" not in scheduler:
            raise ExperimentError(
                f"the Dask scheduler address {scheduler!r} must look like tcp://HOST:PORT"
            )
        return DaskExecutor(scheduler=scheduler)
    if workers is not None and workers > 0:
        return DaskExecutor(workers=workers)
    return InlineExecutor()


def request_cancel(repo: Repo, sweep_id: str | None = None) -> list[str]:
    """Ask running sweeps (the one named, or all) to stop; returns their ids."""
    ids = sweep_state.running_ids(repo)
    if sweep_id is not None:
        ids = [i for i in ids if i == sweep_id or short_id(i) == sweep_id]
        if not ids:
            raise ExperimentError(f"no running sweep {sweep_id}; `nbvc exp show` lists sweeps")
    for found in ids:
        open(sweep_state.cancel_file(repo, found), "a").close()
    return ids


class _Events:
    """Records results as they arrive, keeps the on-disk state and the listener up to date."""

    def __init__(self, repo: Repo, progress: SweepProgress, listener: SweepListener) -> None:
        self.repo = repo
        self.progress = progress
        self.listener = listener
        self.cancel_path = sweep_state.cancel_file(repo, progress.id)
        self.lock = threading.Lock()  # Dask calls `started` from its event thread

    def cancelled(self) -> bool:
        return os.path.exists(self.cancel_path)

    def started(self, exp_id: str, host: str) -> None:
        with self.lock:
            if exp_id not in self.progress.labels or any(
                r.id == exp_id for r in self.progress.runs
            ):
                return
            self.progress.running.add(exp_id)
            sweep_state.append_event(
                self.repo, self.progress.id, {"id": exp_id, "state": "running", "host": host}
            )
            self.listener.experiment_started(self.progress, exp_id)

    def finished(self, result: ExpResult) -> None:
        run = write_run(self.repo, RunRecord.from_record(result.record))
        with self.lock:
            self.progress.running.discard(run.id)
            self.progress.runs.append(run)
            sweep_state.append_event(
                self.repo,
                self.progress.id,
                {"id": run.id, "state": run.status.value, "host": result.host},
            )
            self.listener.experiment_finished(self.progress, run)


def _finish(
    repo: Repo,
    progress: SweepProgress,
    plan: dict[str, Any],
    status: RunStatus,
    events: _Events,
    tasks: list[ExpTask],
) -> None:
    """Write the sweep's run (points that never reported are recorded as not run)."""
    from nbvc.core.experiments.worker import not_run

    reported = {run.id for run in progress.runs}
    for task in tasks:
        if task.exp_id not in reported:
            events.finished(not_run(task, "the sweep stopped before it ran", RunStatus.INTERRUPTED))
    ended = time.time()
    progress.status = status
    write_run(
        repo,
        RunRecord(
            id=progress.id,
            source=sweep_state.SWEEP,
            status=status,
            started=progress.started,
            ended=ended,
            duration=round(ended - progress.started, 3),
            env=environment(repo.root, full=False),
            targets=tuple(plan["targets"]),
            extra={sweep_state.SWEEP: plan},
        ),
    )
    import shutil

    shutil.rmtree(sweep_state.sweep_dir(repo, progress.id), ignore_errors=True)


def _status(progress: SweepProgress, cancelled: bool) -> RunStatus:
    if cancelled:
        return RunStatus.INTERRUPTED
    if any(run.status != RunStatus.COMPLETED for run in progress.runs):
        return RunStatus.FAILED
    return RunStatus.COMPLETED


def _plan(
    name: str,
    options: ExpRunOptions,
    executor: Executor,
    code: dict[str, Any],
    tasks: list[ExpTask],
) -> dict[str, Any]:
    return {
        "name": name,
        "tags": list(options.tags),
        "targets": list(options.targets),
        "axes": list(options.set_params),
        "executor": executor.description,
        "code": code,
        "host": socket.gethostname(),
        "points": [{"id": t.exp_id, "name": t.name, "params": t.point} for t in tasks],
    }


def store_for(repo: Repo, local: bool) -> LocalStore | RemoteStore:
    """Where tasks get their data: this repo's cache (``local``) or its default remote."""
    if local:
        return LocalStore(repo.dot)
    from nbvc.core.remote import remote_config

    try:
        cfg = remote_config.get(repo)
    except ExperimentError:
        raise
    except Exception as exc:  # ConfigError: no default remote
        raise ExperimentError(
            f"experiments on a Dask cluster need a remote the workers can reach ({exc})"
        ) from None
    url = cfg.url
    if "://" not in url or url.startswith("file://"):
        path = url.removeprefix("file://")
        url = os.path.normpath(os.path.join(repo.root, os.path.expanduser(path)))
    return RemoteStore(cfg.name, url, dict(cfg.options))


def _check_pipeline(repo: Repo, targets: Sequence[str]) -> list[str]:
    """The stages a repro of ``targets`` visits (errors now, not in every experiment)."""
    from nbvc.core.pipeline import dag
    from nbvc.core.pipeline.loader import load_pipeline

    pipeline = load_pipeline(repo.root, check_workspace=False)
    graph = dag.check(pipeline, repo.root)
    return dag.select(graph, dag.resolve_targets(pipeline, list(targets)), False, False)


def _cache_rows(repo: Repo, stages: list[str]) -> tuple[tuple[Any, ...], ...]:
    from nbvc.core.runs.run_index import RunIndex

    return tuple(RunIndex(repo).cache_rows(stages))


def _in_plan_order(runs: list[RunRecord], tasks: list[ExpTask]) -> list[RunRecord]:
    order = {task.exp_id: position for position, task in enumerate(tasks)}
    return sorted(runs, key=lambda run: order.get(run.id, len(order)))
