"""nbvc fsck"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import print_json, reporter
from nbvc.core import FSCK_SHOWN_USERS, FsckResult, Repo, plural


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "fsck",
        "Check every cached object, chunk and chunk manifest; quarantine damaged ones.",
    )
    parser.add_argument(
        "-r",
        "--remote",
        metavar="NAME",
        help="fetch good copies of whatever was found damaged from remote NAME",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return ["fsck"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = repo.fsck(reporter(args.quiet), args.remote)
    if args.json:
        print_json(result.to_json())
        return 0 if result.ok else 1
    for oid, moved_to in result.corrupt:
        print(f"corrupt: {oid} (moved to {moved_to})")
    for bad in result.bad_chunks:
        users = ", ".join(bad.users[:FSCK_SHOWN_USERS]) or "no file"
        more = (
            f" and {len(bad.users) - FSCK_SHOWN_USERS} more"
            if len(bad.users) > FSCK_SHOWN_USERS
            else ""
        )
        print(f"corrupt chunk: {bad.digest[:16]} in pack {bad.pack[:12]}, used by {users}{more}")
    for name in result.rebuilt_indexes:
        print(f"rebuilt the index of pack {name[:12]} from the pack itself")
    for name in result.damaged_packs:
        print(f"damaged pack: {name[:12]} (its index and its end are unreadable; set aside)")
    for oid in result.repaired:
        print(f"repaired: {oid} (fetched from {result.remote})")
    print(_summary(result))
    return 0 if result.ok else 1


def _summary(result: FsckResult) -> str:
    chunks = f" and {plural(result.chunks, 'chunk')}" if result.chunks else ""
    checked = f"{plural(result.checked, 'object')}{chunks} checked"
    if result.ok and not (result.corrupt or result.bad_chunks or result.broken):
        return f"{checked}, all intact"
    found = len(result.corrupt) + len(result.bad_chunks)
    if result.ok:
        return f"{checked}, {found} corrupt, all repaired from {result.remote}"
    hint = (
        "`nbvc fsck --remote NAME` fetches good copies (or `nbvc pull`), "
        "or re-add the files if you still have them"
        if result.remote is None
        else f"{result.remote} lacks good copies of {len(result.unrepaired)} of them; "
        "push them from a machine that has them, or re-add the files"
    )
    broken = f", {len(result.broken)} file(s) lost chunks" if result.broken else ""
    return f"{checked}, {found} corrupt{broken}; {hint}"
