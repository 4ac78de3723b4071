"""nbvc fetch"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.commands.push import add_transfer_arguments, report
from nbvc.cli.output import reporter
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "fetch",
        "Receive history records and the data of tracked artifacts (default: all) from a remote "
        "into the cache, verifying every object; the workspace is left as it is.",
    )
    add_transfer_arguments(parser)
    return ["fetch"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = repo.fetch(
            args.paths, args.remote, args.all_versions, args.jobs, reporter(args.quiet)
        )
    return report(result)
