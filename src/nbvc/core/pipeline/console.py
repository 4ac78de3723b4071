"""A repro listener that prints progress as it happens: the CLI's output, and a notebook cell's
(where stdout and stderr are the cell's streams)."""

from __future__ import annotations

import sys

from nbvc.core.pipeline.outcome import FAILED, StageOutcome
from nbvc.core.runs.run_record import short_id


class ConsoleListener:
    """Streams stage output live; with ``decisions``, one line per stage that did not just run.

    ``quiet`` hides the per-cell markers of notebook stages.
    """

    def __init__(self, quiet: bool = False, decisions: bool = True) -> None:
        self.quiet = quiet
        self.decisions = decisions

    def stage_started(self, stage: str, reason: str) -> None:
        print(f"Running stage {stage!r} ({reason})", flush=True)

    def output(self, stage: str, stream: str, text: str) -> None:
        if stream == "command":
            print(f"> {text}", flush=True)
        elif stream == "cell":
            if not self.quiet:
                print(text, end="", flush=True)
        else:
            target = sys.stderr if stream == "stderr" else sys.stdout
            target.write(text)
            target.flush()

    def stage_finished(self, outcome: StageOutcome) -> None:
        for warning in outcome.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if not self.decisions or outcome.status == "ran":
            return
        out = sys.stderr if outcome.status == FAILED else sys.stdout
        print(describe(outcome), file=out, flush=True)


def describe(outcome: StageOutcome) -> str:
    """One line saying what happened to a stage and why."""
    name = outcome.stage
    if outcome.status == "skipped":
        return f"Stage {name!r} skipped: {outcome.reason}"
    if outcome.status == "restored":
        run = short_id(outcome.restored_from or "")
        return f"Stage {name!r} restored from the run cache of run {run} ({outcome.reason})"
    if outcome.status == "would run":
        return f"Stage {name!r} would run: {outcome.reason}"
    if outcome.status == "not run":
        return f"Stage {name!r} not run: {outcome.reason}"
    if outcome.status == "ran":
        return f"Stage {name!r} ran"
    return f"Stage {name!r} failed: {outcome.error}"
