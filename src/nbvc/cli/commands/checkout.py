"""nbvc checkout"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import reporter
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "checkout",
        "Restore a version into the workspace: PATH (what the pointer says) or PATH@REF, "
        "where REF is vN, a tag or a git revision.",
    )
    parser.add_argument("specs", nargs="+", metavar="PATH[@REF]")
    parser.add_argument(
        "-f", "--force", action="store_true", help="discard workspace changes not saved in nbvc"
    )
    return ["checkout"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
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
