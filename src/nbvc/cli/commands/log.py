"""nbvc log"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_size, human_time, print_json, table
from nbvc.core import Repo, short_oid


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "log", "List an artifact's versions, newest first.")
    parser.add_argument("path", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return ["log"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        versions = repo.log(args.path)
    if args.json:
        print_json([v.to_json() for v in versions])
        return 0
    rows = [
        [
            v.name,
            short_oid(v.oid),
            human_size(v.size),
            str(v.nfiles),
            human_time(v.created),
            ", ".join(v.tags),
            v.message,
        ]
        for v in versions
    ]
    print(table(["VERSION", "HASH", "SIZE", "FILES", "TIME", "TAGS", "MESSAGE"], rows))
    return 0
