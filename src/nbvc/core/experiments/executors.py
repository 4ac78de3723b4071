"""Where experiments run: one after another in this process, or on Dask (a ``LocalCluster`` this
process starts, or an existing scheduler by address). Every executor gets the same tasks and
reports through the same :class:`SweepEvents`; nbvc schedules nothing itself.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any, Protocol

from nbvc.core.errors import ExperimentError
from nbvc.core.experiments.snapshot import CodeSnapshot
from nbvc.core.experiments.task import ExpResult, ExpTask, cancel_event_name, progress_topic
from nbvc.core.experiments.worker import not_run, run_task
from nbvc.core.runs.run_record import RunStatus

POLL_SECONDS = 0.05  # how soon a finished experiment is recorded (and the sweep ends)
DASK_EXTRA = "dask"


class SweepEvents(Protocol):
    def started(self, exp_id: str, host: str) -> None: ...

    def finished(self, result: ExpResult) -> None: ...

    def cancelled(self) -> bool: ...


class Executor(Protocol):
    description: str
    local: bool  # the workers reach this machine's cache (no remote needed)

    def run(self, tasks: list[ExpTask], snapshot: CodeSnapshot, events: SweepEvents) -> None: ...


class InlineExecutor:
    """One experiment after another, in this process."""

    description = "inline"
    local = True

    def run(self, tasks: list[ExpTask], snapshot: CodeSnapshot, events: SweepEvents) -> None:
        for position, task in enumerate(tasks):
            if events.cancelled():
                events.finished(not_run(task, "cancelled before it started"))
                continue
            events.started(task.exp_id, socket.gethostname())
            result = run_task(task, snapshot, events.cancelled)
            events.finished(result)
            if result.record["status"] == RunStatus.INTERRUPTED and not events.cancelled():
                for rest in tasks[position + 1 :]:  # Ctrl-C: record the rest as not run
                    events.finished(not_run(rest, "the sweep was interrupted"))
                raise KeyboardInterrupt


class DaskExecutor:
    """Dask distributed: a ``LocalCluster`` of ``workers`` threads of this process, or the
    cluster whose scheduler listens at ``scheduler``. On a cluster, a worker that dies has its
    task retried once elsewhere (or as the scheduler's ``allowed-failures`` says); a task lost
    twice is recorded as failed."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        if (workers is None) == (scheduler is None):
            raise ExperimentError("give either a number of local workers or a scheduler address")
        self.workers = workers
        self.scheduler = scheduler
        self.local = scheduler is None
        self.description = scheduler or f"dask LocalCluster ({workers} workers)"

    def run(self, tasks: list[ExpTask], snapshot: CodeSnapshot, events: SweepEvents) -> None:
        if not tasks:
            return
        distributed = import_distributed()
        sweep_id = tasks[0].sweep_id
        by_key = {f"nbvc-exp-{task.exp_id}": task for task in tasks}
        with self._client(distributed) as client:
            client.subscribe_topic(progress_topic(sweep_id), lambda event: _started(events, event))
            cancel = distributed.Event(cancel_event_name(sweep_id), client=client)
            shared = [client.scatter(snapshot, broadcast=True)]

            def submit(key: str, task: ExpTask) -> Any:
                return client.submit(run_on_dask, task, shared[0], key=key, pure=False)

            waiting = distributed.as_completed([submit(k, t) for k, t in by_key.items()])
            resubmitted: set[str] = set()
            cancelled = False
            while not waiting.is_empty():
                if not cancelled and events.cancelled():
                    cancelled = True
                    cancel.set()  # queued tasks end at once, running ones: commands killed
                batch = waiting.next_batch(block=False) if waiting.has_ready() else []
                for future in batch:
                    task = by_key[future.key]
                    if _lost_input(future) and task.exp_id not in resubmitted and not cancelled:
                        # the workers holding the code snapshot died: send it again, once
                        resubmitted.add(task.exp_id)
                        shared[0] = client.scatter(snapshot, broadcast=True)
                        again = f"{future.key}-again"
                        by_key[again] = task
                        waiting.add(submit(again, task))
                        continue
                    events.finished(_result(future, task))
                if not batch:
                    time.sleep(POLL_SECONDS)
            client.unsubscribe_topic(progress_topic(sweep_id))

    @contextlib.contextmanager
    def _client(self, distributed: Any) -> Iterator[Any]:
        import dask

        if self.scheduler is not None:
            try:
                client = distributed.Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ExperimentError(
                    f"cannot reach the Dask scheduler at {self.scheduler} ({exc}); start it with "
                    "`dask scheduler` or check exp.scheduler in .nbvc/config"
                ) from None
            with client:
                yield client
            return
        with (
            dask.config.set(
                {
                    "distributed.scheduler.allowed-failures": 1,
                    # workers forked from a warm server process: ~1 s to start two, not ~3 s
                    "distributed.worker.multiprocessing-method": "forkserver",
                }
            ),
            distributed.LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=False,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client


def run_on_dask(task: ExpTask, snapshot: CodeSnapshot) -> ExpResult:
    """The Dask task: say it started, run the experiment, stop its commands if cancelled."""
    from distributed import Event, get_worker

    worker = get_worker()
    worker.log_event(
        progress_topic(task.sweep_id),
        {"id": task.exp_id, "state": "started", "host": socket.gethostname()},
    )
    cancel = Event(cancel_event_name(task.sweep_id))
    return run_task(task, snapshot, cancel.is_set)


def import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ExperimentError(
            f"running experiments on Dask needs the `{DASK_EXTRA}` extra: "
            f"pip install 'nbvc[{DASK_EXTRA}]'"
        ) from None
    return distributed


def _started(events: SweepEvents, event: Any) -> None:
    _, message = event
    if isinstance(message, dict) and message.get("state") == "started":
        events.started(str(message["id"]), str(message.get("host", "")))


def _lost_input(future: Any) -> bool:
    """The task could not start because data it needed (the scattered snapshot) was lost."""
    return bool(future.status == "error" and type(future.exception()).__name__ != "KilledWorker")


def _result(future: Any, task: ExpTask) -> ExpResult:
    try:
        result = future.result()
    except Exception as exc:  # KilledWorker, a lost scheduler: the point failed
        name = type(exc).__name__
        why = (
            "its worker died twice (the task was retried once on another worker)"
            if name == "KilledWorker"
            else f"Dask could not run it ({name}: {exc})"
        )
        return not_run(task, why, RunStatus.FAILED)
    if not isinstance(result, ExpResult):
        return not_run(task, "the worker returned no result", RunStatus.FAILED)
    return result
