"""Background jobs: long actions started from the panel, with progress, a log tail and cancel.

A job is any callable ``fn(progress, cancel) -> dict``. It runs on a worker thread, reports
through ``progress`` (an :class:`nbvc.core.progress.Reporter`, so engine verbs accept it as is,
plus :meth:`Progress.log`), and stops early when ``cancel`` is set: ``progress`` raises
:class:`JobCancelled` at the next step once a cancel was asked, so engine loops stop without
knowing about jobs. The manager knows nothing about nbvc: kinds are defined in
:mod:`nbvc.server.job_kinds`.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from nbvc.core import Task

Json = dict[str, Any]
JobFn = Callable[["Progress", threading.Event], Json]

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
)
FINISHED = frozenset({SUCCEEDED, FAILED, CANCELLED})
PENDING = "pending"  # a step not started yet

log = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised inside a job at its next progress step once cancelling was asked."""


class JobFailed(Exception):
    """An expected failure; its message is shown to the user as is."""


class Progress:
    """A job's reporter: the current step (done/total/unit/message) and a bounded log."""

    def __init__(self, cancel: threading.Event, log_lines: int) -> None:
        self._cancel = cancel
        self._lock = threading.Lock()
        self._log: deque[str] = deque(maxlen=log_lines)
        self._logged = 0
        self.done = 0
        self.total: int | None = None
        self.unit = ""
        self.message = ""
        self._steps: dict[str, Json] = {}  # named steps (a repro's stages), in order

    # -- the Reporter protocol ----------------------------------------------------------------
    def task(self, description: str, total: int | None, unit: str = "file") -> Task:
        self.check_cancel()
        with self._lock:
            self.done, self.total, self.unit, self.message = 0, total, unit, description
        self.log(description if total is None else f"{description} ({total} {unit}s)")
        return _Step(self, description)

    # -- for job functions --------------------------------------------------------------------
    def log(self, message: str) -> None:
        with self._lock:
            self._log.append(message)
            self._logged += 1

    def plan_steps(self, names: list[str], unit: str) -> None:
        """Name the steps the job will go through; ``done`` counts the finished ones."""
        with self._lock:
            self._steps = {name: {"name": name, "state": PENDING, "detail": ""} for name in names}
            self.done, self.total, self.unit = 0, len(names), unit

    def step(self, name: str, state: str, detail: str = "") -> None:
        """Move a step to ``state`` (``pending``, ``running`` or how it ended)."""
        with self._lock:
            self._steps[name] = {"name": name, "state": state, "detail": detail}
            self.done = sum(s["state"] not in (PENDING, RUNNING) for s in self._steps.values())
            self.message = f"{name}: {state}"

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def check_cancel(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled("cancelled")

    def advance(self, n: int) -> None:
        with self._lock:
            self.done += n
        self.check_cancel()

    def to_json(self) -> Json:
        with self._lock:
            return {
                "done": self.done,
                "total": self.total,
                "unit": self.unit,
                "message": self.message,
                "steps": [dict(step) for step in self._steps.values()],
            }

    def log_tail(self, lines: int) -> tuple[list[str], int]:
        """The last ``lines`` log lines, and how many lines were logged in all."""
        with self._lock:
            kept = list(self._log)
            return (kept[len(kept) - lines :] if lines > 0 else []), self._logged


class _Step:
    def __init__(self, progress: Progress, description: str) -> None:
        self.progress = progress
        self.description = description

    def advance(self, n: int = 1) -> None:
        self.progress.advance(n)

    def close(self) -> None:
        pass


@dataclass
class Job:
    id: str
    kind: str
    args: Json
    fn: JobFn
    progress: Progress
    cancel: threading.Event = field(default_factory=threading.Event)
    state: str = QUEUED
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: Json | None = None
    error: str | None = None

    def to_json(self, tail: int) -> Json:
        lines, logged = self.progress.log_tail(tail)
        return {
            "id": self.id,
            "kind": self.kind,
            "args": self.args,
            "state": self.state,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "cancel_requested": self.cancel.is_set(),
            "progress": self.progress.to_json(),
            "log": lines,
            "log_lines": logged,
            "result": self.result,
            "error": None if self.error is None else {"message": self.error},
        }


class JobManager:
    """Runs jobs on ``workers`` threads; remembers the newest ``keep`` finished jobs."""

    def __init__(self, workers: int = 2, keep: int = 100, log_lines: int = 500) -> None:
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="nbvc-job")
        self._keep = keep
        self._log_lines = log_lines
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, kind: str, args: Json, fn: JobFn) -> Job:
        cancel = threading.Event()
        job = Job(uuid.uuid4().hex, kind, args, fn, Progress(cancel, self._log_lines), cancel)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Every remembered job, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def cancel(self, job_id: str) -> Job | None:
        """Ask a job to stop (a queued job never starts); None if there is no such job."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state in FINISHED:
                return job
            job.cancel.set()
            if job.state == QUEUED:
                self._finish(job, CANCELLED)
        return job

    def shutdown(self) -> None:
        """Cancel everything; running jobs stop at their next step."""
        with self._lock:
            for job in self._jobs.values():
                job.cancel.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job) -> None:
        with self._lock:
            if job.state != QUEUED:
                return
            job.state, job.started = RUNNING, time.time()
        try:
            job.progress.check_cancel()
            result = job.fn(job.progress, job.cancel)
        except JobCancelled:
            job.progress.log("cancelled")
            self._end(job, CANCELLED)
        except JobFailed as exc:
            job.progress.log(f"failed: {exc}")
            self._end(job, FAILED, error=str(exc))
        except Exception as exc:
            log.exception("nbvc job %s (%s) crashed", job.id, job.kind)
            self._end(job, FAILED, error=f"unexpected error ({exc!r}); see the server log")
        else:
            job.progress.log("done")
            self._end(job, SUCCEEDED, result=result)

    def _end(
        self, job: Job, state: str, result: Json | None = None, error: str | None = None
    ) -> None:
        with self._lock:
            job.result, job.error = result, error
            self._finish(job, state)

    @staticmethod
    def _finish(job: Job, state: str) -> None:
        job.state, job.finished = state, time.time()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state in FINISHED]
        finished.sort(key=lambda j: j.finished or 0.0)
        for job in finished[: max(0, len(finished) - self._keep)]:
            del self._jobs[job.id]
