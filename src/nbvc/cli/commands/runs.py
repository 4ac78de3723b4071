"""nbvc runs"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_time, print_json, table
from nbvc.core import NbvcError, Repo, RunRecord, value_columns, value_text


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub, "runs", "List runs (every repro and logged session) with params and metrics."
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--sort",
        metavar="METRIC",
        help="order by a metric, highest first (`file:name` if ambiguous)",
    )
    parser.add_argument("--asc", action="store_true", help="with --sort: lowest first")
    parser.add_argument("-n", "--limit", type=int, metavar="N", help="show at most N runs")
    return ["runs"]


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise NbvcError("--limit must be at least 1")
    with Repo.find() as repo:
        records = repo.runs.query(args.limit, args.sort, args.asc)
    if args.json:
        print_json([_json(r) for r in records])
    elif not records:
        print("No runs yet: `nbvc repro` runs the pipeline, nbvc.log_metric logs from code.")
    else:
        print(_table(records))
    return 0


def _json(record: RunRecord) -> dict[str, Any]:
    doc = record.to_record()
    return {**{key: doc[key] for key in sorted(doc)}, "short_id": record.short_id}


def _table(records: Sequence[RunRecord]) -> str:
    params = value_columns([r.params for r in records])
    metrics = value_columns([r.metrics for r in records])
    headers = ["run", "started", "status", "time", "git", *(c[2] for c in params + metrics)]
    rows = []
    for r in records:
        duration = r.duration
        row = [
            r.short_id,
            human_time(r.started) if r.started else "-",
            r.status.value,
            f"{duration:.1f}s" if isinstance(duration, int | float) else "-",
            (r.git or "")[:7] or "-",
        ]
        for values, shown in ((r.params, params), (r.metrics, metrics)):
            row += [value_text(values.get(s, {}).get(n)) for s, n, _ in shown]
        rows.append(row)
    return table(headers, rows)
