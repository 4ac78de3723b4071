"""nbvc metrics show | diff"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.commands.params import HELP_REFS
from nbvc.cli.compare_view import add_format_options, print_diff, print_values
from nbvc.core.repo import Repo


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
    from nbvc.core.adopt.dvc_remotes import fetcher
    from nbvc.core.metrics.compare import WORKSPACE, diff_sides, resolve

    with Repo.find() as repo:
        fetch = fetcher(repo.root)
        if args.metrics_command == "show":
            side = resolve(repo, args.ref, WORKSPACE, fetch)
            print_values(side.metrics, side.label, args)
            return 0
        old = resolve(repo, args.a, "last", fetch)
        new = resolve(repo, args.b, WORKSPACE, fetch)
        rows = diff_sides(old, new, "metrics", args.all)
    print_diff(rows, old.label, new.label, "metrics", args)
    return 0
