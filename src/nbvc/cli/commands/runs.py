"""nbvc runs"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import human_time, print_json, table
from nbvc.core.errors import NbvcError
from nbvc.core.repo import Repo
from nbvc.core.runs.table import columns, sort_key, value_text


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
    from nbvc.core.runs.run_index import RunIndex
    from nbvc.core.runs.run_record import RUNS, open_runs

    if args.limit is not None and args.limit < 1:
        raise NbvcError("--limit must be at least 1")
    with Repo.find() as repo:
        index = RunIndex(repo)
        sort = sort_key(index, args.sort) if args.sort else None
        records = [] if sort else list(open_runs(repo))
        remaining = None if args.limit is None else max(args.limit - len(records), 0)
        ids = index.ids(sort, args.asc, remaining) if remaining != 0 else []
        records += [repo.records.read(RUNS, run_id) for run_id in ids]
    records = records[: args.limit] if args.limit else records
    if args.json:
        print_json([_json(r) for r in records])
    elif not records:
        print("No runs yet: `nbvc repro` runs the pipeline, nbvc.log_metric logs from code.")
    else:
        print(_table(records))
    return 0


def _json(record: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in record.items() if k not in ("kind",)}
    shown["short_id"] = record["id"].rsplit("-", 1)[-1]
    return shown


def _table(records: Sequence[dict[str, Any]]) -> str:
    params = columns(records, "params")
    metrics = columns(records, "metrics")
    headers = ["run", "started", "status", "time", "git", *(c[2] for c in params + metrics)]
    rows = []
    for r in records:
        git = (r.get("env") or {}).get("git") or ""
        duration = r.get("duration")
        row = [
            r["id"].rsplit("-", 1)[-1],
            human_time(r["started"]) if r.get("started") else "-",
            r.get("status", "?"),
            f"{duration:.1f}s" if isinstance(duration, int | float) else "-",
            git[:7] or "-",
        ]
        for key, shown in (("params", params), ("metrics", metrics)):
            values = r.get(key) or {}
            row += [value_text(values.get(s, {}).get(n)) for s, n, _ in shown]
        rows.append(row)
    return table(headers, rows)
