"""`nbvc` entry point: parse, dispatch to a verb module, turn NbvcError into a message."""

from __future__ import annotations

import io
import os
import sqlite3
import sys
from collections.abc import Sequence
from types import ModuleType

from nbvc import __version__
from nbvc.cli.commands import COMMANDS, load
from nbvc.cli.usage import Parser
from nbvc.core import QUIET_OPTION, NbvcError, system_message


def build_parser(
    argv: Sequence[str] | None = None,
) -> tuple[Parser, dict[str, ModuleType]]:
    """The parser. With ``argv`` naming a command, only that command's module is imported and
    registered; otherwise (``--version``, ``--help``, no or an unknown command) none is: every
    command is listed with the summary :data:`COMMANDS` declares for it."""
    parser = Parser(
        prog="nbvc",
        description="Notebook-native version control for data, models, pipelines and metrics.",
    )
    parser.add_argument("--version", action="version", version=f"nbvc {__version__}")
    parser.add_argument(*QUIET_OPTION.flags, action="store_true", help=QUIET_OPTION.help)
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


# Exit codes (docs/errors.md): every NbvcError carries its own (1 today).
EXIT_ERROR, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 1, 2, 70, 130, 141


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    # file names that are not UTF-8 are printed as the bytes they are, never a traceback
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="surrogateescape")
    parser, handlers = build_parser(argv)
    parser.command_line = tuple(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = handlers[args.command].run(args)
    except BrokenPipeError:  # e.g. `nbvc log --json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("nbvc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get("NBVC_DEBUG") and not isinstance(exc, NbvcError):
            raise
        message, code = failure(exc)
        print(f"nbvc: error: {message}", file=sys.stderr)
    return code


def failure(exc: Exception) -> tuple[str, int]:
    """The one-line message and the exit code of a failed command."""
    if isinstance(exc, NbvcError):
        return str(exc), exc.exit_code
    if isinstance(exc, OSError):  # e.g. a full disk or a permission: the system says what
        return system_message(exc), EXIT_ERROR
    if isinstance(exc, sqlite3.Error):  # the index: locked too long, or damaged under our feet
        return (
            f"the index .nbvc/index.db failed ({exc}); if this repeats, delete .nbvc/index.db* "
            "(nbvc rebuilds it from .nbvc/records)",
            EXIT_ERROR,
        )
    return (  # a bug: one line, the details on request
        f"internal error ({type(exc).__name__}: {exc}); this is a bug in nbvc, please report "
        "it (NBVC_DEBUG=1 shows the traceback)",
        EXIT_INTERNAL,
    )


if __name__ == "__main__":
    sys.exit(main())
