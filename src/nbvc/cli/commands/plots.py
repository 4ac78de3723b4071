"""nbvc plots show"""

from __future__ import annotations

import argparse
import os
from typing import Any

from nbvc.cli.commands import add_options, add_parser
from nbvc.cli.output import print_json
from nbvc.core import (
    PLOTS_PAGE,
    PlotsDiffOptions,
    PlotsOptions,
    Repo,
    atomic_write_text,
    plots_diff_refs,
    plots_page,
)


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "plots", "Plot metric curves and plot files of runs.")
    verbs = parser.add_subparsers(dest="plots_command", metavar="COMMAND", required=True)
    show = add_parser(
        verbs,
        "show",
        "Write Vega-Lite plots of runs (default: the latest) or `workspace` to an HTML page.",
    )
    add_options(show, PlotsOptions)
    diff = add_parser(
        verbs,
        "diff",
        "Plot git revisions against each other: none given, HEAD and the workspace; one, that "
        "revision and the workspace.",
    )
    add_options(diff, PlotsDiffOptions)
    return ["plots"]


def run(args: argparse.Namespace) -> int:
    refs = plots_diff_refs(args.refs) if args.plots_command == "diff" else list(args.refs)
    with Repo.find() as repo:
        specs = [spec for _, spec in repo.metrics.plots(refs)]
    if args.json:
        print_json(specs)
        return 0
    if not specs:
        print("Nothing to plot: no logged metric series and no plot files in these runs.")
        return 0
    out = os.path.abspath(args.out or PLOTS_PAGE)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    atomic_write_text(out, plots_page(specs))
    print(f"Wrote {len(specs)} plot(s) to {out}")
    return 0
