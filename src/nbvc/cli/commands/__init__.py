"""One module per verb. Each has ``register(subparsers) -> names`` and ``run(args) -> int``."""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any


def common() -> argparse.ArgumentParser:
    """Options every verb accepts."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("-q", "--quiet", action="store_true", help="no progress bars or notes")
    return parent


def add_parser(sub: Any, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, parents=[common()], **kwargs
    )
    return parser


def _load() -> list[ModuleType]:
    from nbvc.cli.commands import (
        add,
        checkout,
        diff,
        fetch,
        fsck,
        gc,
        init,
        log,
        pull,
        push,
        remote,
        status,
        tag,
    )

    return [init, add, status, log, checkout, diff, tag, gc, fsck, remote, push, fetch, pull]


COMMANDS = _load()
