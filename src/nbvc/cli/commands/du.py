"""nbvc du"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import COUNT, NUMBER, SIZE, Column, print_json, table
from nbvc.core import Repo, plural


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
        [a.artifact, a.versions, a.logical, a.stored, f"{a.ratio:.1f}x", _missing(a.missing)]
        for a in result.artifacts
    ]
    packs = f"{plural(result.chunks, 'chunk')} in {plural(result.packs, 'pack')}"
    rows.append(["(whole cache)", "", result.logical, result.stored, f"{result.ratio:.1f}x", packs])
    columns = [
        Column("artifact"),
        Column("versions", COUNT),
        Column("logical", SIZE),
        Column("stored", SIZE),
        Column("ratio", NUMBER),
        Column(""),
    ]
    print(table(columns, rows))
    return 0


def _missing(objects: int) -> str:
    return f"{plural(objects, 'object')} not in this cache" if objects else ""
