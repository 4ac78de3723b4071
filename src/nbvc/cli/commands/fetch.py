"""nbvc fetch"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_options, add_parser, options_of
from nbvc.cli.commands.push import report
from nbvc.cli.output import reporter
from nbvc.core import Repo, TransferOptions, option_values


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "fetch",
        "Receive history records and the data of tracked artifacts (default: all) from a remote "
        "into the cache, verifying every object; the workspace is left as it is.",
    )
    add_options(parser, TransferOptions)
    return ["fetch"]


def run(args: argparse.Namespace) -> int:
    options = options_of(TransferOptions, args)
    with Repo.find() as repo:
        result = repo.fetch(**option_values(options), reporter=reporter(args.quiet))
    return report(result)
