"""nbvc artifacts"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import print_json, table
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    return register_listing(sub, "artifacts", "models and datasets")


def register_listing(sub: Any, name: str, what: str) -> list[str]:
    parser = add_parser(
        sub, name, f"List the {what} the pipeline file declares (its `artifacts:`)."
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    return [name]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        found = repo.pipeline.declared("model" if args.command == "models" else None)
    if args.json:
        print_json(found)
        return 0
    if not found:
        print(f"No {args.command} declared (add them under `artifacts:` in dvc.yaml or nbvc.yaml).")
        return 0
    rows = [
        [
            a["name"],
            a["type"] or "",
            a["path"],
            a["version"] or ("missing" if not a["exists"] else "-"),
            ", ".join(a["labels"]),
            a["desc"] or "",
        ]
        for a in found
    ]
    print(table(["name", "type", "path", "version", "labels", "description"], rows))
    return 0
