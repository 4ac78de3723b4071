"""One module per verb. Each has ``register(subparsers) -> names`` and ``run(args) -> int``."""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any, TypeVar

from nbvc.core import verb_options

V = TypeVar("V")


def common() -> argparse.ArgumentParser:
    """Options every verb accepts."""
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: without -q after the verb, keep what `nbvc -q VERB` set instead of resetting it
    parent.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no progress bars or notes",
    )
    return parent


def add_parser(sub: Any, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, parents=[common()], **kwargs
    )
    return parser


def add_options(parser: argparse.ArgumentParser, options: type[Any]) -> None:
    """The arguments of a verb, from the dataclass that declares its options
    (:mod:`nbvc.core.verbs`)."""
    for spec in verb_options(options):
        opt = spec.option
        if not opt.cli:
            continue
        if spec.positional:
            parser.add_argument(spec.name, nargs="*", metavar=opt.metavar, help=opt.help)
        elif spec.kind is bool:
            action = "store_false" if spec.default else "store_true"
            parser.add_argument(*opt.flags, dest=spec.name, action=action, help=opt.help)
        elif opt.minimum is not None:
            parser.add_argument(
                *opt.flags,
                dest=spec.name,
                metavar=opt.metavar,
                type=_minimum(opt.minimum),
                help=opt.help,
            )
        else:
            parser.add_argument(*opt.flags, dest=spec.name, metavar=opt.metavar, help=opt.help)


def options_of(options: type[V], args: argparse.Namespace) -> V:
    """The verb's options from parsed arguments (what the command line does not offer keeps
    its default)."""
    values = {}
    for spec in verb_options(options):
        if spec.option.cli:
            value = getattr(args, spec.name)
            values[spec.name] = tuple(value) if isinstance(value, list) else value
    return options(**values)


def _minimum(low: int) -> Any:
    def number(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}")
        return value

    return number


# Top-level command name -> module in this package. Only the module of the command being run is
# imported, which keeps `nbvc status` start-up short.
COMMANDS: dict[str, str] = {
    "init": "init",
    "add": "add",
    "status": "status",
    "log": "log",
    "checkout": "checkout",
    "diff": "diff",
    "tag": "tag",
    "lineage": "lineage",
    "gc": "gc",
    "fsck": "fsck",
    "repro": "repro",
    "runs": "runs",
    "params": "params",
    "metrics": "metrics",
    "plots": "plots",
    "remote": "remote",
    "push": "push",
    "fetch": "fetch",
    "pull": "pull",
}


def load(name: str) -> ModuleType:
    import importlib

    return importlib.import_module(f"nbvc.cli.commands.{COMMANDS[name]}")
