"""nbvc log"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_options, add_parser
from nbvc.cli.output import COUNT, SIZE, TIME, Column, print_json, table
from nbvc.core import LogOptions, Repo, short_oid


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "log", "List an artifact's versions, newest first.")
    add_options(parser, LogOptions)
    return ["log"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        versions = repo.log(args.path)
        made_by = {v.producer: repo.lineage.producer_label(v.producer) for v in versions}
    if args.json:
        print_json([{**v.to_json(), "produced_by": made_by[v.producer]} for v in versions])
        return 0
    columns = [
        Column("version"),
        Column("hash"),
        Column("size", SIZE),
        Column("files", COUNT),
        Column("created", TIME),
        Column("tags"),
        Column("message"),
        Column("produced by"),
    ]
    rows = [
        [
            v.name,
            short_oid(v.oid),
            v.size,
            v.nfiles,
            v.created,
            ", ".join(v.tags),
            v.message,
            made_by[v.producer] or "",
        ]
        for v in versions
    ]
    print(table(columns, rows))
    return 0
