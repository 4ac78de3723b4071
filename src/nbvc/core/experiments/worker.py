"""Running one experiment, wherever the executor put it: a thread of the client, a process of a
Dask LocalCluster, or a Dask worker on another machine.

The experiment gets a folder of its own (never the user's workspace): the code snapshot is
written there, the data its pointer files name is linked in from the cache (fetched from the
remote first when the worker has no access to the client's disk), the point's params are set, and
the pipeline is reproduced there with the run cache the client sent. The run's record comes back
as the experiment's record (its id chosen by the client, its sweep, point, code and log added);
on a remote worker the outputs and the record are also pushed to the remote. Nothing raises out
of :func:`run_task`: a failure is a failed record with its log, so one point never loses the
others.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import shutil
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from nbvc.core.errors import NbvcError
from nbvc.core.experiments import snapshot as code_snapshot
from nbvc.core.experiments.params_edit import set_params
from nbvc.core.experiments.snapshot import CodeSnapshot
from nbvc.core.experiments.task import ExpResult, ExpTask, LocalStore, RemoteStore
from nbvc.core.pipeline.outcome import NULL_LISTENER, StageOutcome
from nbvc.core.repo import DOT, Repo
from nbvc.core.runs.environment import environment
from nbvc.core.runs.run_record import RunRecord, RunStatus, read_run

LOG_LIMIT = 16 * 1024  # characters of stage output kept in the record (the tail)
LINK_TYPES = ("reflink", "hardlink", "copy")  # outs are replaced by repro, never written through
WORKER_DIR_ENV = "NBVC_WORKER_DIR"  # where a remote worker keeps its cache and experiment folders
EXPERIMENT = "experiment"  # the record's source, and its key for the experiment's details
POLL_SECONDS = 0.25

Cancelled = Callable[[], bool]


def run_task(
    task: ExpTask, snapshot: CodeSnapshot, cancelled: Cancelled | None = None
) -> ExpResult:
    """Run ``task`` to its record; never raises for a failure of the experiment itself."""
    started = time.time()
    log = LogListener()
    checks = [c for c in (cancelled, _file_check(task.cancel_file)) if c is not None]
    if any(check() for check in checks):
        return not_run(task, "cancelled before it started")
    workdir = _make_workdir(task)
    record: RunRecord
    try:
        with _Watcher(checks) as watcher:
            try:
                record = _run(task, snapshot, workdir, log, watcher)
            except KeyboardInterrupt:
                record = _without_run(task, started, RunStatus.INTERRUPTED, "interrupted", log)
    except NbvcError as exc:
        record = _without_run(task, started, RunStatus.FAILED, str(exc), log)
    except Exception as exc:  # one broken point must not lose the sweep
        log.write("\n" + traceback.format_exc())
        message = f"internal error: {type(exc).__name__}: {exc}"
        record = _without_run(task, started, RunStatus.FAILED, message, log)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if isinstance(task.store, RemoteStore):
        _push_record(task.store, record)
    return ExpResult(task.exp_id, record.to_record(), socket.gethostname(), os.getpid())


def _run(
    task: ExpTask, snapshot: CodeSnapshot, workdir: str, log: LogListener, watcher: _Watcher
) -> RunRecord:
    from nbvc.core.engine_options import ReproOptions
    from nbvc.core.pipeline.repro import repro
    from nbvc.core.remote.run_cache_fetch import outs_fetcher

    with _prepare(task, snapshot, workdir) as repo:
        set_params(repo.root, task.point)
        if watcher.fired:
            raise KeyboardInterrupt
        options = ReproOptions(
            targets=task.targets, run_cache=task.run_cache, single_item=task.single_item
        )
        fetch = outs_fetcher(repo, records=False) if isinstance(task.store, RemoteStore) else None
        # a hit made elsewhere is fetched, not rerun; a point the workspace holds is a run too
        result = repro(repo, options, log, fetch, record_unchanged=True)
        assert result.run_id is not None
        run = read_run(repo, result.run_id)
        if isinstance(task.store, RemoteStore):
            _push_outputs(repo, task.store, run)
    status = RunStatus.INTERRUPTED if watcher.fired else run.status
    error = next((s.get("error") for s in run.stages.values() if s.get("error")), None)
    return _as_experiment(task, run, status, log, error)


class _Prepared:
    """The experiment's repo, closed (and its index released) on exit."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo

    def __enter__(self) -> Repo:
        return self.repo

    def __exit__(self, *exc: object) -> None:
        self.repo.close()


