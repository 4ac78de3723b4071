"""nbvc metrics show | diff"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.commands.params import HELP_REFS
from nbvc.cli.compare_view import add_format_options, print_diff, print_values
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "metrics", "Show and compare metrics of runs, the workspace and git.")
    verbs = parser.add_subparsers(dest="metrics_command", metavar="COMMAND", required=True)
    show = add_parser(
        verbs, "show", "Show metrics of a run, `workspace` (default) or a git revision."
    )
    show.add_argument("ref", nargs="?", metavar="RUN")
    add_format_options(show, with_all=False)
    diff = add_parser(verbs, "diff", f"Show metrics that differ. {HELP_REFS}.")
    diff.add_argument("a", nargs="?", metavar="A")
    diff.add_argument("b", nargs="?", metavar="B")
    add_format_options(diff)
    return ["metrics"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        if args.metrics_command == "show":
            side = repo.metrics.side(args.ref)
            print_values(side, args)
            return 0
        compared = repo.metrics.diff("metrics", args.a, args.b, args.all)
    print_diff(compared.rows, compared.old, compared.new, "metrics", args)
    return 0
