"""nbvc checkout"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.commands.exp import print_apply
from nbvc.cli.output import reporter
from nbvc.core import NbvcError, Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "checkout",
        "Restore a version into the workspace: PATH (what the pointer says) or PATH@REF, "
        "where REF is vN, a tag or a git revision.",
    )
    parser.add_argument("specs", nargs="*", metavar="PATH[@REF]")
    parser.add_argument(
        "-f", "--force", action="store_true", help="discard workspace changes not saved in nbvc"
    )
    parser.add_argument(
        "--run",
        metavar="RUN",
        help="restore everything run RUN used and made (as `nbvc exp apply RUN`)",
    )
    return ["checkout"]


def run(args: argparse.Namespace) -> int:
    if (args.run is None) == (not args.specs):
        raise NbvcError("give PATH[@REF]... or --run RUN (not both)")
    with Repo.find() as repo:
        if args.run is not None:
            print_apply(repo.experiments.apply(args.run, args.force))
            return 0
        for spec in args.specs:
            result = repo.checkout(spec, force=args.force, reporter=reporter(args.quiet))
            where = result.target.label
            if result.changed:
                print(
                    f"{result.target.artifact}: restored {where} "
                    f"({result.written} written, {result.deleted} removed)"
                )
            else:
                print(f"{result.target.artifact}: already at {where}")
    return 0
