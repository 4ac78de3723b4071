"""nbvc export kubeflow"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.core import Repo, export_kubeflow


def register(sub: Any) -> list[str]:
    parser = add_parser(sub, "export", "Export the pipeline to another engine.")
    targets = parser.add_subparsers(dest="export_target", metavar="TARGET", required=True)
    kubeflow = add_parser(
        targets,
        "kubeflow",
        "Compile the pipeline into a Kubeflow Pipelines v2 spec (needs the kfp extra): one "
        "component per stage, data moved through the nbvc remote, params as pipeline parameters.",
    )
    kubeflow.add_argument("targets", nargs="*", metavar="STAGE", help="default: every stage")
    kubeflow.add_argument("-o", "--output", required=True, metavar="FILE", help="the YAML to write")
    kubeflow.add_argument(
        "--image", required=True, metavar="IMAGE", help="container image holding the project"
    )
    kubeflow.add_argument("--name", metavar="NAME", help="pipeline name (default: the folder's)")
    return ["export"]


def run(args: argparse.Namespace) -> int:
    with Repo.find() as repo:
        done = export_kubeflow(repo, args.targets, args.output, args.image, args.name)
    print(
        f"wrote {done.path}: {len(done.stages)} component(s) ({', '.join(done.stages)}), "
        f"{len(done.params)} pipeline parameter(s)"
    )
    return 0
