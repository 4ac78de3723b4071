"""nbvc repro"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.core.pipeline.console import ConsoleListener
from nbvc.core.pipeline.outcome import ReproResult
from nbvc.core.runs.run_index import short_id

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
    from nbvc.core.adopt.project import find_or_adopt

    repo, created = find_or_adopt()
    if created:
        print(
            f"nbvc: initialised {repo.dot} in this DVC project (dvc.yaml and dvc.lock are used "
            "as they are; `nbvc import-dvc` adopts the data .dvc files track)",
            file=sys.stderr,
        )
    with repo:
        result = repro(repo, options, ConsoleListener(quiet=args.quiet))
    _summary(result)
    return 1 if result.failed else 0


def _summary(result: ReproResult) -> None:
    counts = result.counts()
    parts = [f"{counts[v]} {v}" for v in _VERBS if counts.get(v)]
    run = (
        f" (run {short_id(result.run_id)})" if result.run_id else " (dry run: nothing was changed)"
    )
    print(f"Summary: {', '.join(parts) or 'no stages'}{run}")
    for outcome in result.outcomes:
        if outcome.status in ("ran", "restored", "failed"):
            print(f"  {outcome.stage:<24} {outcome.status:<9} {outcome.duration:6.2f}s")
