"""The ``exp_run`` and ``exp_apply`` jobs: a sweep with one progress step per point, and a run
applied to the workspace. Cancelling a sweep job stops it as ``nbvc exp cancel`` does: queued
points are not run and running commands are killed (on remote workers too)."""

from __future__ import annotations

import threading

from nbvc.core import ExpRunOptions, Repo, RunRecord, SweepProgress
from nbvc.server.jobs import RUNNING, JobCancelled, Json, Progress

POLL_SECONDS = 0.3


class PointReporter:
    """A sweep listener reporting into a job: a step per point, a log line per result."""

    def __init__(self, repo: Repo, progress: Progress) -> None:
        self.repo = repo
        self.progress = progress
        self.sweep_id: str | None = None
        self.labels: dict[str, str] = {}
        self._done = threading.Event()

    def sweep_started(self, sweep: SweepProgress) -> None:
        self.sweep_id = sweep.id
        self.labels = {i: f"{n + 1}: {label}" for n, (i, label) in enumerate(sweep.labels.items())}
        self.progress.plan_steps(list(self.labels.values()), "experiment")
        self.progress.log(f"sweep {sweep.name} ({sweep.id}) on {sweep.executor}")
        threading.Thread(target=self._watch_cancel, daemon=True).start()

    def experiment_started(self, sweep: SweepProgress, exp_id: str) -> None:
        self.progress.step(self.labels[exp_id], RUNNING, "")

    def experiment_finished(self, sweep: SweepProgress, run: RunRecord) -> None:
        details = run.extra.get("experiment") or {}
        detail = str(details.get("error") or run.short_id)
        self.progress.step(self.labels.get(run.id, run.id), run.status.value, detail)
        self.progress.log(f"{run.short_id} {run.status.value} {self.labels.get(run.id, '')}")

    def sweep_finished(self, sweep: SweepProgress) -> None:
        self._done.set()

    def _watch_cancel(self) -> None:
        while not self._done.wait(POLL_SECONDS):
            if self.progress.cancel_requested and self.sweep_id is not None:
                self.repo.experiments.cancel(self.sweep_id)
                return


def run_sweep(repo: Repo, options: ExpRunOptions, progress: Progress) -> Json:
    reporter = PointReporter(repo, progress)
    result = repo.experiments.run(options, reporter)
    if progress.cancel_requested:
        raise JobCancelled("cancelled")
    return {
        "sweep_id": result.sweep_id,
        "status": result.status.value,
        "runs": [run.summary_json() for run in result.runs],
    }


def apply_run(repo: Repo, ref: str, force: bool) -> Json:
    return repo.experiments.apply(ref, force).to_json()
