"""nbvc checkout"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_options, add_parser, options_of
from nbvc.cli.commands.exp import print_apply
from nbvc.cli.output import reporter
from nbvc.core import CheckoutOptions, Repo


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "checkout",
        "Restore a version into the workspace: PATH (what the pointer says) or PATH@REF, "
        "where REF is vN, a tag or a git revision.",
    )
    add_options(parser, CheckoutOptions)
    return ["checkout"]


def run(args: argparse.Namespace) -> int:
    checkout = options_of(CheckoutOptions, args).checked()
    with Repo.find() as repo:
        if checkout.run is not None:
            print_apply(repo.experiments.apply(checkout.run, checkout.force))
            return 0
        for spec in checkout.specs:
            result = repo.checkout(spec, force=checkout.force, reporter=reporter(args.quiet))
            where = result.target.label
            if result.changed:
                print(
                    f"{result.target.artifact}: restored {where} "
                    f"({result.written} written, {result.deleted} removed)"
                )
            else:
                print(f"{result.target.artifact}: already at {where}")
    return 0
