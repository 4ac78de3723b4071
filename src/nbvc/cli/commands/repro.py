"""nbvc repro"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from nbvc.cli.commands import add_options, add_parser, options_of
from nbvc.cli.output import NUMBER, Column, print_json, table
from nbvc.core import ConsoleListener, ReproOptions, ReproResult, find_or_adopt, short_id

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
    add_options(parser, ReproOptions)
    return ["repro"]


def run(args: argparse.Namespace) -> int:
    options = options_of(ReproOptions, args)
    repo, created = find_or_adopt()
    if created:
        print(
            f"nbvc: initialised {repo.dot} in this DVC project (dvc.yaml and dvc.lock are used "
            "as they are; `nbvc import-dvc` adopts the data .dvc files track)",
            file=sys.stderr,
        )
    # with --json, stdout holds only the document: the stages' own output goes to stderr
    progress = contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext()
    with repo, progress:
        result = repo.pipeline.repro(options, ConsoleListener(quiet=args.quiet))
    if args.json:
        print_json(result.to_json())
    else:
        _summary(result)
    return 1 if result.failed else 0


def _summary(result: ReproResult) -> None:
    counts = result.counts()
    parts = [f"{counts[v]} {v}" for v in _VERBS if counts.get(v)]
    if result.nothing_to_do:
        print(f"Nothing to do: {', '.join(parts) or 'no stages'} (no run recorded)")
        return
    run = (
        f" (run {short_id(result.run_id)})" if result.run_id else " (dry run: nothing was changed)"
    )
    print(f"Summary: {', '.join(parts) or 'no stages'}{run}")
    rows = [
        [o.stage, o.status, f"{o.duration:.2f}s"]
        for o in result.outcomes
        if o.status in ("ran", "restored", "failed")
    ]
    if rows:
        print(table(["stage", "status", Column("time", NUMBER)], rows))
