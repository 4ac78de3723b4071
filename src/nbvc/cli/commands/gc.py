"""nbvc gc"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_size, reporter
from nbvc.core.repo import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "gc",
        "Delete cached objects that no version, tag or pointer references.",
    )
    parser.add_argument(
        "--keep-last",
        type=int,
        metavar="N",
        help="also prune versions older than the newest N of each artifact (tagged ones stay)",
    )
    parser.add_argument("-n", "--dry-run", action="store_true", help="only show what would go")
    return ["gc"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = repo.gc(args.dry_run, args.keep_last, reporter(args.quiet))
    would = "would " if result.dry_run else ""
    for version in result.pruned:
        print(f"{would}prune {version.artifact}@{version.name}")
    print(
        f"{would}remove {len(result.removed)} objects ({human_size(result.freed_bytes)}); "
        f"{result.kept} kept"
    )
    return 0
