"""nbvc exp run | show | cancel | remove | apply"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from nbvc.cli.commands import add_options, add_parser, options_of
from nbvc.cli.output import NUMBER, Column, print_json, table
from nbvc.core import (
    ApplyResult,
    ExpRunOptions,
    Repo,
    RunRecord,
    RunStatus,
    SweepProgress,
    SweepTable,
    short_id,
    value_text,
)


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "exp",
        "Experiments: sweeps of params, each point run in a workspace of its own "
        "(inline, or in parallel on Dask), and any run applied back to the workspace.",
    )
    verbs = parser.add_subparsers(dest="exp_command", metavar="SUBCOMMAND", required=True)
    run_parser = add_parser(
        verbs,
        "run",
        "Run a sweep: -S lr=0.01,0.1 -S epochs=range(1,4) runs the grid, each point in an "
        "isolated copy of the workspace; results become runs under one sweep run.",
    )
    add_options(run_parser, ExpRunOptions)
    show = add_parser(verbs, "show", "A sweep as a table: params, metrics, status, time.")
    show.add_argument("sweep", nargs="?", metavar="SWEEP", help="id, short id or name")
    show.add_argument("--sort", metavar="METRIC", help="best first by this metric")
    show.add_argument("--all", action="store_true", help="list the sweeps instead")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    cancel = add_parser(verbs, "cancel", "Stop running sweeps (kills their running commands).")
    cancel.add_argument("sweep", nargs="?", metavar="SWEEP", help="default: every running sweep")
    remove = add_parser(verbs, "remove", "Delete finished sweeps and their experiments' runs.")
    remove.add_argument("sweeps", nargs="+", metavar="SWEEP")
    apply = add_parser(
        verbs,
        "apply",
        "Restore everything a run used and made: params values, every dep and out at its "
        "recorded version; says which git commit its code came from.",
    )
    apply.add_argument("run_ref", metavar="RUN", help="run id, short id, experiment name, last~N")
    apply.add_argument(
        "-f", "--force", action="store_true", help="overwrite changes saved neither in nbvc nor git"
    )
    step = add_parser(
        verbs,
        "step",
        "Run one stage against the default remote (what each Kubeflow component runs): fetch "
        "its inputs, run it in a folder of its own, push its outputs and run record.",
    )
    step.add_argument("stage", metavar="STAGE")
    step.add_argument(
        "-S", "--set-param", dest="set_params", action="append", default=[],
        metavar="[FILE:]KEY=VALUE", help="a param value (repeatable)",
    )  # fmt: skip
    step.add_argument(
        "--inputs", action="append", default=[], metavar="JSON",
        help="versions of outs an upstream step made (its --outs-file; repeatable)",
    )  # fmt: skip
    step.add_argument("--outs-file", metavar="PATH", help="write the versions of the stage's outs")
    return ["exp"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        command = args.exp_command
        if command == "run":
            return _run(repo, args)
        if command == "show":
            return _show(repo, args)
        if command == "cancel":
            ids = repo.experiments.cancel(args.sweep)
            print("\n".join(f"cancelling sweep {short_id(i)}" for i in ids) or "no sweep runs")
            return 0
        if command == "remove":
            removed = repo.experiments.remove(args.sweeps)
            print(f"removed {len(removed)} run(s)")
            return 0
        if command == "step":
            done = repo.experiments.step(args.stage, args.set_params, args.inputs, args.outs_file)
            print(f"stage {args.stage}: run {done.short_id} {done.status.value}")
            return 0
        print_apply(repo.experiments.apply(args.run_ref, args.force))
        return 0


def _run(repo: Repo, args: argparse.Namespace) -> int:
    options = options_of(ExpRunOptions, args)
    result = repo.experiments.run(options, ProgressLine(quiet=args.quiet))
    print(format_table(repo.experiments.table(result.sweep_id)))
    failed = [r for r in result.runs if r.status == RunStatus.FAILED]
    for failure in failed[:3]:
        details = failure.extra.get("experiment") or {}
        print(f"{details.get('name', failure.short_id)}: {details.get('error')}", file=sys.stderr)
    if result.status == RunStatus.INTERRUPTED:
        return 130
    return 1 if failed else 0


def _show(repo: Repo, args: argparse.Namespace) -> int:
    if args.all:
        sweeps = repo.experiments.sweeps()
        if args.json:
            print_json([{"id": s.id, "name": s.name, "status": s.status} for s in sweeps])
            return 0
        rows = [
            [
                short_id(s.id),
                s.name,
                s.status,
                " ".join(f"{n} {k}" for k, n in sorted(s.counts().items())),
            ]
            for s in sweeps
        ]
        print(table(["sweep", "name", "status", "points"], rows) if rows else "no sweeps yet")
        return 0
    found = repo.experiments.table(args.sweep, args.sort)
    if args.json:
        print_json(found.to_json())
    else:
        print(format_table(found))
    return 0


def format_table(found: SweepTable) -> str:
    """The sweep as text; ``*`` marks each metric's best value."""
    counts = ", ".join(f"{n} {state}" for state, n in sorted(found.sweep.counts().items()))
    head = f"sweep {found.sweep.name} ({short_id(found.sweep.id)}): {found.sweep.status}; {counts}"
    columns = [
        Column("experiment"),
        Column("run"),
        Column("status"),
        Column("time", NUMBER),
        *(Column(p, NUMBER, verbatim=True, group="params") for p in found.params),
        *(Column(m, NUMBER, verbatim=True, group="metrics") for m in found.metrics),
    ]
    rows = []
    for row in found.rows:
        marks = [
            value_text(row.metrics.get(m)) + ("*" if found.best.get(m) == row.id else "")
            for m in found.metrics
        ]
        rows.append(
            [
                row.name,
                short_id(row.id),
                row.status,
                f"{row.duration:.1f}s" if row.duration is not None else "-",
                *(value_text(row.params.get(p)) for p in found.params),
                *marks,
            ]
        )
    return head + "\n" + table(columns, rows)


