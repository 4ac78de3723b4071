"""nbvc push (and the options and report it shares with fetch and pull)"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_options, add_parser, options_of
from nbvc.cli.output import reporter
from nbvc.core import PushOptions, Repo, TransferResult, option_values, transfer_summary


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "push",
        "Send the data of tracked artifacts (default: all) and all history records to a remote; "
        "only what the remote lacks is sent.",
    )
    add_options(parser, PushOptions)
    return ["push"]


def run(args: argparse.Namespace) -> int:
    options = options_of(PushOptions, args)
    with Repo.find() as repo:
        result = repo.push(**option_values(options), reporter=reporter(args.quiet))
    return report(result)


def report(result: TransferResult) -> int:
    """Print what moved and what failed; returns the exit code."""
    if result.objects or result.records or result.ok:
        print(transfer_summary(result))
    for problem in result.problems():
        print(f"nbvc: error: {problem}", file=sys.stderr)
    return 0 if result.ok else 1
