"""nbvc status"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_options, add_parser
from nbvc.cli.output import Column, print_json, table
from nbvc.core import UNCHANGED, ArtifactStatus, Repo, StatusOptions, count_text, plural

SHOWN = 20


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "status", "Show which tracked artifacts changed in the workspace.")
    add_options(parser, StatusOptions)
    return ["status"]


def run(args: argparse.Namespace) -> int:
    if args.remote is not None:
        return _run_remote(args)
    with Repo.find() as repo:
        statuses = repo.status(args.paths)
    if args.json:
        print_json([s.to_json() for s in statuses])
    elif not statuses:
        print("No tracked artifacts; `nbvc add PATH` starts tracking one.")
    else:
        rows = [[s.artifact, f"v{s.version}" if s.version else None, _state(s)] for s in statuses]
        print(table(["path", "version", "state"], rows))
        for status in statuses:
            _print_changes(status)
    dirty = any(s.state != UNCHANGED for s in statuses)
    return 1 if args.exit_code and dirty else 0


def _state(status: ArtifactStatus) -> str:
    suffix = "" if status.in_cache or status.state == "not in cache" else " (not in cache)"
    return status.state + suffix


def _print_changes(status: ArtifactStatus) -> None:
    if status.changes is None:
        return
    print(f"\n{status.artifact}:")
    rows = [
        *(("added", p) for p in status.changes.added),
        *(("removed", p) for p in status.changes.removed),
        *(("modified", p) for p in status.changes.modified),
    ]
    for kind, path in rows[:SHOWN]:
        print(f"    {kind + ':':<10} {path}")
    if len(rows) > SHOWN:
        print(f"    ... and {len(rows) - SHOWN} more (`nbvc diff {status.artifact}` lists all)")


def _run_remote(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = repo.remote.status(args.paths, args.remote or None)
    if args.json:
        print_json(result.to_json())
    else:
        rows = [
            [
                a.artifact,
                f"v{a.version}" if a.version else None,
                _missing(a.missing_local, a.objects, "nbvc pull"),
                _missing(a.missing_remote, a.objects, "nbvc push"),
            ]
            for a in result.artifacts
        ]
        remote = Column(f"on {result.remote}", verbatim=True)
        print(table(["path", "version", "here", remote], rows))
        print(
            f"records: {count_text(result.records_to_push)} to push, "
            f"{count_text(result.records_to_fetch)} to fetch"
        )
    return 1 if args.exit_code and not result.in_sync else 0


def _missing(missing: int | None, total: int | None, fix: str) -> str:
    if missing is None or total is None:
        return "unknown (folder manifest not found)"
    if missing == 0:
        return "complete"
    return f"{count_text(missing)} of {plural(total, 'object')} missing ({fix})"
