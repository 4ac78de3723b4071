"""nbvc artifacts (`nbvc models`, which also lists the declared models, is models.py)"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import print_json, table
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub, "artifacts", "List the models and datasets the pipeline file declares (`artifacts:`)."
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    return ["artifacts"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        found = repo.pipeline.declared()
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
