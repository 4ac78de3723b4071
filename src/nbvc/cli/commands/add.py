"""nbvc add"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_size, reporter
from nbvc.core.artifacts.add import skipped_note
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import short


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "add", "Snapshot files or folders into the cache as a new version.")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("-m", "--message", default="", help="what this version is")
    parser.add_argument(
        "-t",
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="tag the version (repeatable)",
    )
    return ["add"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        results = repo.add(args.paths, args.message, args.tag, reporter(args.quiet))
    for result in results:
        v = result.version
        what = f"{v.nfiles} files, " if v.kind == "dir" else ""
        verb = "added" if result.created else "unchanged, still"
        tags = f" [{', '.join(v.tags)}]" if v.tags else ""
        print(
            f"{result.artifact}: {verb} {v.name} ({what}{human_size(v.size)}, {short(v.oid)}){tags}"
        )
        if note := skipped_note(result):
            print(f"nbvc: note: {note}", file=sys.stderr)
    return 0