def _prepare(task: ExpTask, snapshot: CodeSnapshot, workdir: str) -> _Prepared:
    code_snapshot.write(snapshot, workdir)
    dot = os.path.join(workdir, DOT)
    os.makedirs(os.path.join(dot, "tmp"), exist_ok=True)
    with open(os.path.join(dot, "config"), "w", encoding="utf-8") as handle:
        handle.write(snapshot.config)
    if isinstance(task.store, LocalStore):
        os.symlink(os.path.join(task.store.dot, "cache"), os.path.join(dot, "cache"))
        os.symlink(os.path.join(task.store.dot, "gc.lock"), os.path.join(dot, "gc.lock"))
    else:
        cache = os.path.join(_worker_dir(), "cache")
        os.makedirs(cache, exist_ok=True)
        os.symlink(cache, os.path.join(dot, "cache"))
    repo = Repo(workdir)
    try:
        if isinstance(task.store, RemoteStore):
            from nbvc.core.remote import remote_config

            store = task.store
            remote_config.add(repo, store.name, store.url, store.options, default=True, local=True)
        if task.cache_rows:
            from nbvc.core.runs.run_index import RunIndex

            RunIndex(repo).add_cache_rows(task.cache_rows)
        _materialize(repo, task.store, task.inputs)
    except BaseException:
        repo.close()
        raise
    return _Prepared(repo)


def _materialize(
    repo: Repo, store: LocalStore | RemoteStore, inputs: dict[str, dict[str, Any]]
) -> None:
    """Put the data the pointer files name (and the given inputs) in the experiment's folder."""
    from nbvc.core.artifacts import pointer
    from nbvc.core.pipeline.loader import load_pipeline
    from nbvc.core.pipeline.runcache import restore_objects
    from nbvc.core.storage.index_db import Index

    wanted: dict[str, dict[str, Any]] = {}
    for artifact in repo.tracked():
        found = pointer.read(repo.abspath(artifact))
        if found is not None:
            wanted[artifact] = {"oid": found.oid, "size": found.size, "nfiles": found.nfiles}
    wanted.update(inputs)
    if not wanted:
        return
    if isinstance(store, RemoteStore):
        from nbvc.core.remote.plan import Want
        from nbvc.core.remote.transfer import fetch_objects

        wants = [Want(o["oid"], None, a) for a, o in wanted.items()]
        fetch_objects(repo, wants).check()
    persistent = {
        o.path for _, o in load_pipeline(repo.root, check_workspace=False).all_outs() if o.persist
    }
    checked = Index(os.path.join(store.dot, "index.db")) if isinstance(store, LocalStore) else None
    try:
        with repo.pool() as pool:
            for copies, link_types in ((True, ("reflink", "copy")), (False, LINK_TYPES)):
                part = {a: o for a, o in wanted.items() if (a in persistent) == copies}
                restore_objects(repo, part, link_types, pool, checked)
    finally:
        if checked is not None:
            checked.close()


def _push_outputs(repo: Repo, store: RemoteStore, run: RunRecord) -> None:
    from nbvc.core.remote.plan import Want
    from nbvc.core.remote.transfer import push_objects

    wants = {
        out["oid"]: Want(out["oid"], None, path)
        for entry in run.stages.values()
        for path, out in (entry.get("outs") or {}).items()
        if repo.odb.exists(out["oid"])
    }
    push_objects(repo, list(wants.values()), store.name).check()


def _push_record(store: RemoteStore, record: RunRecord) -> None:
    import json

    from nbvc.core.remote.fs import connect
    from nbvc.core.remote.remote_config import RemoteConfig
    from nbvc.core.runs.run_tables import RUNS

    remote = connect(RemoteConfig(store.name, store.url, store.options, None), os.getcwd())
    doc = {**record.to_record(), "kind": RUNS}
    remote.make_dirs(["tmp", f"records/{RUNS}"])
    remote.write_bytes(
        remote.record_path(RUNS, record.id), json.dumps(doc, sort_keys=True).encode()
    )


