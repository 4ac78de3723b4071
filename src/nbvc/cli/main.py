"""`nbvc` entry point: parse, dispatch to a verb module, turn NbvcError into a message."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from nbvc import __version__
from nbvc.cli.commands import COMMANDS, load
from nbvc.core.errors import NbvcError


def build_parser(
    argv: Sequence[str] | None = None,
) -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    """The parser. With ``argv`` naming a command, only that command's module is imported and
    registered; otherwise (``--version``, ``--help``, no or an unknown command) none is: every
    command is listed with the summary :data:`COMMANDS` declares for it."""
    parser = argparse.ArgumentParser(
        prog="nbvc",
        description="Notebook-native version control for data, models, pipelines and metrics.",
    )
    parser.add_argument("--version", action="version", version=f"nbvc {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars or notes")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers: dict[str, ModuleType] = {}
    wanted = next((a for a in argv or () if not a.startswith("-")), None)
    if wanted in COMMANDS:
        module = load(wanted)
        handlers = dict.fromkeys(module.register(sub), module)
    else:
        for name, verb in COMMANDS.items():
            sub.add_parser(name, help=verb.summary)
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser, handlers = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code: int = handlers[args.command].run(args)
    except NbvcError as exc:
        print(f"nbvc: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nbvc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `nbvc log --json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # e.g. a full disk or a permission: the system says what is wrong
        print(f"nbvc: error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
