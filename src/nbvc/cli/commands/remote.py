"""nbvc remote add | list | default | remove"""

from __future__ import annotations

import argparse
import json
from typing import Any

from nbvc.cli.commands import add_parser, common
from nbvc.cli.output import print_json, table
from nbvc.core import Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "remote", "Configure the remotes that push, fetch and pull use.")
    verbs = parser.add_subparsers(dest="remote_command", metavar="VERB", required=True)
    add = verbs.add_parser(
        "add",
        parents=[common()],
        help="add (or replace) a remote",
        description="Add a remote: a folder, or an s3://, gs://, az://, ssh://, sftp://, "
        "http(s):// or memory:// URL. Options (-o) are passed to the storage backend "
        "(e.g. -o endpoint_url=http://host:9000 for an S3-compatible store).",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("url", metavar="URL")
    add.add_argument(
        "-d", "--default", action="store_true", help="make it the default remote (as in DVC)"
    )
    add.add_argument(
        "-o",
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a backend option, or jobs=N for parallel transfers (repeatable)",
    )
    add.add_argument(
        "--local",
        action="store_true",
        help="write to .nbvc/config.local (gitignored): for credentials and per-machine options",
    )
    listing = verbs.add_parser("list", parents=[common()], help="list the remotes")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    default = verbs.add_parser("default", parents=[common()], help="set the default remote")
    default.add_argument("name", metavar="NAME")
    default.add_argument("--local", action="store_true", help="only for this machine")
    remove = verbs.add_parser("remove", parents=[common()], help="remove a remote")
    remove.add_argument("name", metavar="NAME")
    return ["remote"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        if args.remote_command == "add":
            options = dict(repo.remote.parse_option(text) for text in args.option)
            added = repo.remote.add(args.name, args.url, options, args.default, args.local)
            where = ".nbvc/config.local" if args.local else ".nbvc/config"
            suffix = " (default)" if added.is_default else ""
            print(f"remote {added.name} -> {added.url}{suffix}, in {where}")
        elif args.remote_command == "default":
            repo.remote.set_default(args.name, args.local)
            print(f"default remote: {args.name}")
        elif args.remote_command == "remove":
            repo.remote.remove(args.name)
            print(f"removed remote {args.name}")
        else:
            _list(repo, args.json)
    return 0


def _list(repo: Repo, as_json: bool) -> None:
    configured = list(repo.remote.configured().values())
    if as_json:
        print_json(
            [
                {
                    "name": r.name,
                    "url": r.url,
                    "default": r.is_default,
                    "jobs": r.jobs,
                    "options": r.shown_options(),
                }
                for r in configured
            ]
        )
        return
    if not configured:
        print("No remotes; `nbvc remote add NAME URL --default` adds one.")
        return
    rows = [
        [
            r.name + (" *" if r.is_default else ""),
            r.url,
            " ".join(f"{k}={json.dumps(v)}" for k, v in r.shown_options().items()),
        ]
        for r in configured
    ]
    print(table(["name", "url", "options"], rows))
