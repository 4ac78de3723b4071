"""The ``repro`` job: a pipeline run with one progress step per stage and the output as its log.

Cancelling kills the running stage's command and everything it started (its process group), as
Ctrl-C in `nbvc repro` ends up doing: the stage fails, the outs it removed are put back, its
nbvc.lock entry stays as it was, and the repro stops there and records its run as interrupted.
"""

from __future__ import annotations

import threading

from nbvc.core import STAGE_FAILED, Repo, ReproOptions, StageOutcome, kill_stage_commands, short_id
from nbvc.server.jobs import RUNNING, JobCancelled, JobFailed, Json, Progress

MAX_LINE = 2000  # longer output lines are cut in the log
POLL_SECONDS = 0.1  # how often a running repro job looks whether it was cancelled


class ReproCancelled(KeyboardInterrupt):
    """Stops a repro at a stage boundary; the repro ends its run as ``interrupted``."""


class StageReporter:
    """A repro listener that reports into a job: a step per stage, output lines in the log."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self._partial: dict[tuple[str, str], str] = {}

    def stage_started(self, stage: str, reason: str) -> None:
        self._stop_if_cancelled()
        self.progress.step(stage, RUNNING, reason)
        self.progress.log(f"stage {stage}: running ({reason})")

    def output(self, stage: str, stream: str, text: str) -> None:
        if stream == "command":
            self._line(stage, f"$ {text}")
            return
        key = (stage, stream)
        *lines, rest = (self._partial.pop(key, "") + text).split("\n")
        for line in lines:
            self._line(stage, line)
        if rest:
            self._partial[key] = rest

    def stage_finished(self, outcome: StageOutcome) -> None:
        for key in [k for k in self._partial if k[0] == outcome.stage]:
            self._line(outcome.stage, self._partial.pop(key))
        detail = outcome.error or outcome.reason
        self.progress.step(outcome.stage, outcome.status, detail)
        self.progress.log(f"stage {outcome.stage}: {outcome.status} ({detail})")
        for warning in outcome.warnings:
            self.progress.log(f"warning: {warning}")
        self._stop_if_cancelled()

    def _line(self, stage: str, text: str) -> None:
        self.progress.log(f"[{stage}] {text.rstrip()[:MAX_LINE]}")

    def _stop_if_cancelled(self) -> None:
        if self.progress.cancel_requested:
            raise ReproCancelled


def _kill_on_cancel(progress: Progress, worker: int, done: threading.Event) -> None:
    """Kill the commands the repro on thread ``worker`` runs once the job is cancelled."""
    while not done.wait(POLL_SECONDS):
        if progress.cancel_requested:
            kill_stage_commands(worker)
            return


def run_repro(repo: Repo, options: ReproOptions, progress: Progress) -> Json:
    progress.plan_steps(repo.pipeline.planned(options), "stage")
    done = threading.Event()
    watcher = threading.Thread(
        target=_kill_on_cancel, args=(progress, threading.get_ident(), done), daemon=True
    )
    watcher.start()
    try:
        result = repo.pipeline.repro(options, StageReporter(progress))
    except ReproCancelled:
        raise JobCancelled("cancelled") from None
    finally:
        done.set()
        watcher.join()
    if result.failed:
        failed = next(o for o in result.outcomes if o.status == STAGE_FAILED)
        raise JobFailed(f"stage {failed.stage} failed: {failed.error or failed.reason}")
    return {
        "run_id": result.run_id,
        "short_id": short_id(result.run_id) if result.run_id else None,
        "status": result.status.value,
        "dry_run": options.dry,
        "stages": [_outcome(o) for o in result.outcomes],
    }


def _outcome(outcome: StageOutcome) -> Json:
    return {
        "stage": outcome.stage,
        "status": outcome.status,
        "reason": outcome.reason,
        "duration": round(outcome.duration, 3),
        "error": outcome.error,
        "restored_from": outcome.restored_from,
    }
