"""nbvc import-dvc"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import reporter
from nbvc.core import Repo, find_or_adopt, import_dvc


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "import-dvc",
        "Adopt the data that .dvc files track as nbvc versions (objects from DVC's cache or a "
        "DVC remote, every md5 checked); nothing in the DVC project changes.",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help=".dvc files or their data (default: all)"
    )
    parser.add_argument(
        "-r", "--remote", metavar="NAME", help="DVC remote for objects missing from DVC's cache"
    )
    return ["import-dvc"]


def run(args: argparse.Namespace) -> int:
    repo, created = find_or_adopt()
    if created:
        print(f"Initialised an nbvc repo in {repo.dot}")
    with repo:
        return adopt_and_report(repo, args.paths, args.remote, args.quiet)


def adopt_and_report(repo: Repo, paths: list[str], remote: str | None, quiet: bool) -> int:
    """Run the adoption and print one line per out; 1 if any out could not be adopted."""
    result = import_dvc(repo, paths, remote, reporter(quiet))
    for item in result.adopted:
        out = item.out
        if item.error is not None:
            print(f"nbvc: error: {item.error}", file=sys.stderr)
        elif item.created:
            print(f"{out.path}: adopted from {out.dvc_file} as {item.version}")
        elif not quiet:
            print(f"{out.path}: already adopted ({item.version})")
    if not result.adopted and not quiet:
        print("No .dvc files to adopt.")
    return 1 if result.failed else 0
