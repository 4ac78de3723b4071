"""nbvc fsck"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import reporter
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    add_parser(sub, "fsck", "Re-hash every cached object; quarantine corrupt ones.")
    return ["fsck"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = repo.fsck(reporter(args.quiet))
    for oid, moved_to in result.corrupt:
        print(f"corrupt: {oid} (moved to {moved_to})")
    if result.ok:
        print(f"{result.checked} objects checked, all intact")
        return 0
    print(
        f"{result.checked} objects checked, {len(result.corrupt)} corrupt; "
        "`nbvc pull` fetches good copies, or re-add the files if you still have them"
    )
    return 1
