"""nbvc params diff"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.compare_view import add_format_options, print_diff
from nbvc.core import Repo

HELP_REFS = "A and B are run ids, `workspace` or git revisions (default: last run vs workspace)"


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "params", "Compare params between runs, the workspace and git.")
    verbs = parser.add_subparsers(dest="params_command", metavar="COMMAND", required=True)
    diff = add_parser(verbs, "diff", f"Show params that differ. {HELP_REFS}.")
    diff.add_argument("a", nargs="?", metavar="A")
    diff.add_argument("b", nargs="?", metavar="B")
    add_format_options(diff)
    return ["params"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        compared = repo.metrics.diff("params", args.a, args.b, args.all)
    print_diff(compared.rows, compared.old, compared.new, "params", args)
    return 0
