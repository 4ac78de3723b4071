"""nbvc import mlflow [PATH_OR_URI]"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.core import Repo, import_mlflow


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "import", "Bring in history kept by another tool.")
    tools = parser.add_subparsers(dest="tool", metavar="TOOL", required=True)
    mlflow = tools.add_parser(
        "mlflow",
        help="MLflow experiments and runs (sqlite:///mlflow.db, mlruns/, or a server URL)",
    )
    mlflow.add_argument(
        "source",
        nargs="?",
        metavar="PATH_OR_URI",
        help="default: mlflow.db, else mlruns/, in the repo",
    )
    return ["import"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        result = import_mlflow(repo, args.source)
    print(
        f"Imported {len(result.imported)} runs ({result.artifacts} artifact files) from "
        f"{result.experiments} experiments of {result.source}"
        + (f"; {result.skipped} imported before" if result.skipped else "")
    )
    return 0