def not_run(task: ExpTask, why: str, status: RunStatus = RunStatus.INTERRUPTED) -> ExpResult:
    """The result of an experiment that did not run: cancelled, or lost with its worker."""
    record = _without_run(task, time.time(), status, why, LogListener())
    return ExpResult(task.exp_id, record.to_record(), socket.gethostname(), os.getpid())


def _as_experiment(
    task: ExpTask, run: RunRecord, status: RunStatus, log: LogListener, error: str | None
) -> RunRecord:
    env = {**run.env, "git": task.code.get("git"), "host": socket.gethostname()}
    details = _details(task, log, error, cancelled=status == RunStatus.INTERRUPTED)
    return dataclasses.replace(
        run,
        id=task.exp_id,
        source=EXPERIMENT,
        status=status,
        env=env,
        extra={**run.extra, EXPERIMENT: details},
    )


def _without_run(
    task: ExpTask, started: float, status: RunStatus, error: str, log: LogListener
) -> RunRecord:
    """The record of an experiment that could not run (or was cancelled before it did)."""
    ended = time.time()
    return RunRecord(
        id=task.exp_id,
        source=EXPERIMENT,
        status=status,
        started=started,
        ended=ended,
        duration=round(ended - started, 3),
        env={**environment(os.getcwd(), full=False), "git": task.code.get("git")},
        params={file: dict(values) for file, values in task.point.items()},
        targets=task.targets,
        extra={EXPERIMENT: _details(task, log, error, status == RunStatus.INTERRUPTED)},
    )


def _details(task: ExpTask, log: LogListener, error: str | None, cancelled: bool) -> dict[str, Any]:
    details: dict[str, Any] = {
        "sweep": task.sweep_id,
        "name": task.name,
        "point": task.point,
        "tags": list(task.tags),
        "code": task.code,
        "pid": os.getpid(),
        "log": log.text(),
    }
    if error:
        details["error"] = error
    if cancelled:
        details["cancelled"] = True
    return details


def _make_workdir(task: ExpTask) -> str:
    if isinstance(task.store, LocalStore):
        base = os.path.join(task.store.dot, "tmp", "exps", task.sweep_id)
    else:
        base = os.path.join(_worker_dir(), "exps")
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix=f"{task.exp_id}-", dir=base)


def _worker_dir() -> str:
    return os.environ.get(WORKER_DIR_ENV) or os.path.join(os.getcwd(), ".nbvc-worker")


def _file_check(path: str | None) -> Cancelled | None:
    if path is None:
        return None
    return lambda: os.path.exists(path)


class LogListener:
    """A repro listener keeping the tail of what the stages printed."""

    def __init__(self) -> None:
        self._parts: collections.deque[str] = collections.deque()
        self._size = 0
        self._lock = threading.Lock()

    def stage_started(self, stage: str, reason: str) -> None:
        self.write(f"Running stage {stage!r} ({reason})\n")

    def output(self, stage: str, stream: str, text: str) -> None:
        self.write(f"> {text}\n" if stream == "command" else text)

    def stage_finished(self, outcome: StageOutcome) -> None:
        NULL_LISTENER.stage_finished(outcome)
        if outcome.error:
            self.write(f"Stage {outcome.stage!r} failed: {outcome.error}\n")

    def write(self, text: str) -> None:
        with self._lock:
            self._parts.append(text)
            self._size += len(text)
            while self._size > LOG_LIMIT and len(self._parts) > 1:
                self._size -= len(self._parts.popleft())

    def text(self) -> str:
        with self._lock:
            return "".join(self._parts)[-LOG_LIMIT:]


class _Watcher:
    """Kills the commands this thread runs once any check says the sweep was cancelled."""

    def __init__(self, checks: list[Cancelled]) -> None:
        self.checks = checks
        self.fired = False
        self._owner = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _Watcher:
        if self.checks:
            self.fired = any(check() for check in self.checks)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        from nbvc.core.pipeline.execute import kill_running

        while not self._stop.wait(POLL_SECONDS):
            if not self.fired and any(check() for check in self.checks):
                self.fired = True
            if self.fired:
                kill_running(self._owner)
