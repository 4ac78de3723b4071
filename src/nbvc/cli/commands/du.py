"""nbvc du"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_size, print_json, table
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "du",
        "Show what each artifact's versions would cost as copies and what they cost here.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="artifacts (default: all)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return ["du"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = repo.du(args.paths)
    if args.json:
        print_json(result.to_json())
        return 0
    rows = [
        [
            a.artifact,
            str(a.versions),
            human_size(a.logical),
            human_size(a.stored),
            f"{a.ratio:.1f}x",
        ]
        + ([f"{a.missing} objects not in this cache"] if a.missing else [""])
        for a in result.artifacts
    ]
    rows.append(
        [
            "(whole cache)",
            "",
            human_size(result.logical),
            human_size(result.stored),
            f"{result.ratio:.1f}x",
            f"{result.chunks} chunks in {result.packs} packs",
        ]
    )
    print(table(["artifact", "versions", "logical", "stored", "ratio", ""], rows))
    return 0
