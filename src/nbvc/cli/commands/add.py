"""nbvc add"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_options, add_parser, options_of
from nbvc.cli.output import human_size, reporter
from nbvc.core import AddOptions, Repo, add_skipped_note, option_values, plural, short_oid


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "add", "Snapshot files or folders into the cache as a new version.")
    add_options(parser, AddOptions)
    return ["add"]


def run(args: argparse.Namespace) -> int:
    options = options_of(AddOptions, args)
    with Repo.find() as repo:
        results = repo.add(**option_values(options), reporter=reporter(args.quiet))
    for result in results:
        v = result.version
        what = f"{plural(v.nfiles, 'file')}, " if v.kind == "dir" else ""
        verb = "added" if result.created else "unchanged, still"
        tags = f" [{', '.join(v.tags)}]" if v.tags else ""
        size = human_size(v.size)
        print(f"{result.artifact}: {verb} {v.name} ({what}{size}, {short_oid(v.oid)}){tags}")
        if note := add_skipped_note(result):
            print(f"nbvc: note: {note}", file=sys.stderr)
    return 0
