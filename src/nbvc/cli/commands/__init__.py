"""One module per verb. Each has ``register(subparsers) -> names`` and ``run(args) -> int``."""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any, NamedTuple, TypeVar

from nbvc.core import QUIET_OPTION, VERBS, add_verb_arguments, options_from_arguments

V = TypeVar("V")


def common() -> argparse.ArgumentParser:
    """Options every verb accepts."""
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: without -q after the verb, keep what `nbvc -q VERB` set instead of resetting it
    parent.add_argument(
        *QUIET_OPTION.flags, action="store_true", default=argparse.SUPPRESS, help=QUIET_OPTION.help
    )
    return parent


def add_parser(sub: Any, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, parents=[common()], **kwargs
    )
    return parser


def add_options(parser: argparse.ArgumentParser, verb: type[Any]) -> None:
    """The arguments of a verb, from the dataclass that declares its options
    (:mod:`nbvc.core.verbs`)."""
    add_verb_arguments(parser, verb, "cli")


def options_of(verb: type[V], args: argparse.Namespace) -> V:
    """The verb's options from parsed arguments (those the CLI does not offer: defaults)."""
    return options_from_arguments(verb, args, "cli")


class Command(NamedTuple):
    """A top-level command: the module in this package that implements it, and the one line
    `nbvc --help` shows for it (from :data:`nbvc.core.VERBS`, the one table of verbs, so the
    listing imports no verb module)."""

    module: str
    summary: str


# The module of each verb (default: its name). Only the module of the command being run is
# imported, which keeps start-up short: `nbvc --version` and `nbvc --help` import none
# (tests/cli/test_main.py checks this table against the modules).
_MODULES = {"import-dvc": "import_dvc", "import": "import_cmd"}
COMMANDS: dict[str, Command] = {
    name: Command(_MODULES.get(name, name), verb.summary) for name, verb in VERBS.items()
}


def load(name: str) -> ModuleType:
    import importlib

    return importlib.import_module(f"nbvc.cli.commands.{COMMANDS[name].module}")