def print_apply(result: ApplyResult) -> None:
    run = result.run
    print(f"applied run {run.short_id} ({run.source}, {run.status.value})")
    for file in result.params_files:
        print(f"  params  {file}")
    for path in result.restored:
        print(f"  restored {path}")
    if result.missing:
        print(f"  not in nbvc (restore from git): {', '.join(result.missing)}")
    if result.git:
        print(f"its code came from git commit {result.git[:12]} (`git checkout {result.git[:12]}`)")


class ProgressLine:
    """Live progress of a sweep on the terminal: done / running / failed / ETA."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def sweep_started(self, sweep: SweepProgress) -> None:
        if not self.quiet:
            print(
                f"sweep {sweep.name} ({short_id(sweep.id)}): {sweep.total} experiment(s) on "
                f"{sweep.executor}",
                file=sys.stderr,
                flush=True,
            )

    def experiment_started(self, sweep: SweepProgress, exp_id: str) -> None:
        self._line(sweep)

    def experiment_finished(self, sweep: SweepProgress, run: RunRecord) -> None:
        if not self.quiet and not self.tty:
            label = sweep.labels.get(run.id, "")
            print(f"  {run.short_id} {run.status.value:<11} {label}", file=sys.stderr, flush=True)
        self._line(sweep, force=True)

    def sweep_finished(self, sweep: SweepProgress) -> None:
        if self.tty and not self.quiet:
            sys.stderr.write("\n")

    def _line(self, sweep: SweepProgress, force: bool = False) -> None:
        now = time.monotonic()
        if self.quiet or not self.tty or (not force and now - self.last < 0.2):
            return
        self.last = now
        eta = sweep.eta()
        text = (
            f"\r{sweep.done}/{sweep.total} done, {len(sweep.running)} running, "
            f"{sweep.failed} failed" + (f", ETA {eta:.0f}s" if eta is not None else "")
        )
        sys.stderr.write(text.ljust(60))
        sys.stderr.flush()
