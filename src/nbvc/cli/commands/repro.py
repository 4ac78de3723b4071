"""nbvc repro"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.core.pipeline.outcome import FAILED, ReproResult, StageOutcome
from nbvc.core.repo import Repo

_VERBS = {
    "ran": "ran",
    "skipped": "skipped",
    "restored": "restored",
    "failed": "failed",
    "not run": "not run",
    "would run": "would run",
}


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "repro",
        "Bring pipeline outputs up to date: run the stages whose inputs changed "
        "(nbvc.yaml, or dvc.yaml when there is no nbvc.yaml).",
    )
    parser.add_argument("stages", nargs="*", metavar="STAGE", help="stages (default: all)")
    parser.add_argument("-f", "--force", action="store_true", help="run even if up to date")
    parser.add_argument("--dry", action="store_true", help="only say what would run")
    parser.add_argument(
        "-s", "--single-item", action="store_true", help="only the named stages, not upstream"
    )
    parser.add_argument(
        "--downstream", action="store_true", help="the named stages and every stage after them"
    )
    parser.add_argument(
        "-k", "--keep-going", action="store_true", help="after a failure, run independent stages"
    )
    parser.add_argument(
        "--no-run-cache", action="store_true", help="run stages instead of restoring outputs"
    )
    return ["repro"]


class _Printer:
    """Streams stage output live and prints one line per stage decision."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

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
        if outcome.status == "ran":
            return
        line = _line(outcome)
        print(line, file=sys.stderr if outcome.status == FAILED else sys.stdout, flush=True)


def _short(run_id: str) -> str:
    return run_id.rsplit("-", 1)[-1]


def _line(outcome: StageOutcome) -> str:
    name = outcome.stage
    if outcome.status == "skipped":
        return f"Stage {name!r} skipped: {outcome.reason}"
    if outcome.status == "restored":
        run = _short(outcome.restored_from or "")
        return f"Stage {name!r} restored from the run cache of run {run} ({outcome.reason})"
    if outcome.status == "would run":
        return f"Stage {name!r} would run: {outcome.reason}"
    if outcome.status == "not run":
        return f"Stage {name!r} not run: {outcome.reason}"
    return f"Stage {name!r} failed: {outcome.error}"


def run(args: argparse.Namespace) -> int:
    from nbvc.core.pipeline.repro import ReproOptions, repro

    options = ReproOptions(
        targets=tuple(args.stages),
        force=args.force,
        dry=args.dry,
        single_item=args.single_item,
        downstream=args.downstream,
        keep_going=args.keep_going,
        run_cache=not args.no_run_cache,
    )
    with Repo.find() as repo:
        result = repro(repo, options, _Printer(args.quiet))
    _summary(result)
    return 1 if result.failed else 0


def _summary(result: ReproResult) -> None:
    counts = result.counts()
    parts = [f"{counts[v]} {v}" for v in _VERBS if counts.get(v)]
    run = f" (run {_short(result.run_id)})" if result.run_id else " (dry run: nothing was changed)"
    print(f"Summary: {', '.join(parts) or 'no stages'}{run}")
    for outcome in result.outcomes:
        if outcome.status in ("ran", "restored", "failed"):
            print(f"  {outcome.stage:<24} {outcome.status:<9} {outcome.duration:6.2f}s")
