"""nbvc pull"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_options, add_parser, options_of
from nbvc.cli.commands.push import report
from nbvc.cli.output import reporter
from nbvc.core import PullOptions, Repo, option_values


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "pull",
        "Fetch from a remote, then check out what the pointer files say.",
    )
    add_options(parser, PullOptions)
    return ["pull"]


def run(args: argparse.Namespace) -> int:
    options = options_of(PullOptions, args)
    with Repo.find() as repo:
        result = repo.pull(**option_values(options), reporter=reporter(args.quiet))
    code = report(result.fetch)
    for checkout in result.checkouts:
        target = checkout.target
        if checkout.changed:
            print(f"{target.artifact}: checked out {target.label} ({checkout.written} written)")
    for artifact in result.skipped:
        print(f"nbvc: error: {artifact} was not checked out: data is missing", file=sys.stderr)
    return 1 if code or result.skipped else 0
