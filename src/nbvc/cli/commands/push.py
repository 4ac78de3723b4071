"""nbvc push (and the options and report it shares with fetch and pull)"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_size, reporter
from nbvc.core.remote.transfer import TransferResult
from nbvc.core.repo import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "push",
        "Send the data of tracked artifacts (default: all) and all history records to a remote; "
        "only what the remote lacks is sent.",
    )
    add_transfer_arguments(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="ask the remote what it lacks even if nothing changed since the last push",
    )
    return ["push"]


def add_transfer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("-r", "--remote", metavar="NAME", help="remote to use (default: default)")
    parser.add_argument(
        "--all-versions",
        action="store_true",
        help="every recorded version, not only what the pointer files name",
    )
    parser.add_argument(
        "-j", "--jobs", type=_positive, metavar="N", help="parallel transfers (default: config)"
    )


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = repo.push(
            args.paths, args.remote, args.all_versions, args.jobs, reporter(args.quiet), args.check
        )
    return report(result)


def report(result: TransferResult) -> int:
    """Print what moved and what failed; returns the exit code."""
    verb, preposition = ("pushed", "to") if result.direction == "push" else ("fetched", "from")
    if result.objects or result.records:
        print(
            f"{verb} {result.objects} objects ({human_size(result.bytes)}) and "
            f"{result.records} records {preposition} {result.remote}"
        )
    elif result.ok:
        print(f"{result.remote}: everything is up to date")
    for problem in result.problems():
        print(f"nbvc: error: {problem}", file=sys.stderr)
    return 0 if result.ok else 1


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
