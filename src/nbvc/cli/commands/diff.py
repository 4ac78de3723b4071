"""nbvc diff"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_size, print_json
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "diff",
        "Files added, removed and modified between PATH@A and PATH@B "
        "(or the workspace; PATH alone compares the pointer with the workspace).",
    )
    parser.add_argument("old", metavar="PATH[@A]")
    parser.add_argument("new", nargs="?", metavar="PATH@B")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return ["diff"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = repo.diff(args.old, args.new)
    if args.json:
        print_json(result.to_json())
        return 0
    print(f"{result.artifact}: {result.old_label} -> {result.new_label}")
    if not result.changed:
        print("  no differences")
    for path, size in result.added:
        print(f"  added     {path} ({human_size(size)})")
    for path, size in result.removed:
        print(f"  removed   {path} ({human_size(size)})")
    for path, old, new in result.modified:
        print(f"  modified  {path} ({human_size(old)} -> {human_size(new)})")
    return 0
