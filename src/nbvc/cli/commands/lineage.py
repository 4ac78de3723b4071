"""nbvc lineage"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.core import Repo, render_lineage


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "lineage",
        "Show what produced an artifact version: the notebook cells or pipeline stages, and the "
        "inputs they read, back to the start.",
    )
    parser.add_argument(
        "spec", metavar="PATH[@REF]", help="an artifact version (REF: vN, tag, git rev) or a file"
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="the lineage tree as JSON")
    form.add_argument("--dot", action="store_true", help="the lineage graph in Graphviz DOT")
    form.add_argument("--mermaid", action="store_true", help="the graph as a Mermaid flowchart")
    form.add_argument(
        "--script",
        action="store_true",
        help="the code of the cells that produced it, in execution order, as a runnable script",
    )
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
