"""nbvc lineage"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_options, add_parser
from nbvc.core import LineageOptions, Repo, render_lineage


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "lineage",
        "Show what produced an artifact version: the notebook cells or pipeline stages, and the "
        "inputs they read, back to the start.",
    )
    add_options(parser, LineageOptions)
    return ["lineage"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        if args.script:
            print(repo.lineage.script(args.spec).text, end="")
            return 0
        root = repo.lineage.of(args.spec)
    form = "json" if args.json else "dot" if args.dot else "mermaid" if args.mermaid else "text"
    print(render_lineage(root, form))
    return 0
