"""nbvc gc"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_size, print_json, reporter
from nbvc.core import NbvcError, Repo, count_text, plural


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "gc",
        "Delete cached objects that no version, tag or pointer references.",
    )
    parser.add_argument(
        "--keep-last",
        type=int,
        metavar="N",
        help="also prune versions older than the newest N of each artifact (tagged ones stay)",
    )
    parser.add_argument("-n", "--dry-run", action="store_true", help="only show what would go")
    parser.add_argument(
        "--remote",
        metavar="NAME",
        help="instead, delete the objects on remote NAME that no version or pointer references",
    )
    parser.add_argument("-j", "--jobs", type=int, metavar="N", help="parallel deletes (--remote)")
    parser.add_argument(
        "--rechunk",
        action="store_true",
        help="first store big whole objects (from older caches) as shared chunks",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return ["gc"]


def run(args: argparse.Namespace) -> int:
    if args.remote is not None:
        return _run_remote(args)
    with Repo.find() as repo:
        result = repo.gc(args.dry_run, args.keep_last, reporter(args.quiet), args.rechunk)
    if args.json:
        print_json(result.to_json())
        return 0
    would = "would " if result.dry_run else ""
    if result.rechunked is not None:
        converted = result.rechunked
        print(
            f"{would}store {plural(len(converted.converted), 'whole object')} as chunks "
            f"({human_size(converted.bytes_before)})"
        )
        for oid in converted.corrupt:
            print(f"corrupt: {oid} (quarantined, not converted)", file=sys.stderr)
    for version in result.pruned:
        print(f"{would}prune {version.artifact}@{version.name}")
    print(
        f"{would}remove {plural(len(result.removed), 'object')} "
        f"({human_size(result.freed_bytes)}); {count_text(result.kept)} kept"
    )
    if result.packs_removed or result.packs_rewritten:
        print(
            f"packs: {would}delete {result.packs_removed}, "
            f"{would}rewrite {result.packs_rewritten} that were mostly garbage"
        )
    if result.unreadable:
        print(
            f"nbvc: warning: {len(result.unreadable)} chunk manifest(s) could not be read "
            f"({result.unreadable[0][:12]}...), so no chunk was deleted; run `nbvc fsck`",
            file=sys.stderr,
        )
    return 0


def _run_remote(args: argparse.Namespace) -> int:
    if args.keep_last is not None:
        raise NbvcError("--keep-last prunes local history; run it without --remote first")
    with Repo.find() as repo:
        result = repo.gc_remote(args.remote, args.dry_run, args.jobs, reporter(args.quiet))
    if args.json:
        print_json(result.to_json())
        return 0
    would = "would " if result.dry_run else ""
    stale = f" and {plural(result.stale_uploads, 'stale upload')}" if result.stale_uploads else ""
    packs = f", {plural(len(result.packs_removed), 'pack')}" if result.packs_removed else ""
    print(
        f"{result.remote}: {would}remove {plural(len(result.removed), 'object')}{packs}{stale}; "
        f"{count_text(result.kept)} kept"
    )
    return 0
