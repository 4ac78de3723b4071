"""nbvc init"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.core import Repo, is_dvc_project


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "init", "Create an nbvc repo in a folder (default: here).")
    parser.add_argument("path", nargs="?", default=None, help="folder to initialise")
    parser.add_argument(
        "--nested", action="store_true", help="allow a repo inside another nbvc repo"
    )
    parser.add_argument(
        "--no-import",
        action="store_true",
        help="in a DVC project: do not adopt the data .dvc files track (`nbvc import-dvc`)",
    )
    return ["init"]


def run(args: argparse.Namespace) -> int:
    repo, created = Repo.init(args.path, nested=args.nested)
    if not created:
        print(f"{repo.root} is already an nbvc repo; nothing to do.")
        return 0
    print(f"Initialised an nbvc repo in {repo.dot}")
    if is_dvc_project(repo.root):
        print("This is a DVC project: nbvc repro uses dvc.yaml and keeps dvc.lock for DVC.")
        if not args.no_import:
            from nbvc.cli.commands.import_dvc import adopt_and_report

            return adopt_and_report(repo, [], None, args.quiet)
    if not args.quiet:
        if repo.in_git:
            print("Commit .nbvc/config and .nbvc/.gitignore, and the .nbvc pointer files you add.")
        else:
            print(
                "Tip: `git init` here too, to share pointer files and reach versions by revision."
            )
    return 0
