"""nbvc params diff"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.compare_view import add_format_options, print_diff
from nbvc.core.repo import Repo

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
    from nbvc.core.adopt.dvc_remotes import fetcher
    from nbvc.core.metrics.compare import WORKSPACE, diff_sides, resolve

    with Repo.find() as repo:
        fetch = fetcher(repo.root)
        old = resolve(repo, args.a, "last", fetch)
        new = resolve(repo, args.b, WORKSPACE, fetch)
        rows = diff_sides(old, new, "params", args.all)
    print_diff(rows, old.label, new.label, "params", args)
    return 0
