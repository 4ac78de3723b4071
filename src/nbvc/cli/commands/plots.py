"""nbvc plots show"""

from __future__ import annotations

import argparse
import os
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import print_json
from nbvc.core import Repo, atomic_write_text, plots_page

DEFAULT_PAGE = os.path.join("nbvc_plots", "index.html")  # as DVC's dvc_plots/index.html


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "plots", "Plot metric curves and plot files of runs.")
    verbs = parser.add_subparsers(dest="plots_command", metavar="COMMAND", required=True)
    show = add_parser(
        verbs,
        "show",
        "Write Vega-Lite plots of runs (default: the latest) or `workspace` to an HTML page.",
    )
    show.add_argument("refs", nargs="*", metavar="REF", help="run ids, `workspace`, git revisions")
    _output_options(show)
    diff = add_parser(
        verbs,
        "diff",
        "Plot git revisions against each other: none given, HEAD and the workspace; one, that "
        "revision and the workspace.",
    )
    diff.add_argument("refs", nargs="*", metavar="REV")
    _output_options(diff)
    return ["plots"]


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--out",
        metavar="FILE.html",
        default=DEFAULT_PAGE,
        help=f"where to write the page (default: {DEFAULT_PAGE})",
    )
    parser.add_argument("--json", action="store_true", help="print the Vega-Lite specs instead")


def run(args: argparse.Namespace) -> int:
    refs = list(args.refs)
    if args.plots_command == "diff" and len(refs) < 2:
        refs = [refs[0] if refs else "HEAD", "workspace"]
    with Repo.find() as repo:
        specs = [spec for _, spec in repo.metrics.plots(refs)]
    if args.json:
        print_json(specs)
        return 0
    if not specs:
        print("Nothing to plot: no logged metric series and no plot files in these runs.")
        return 0
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    atomic_write_text(out, plots_page(specs))
    print(f"Wrote {len(specs)} plot(s) to {out}")
    return 0
