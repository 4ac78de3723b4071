"""nbvc tag"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.core import NbvcError, Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "tag", "Point a tag (e.g. prod) at a version; moves it if it exists.")
    parser.add_argument("spec", metavar="PATH@vN")
    parser.add_argument("name", metavar="NAME")
    return ["tag"]


def run(args: argparse.Namespace) -> int:
    if "@" in args.name and "@" not in args.spec:  # `nbvc tag prod data@v1`, as git tag reads
        raise NbvcError(f"the version comes first: nbvc tag {args.name} {args.spec}")
    with Repo.find() as repo:
        before = repo.tagged(args.spec, args.name)
        version = repo.tag(args.spec, args.name)
    if before is None:
        print(f"{version.artifact}: tag {args.name} -> {version.name}")
    elif before.id == version.id:
        print(f"{version.artifact}: tag {args.name} already at {version.name}")
    else:
        print(f"{version.artifact}: tag {args.name} moved from {before.name} to {version.name}")
    return 0
