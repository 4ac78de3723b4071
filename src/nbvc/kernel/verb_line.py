"""How a verb's magic reads its line, so that it takes every option the command line takes.

A hand-written magic (``%version_status``, ``%runs``, ...: :data:`nbvc.core.VERBS` marks them
``rich``) parses its line with the declaration its CLI verb is built from
(:mod:`nbvc.core.verbs`, :mod:`nbvc.core.front_options`) and shows the result as a rich view.
What that view cannot show (``--json``, a page written to a file, ``%runs show RUN``) it hands to
the CLI verb itself, as the generated magics do (:func:`run_verb`): the options, output and
errors are then the command line's by construction.
"""

from __future__ import annotations

import argparse
import functools
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from IPython.core.error import UsageError
from IPython.display import display

from nbvc.core import QUIET_OPTION, VERBS
from nbvc.kernel.arguments import argument, magic_arguments, options, split
from nbvc.kernel.display import Preformatted
from nbvc.kernel.tracer import CellTracer

EXIT_USAGE = 2  # the CLI's exit code for a usage error (docs/errors.md)

Body = Callable[[Any, argparse.Namespace], Any]  # a magic's work, on its parsed arguments
Magic = Callable[[Any, str], Any]  # what IPython calls with the line


def run_verb(tracer: CellTracer, verb: str, words: Sequence[str]) -> Preformatted:
    """Run ``nbvc VERB WORDS`` as the command line does; its output, or a one-line UsageError.

    The cells' lineage is written first (a push or a gc sees it) and the tracer is paused, so
    the verb's own reads and writes are not taken for the cell's. Interrupting the cell stops
    the command."""
    tracer.flush()
    with tracer.paused():
        done = subprocess.run(
            [sys.executable, "-m", "nbvc", verb, *words],
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
            cwd=os.getcwd(),
            env={**os.environ, "COLUMNS": "120"},
        )
    magic = VERBS[verb].magic if verb in VERBS else "nbvc"
    shown = Preformatted(shlex.join(["nbvc", verb, *words]), done.stdout.rstrip("\n"))
    errors = [ln for ln in done.stderr.splitlines() if ln.strip()]
    if done.returncode == 0:
        for note in errors:  # warnings: the CLI writes them to stderr
            print(note, file=sys.stderr)
        return shown
    if done.stdout.strip():
        display(shown)  # type: ignore[no-untyped-call]
    failure = next((ln for ln in reversed(errors) if ln.startswith("nbvc: error: ")), None)
    if failure is not None:  # the help the message points to is the magic's here
        message = failure.removeprefix("nbvc: error: ")
        raise UsageError(message.replace(f"`nbvc {verb} --help`", f"`%{magic} --help`"))
    if done.returncode == EXIT_USAGE:  # e.g. --help, or a usage message argparse printed
        print(done.stderr, file=sys.stderr)
        raise UsageError(f"`%{magic} --help` shows the options")
    raise UsageError(errors[-1] if errors else f"nbvc {verb} exited with {done.returncode}")


@dataclass(frozen=True)
class VerbLine:
    """What a hand-written magic shows itself and what it hands to its CLI verb."""

    verb: str
    cli_shows: tuple[str, ...]  # options whose result only the CLI verb shows (``json``)
    # the magic draws the verb's subcommands itself, this one when the line names none
    # (``%plots`` is ``plots show``); None: it hands every subcommand to the CLI verb
    subcommand: str | None


class Routed(NamedTuple):
    """A magic's line, read: its arguments for the rich view, or (``args`` None) the words for
    ``nbvc VERB``."""

    args: argparse.Namespace | None
    words: list[str]


def route(magic: Callable[..., Any], line: str) -> Routed:
    """Read ``line`` as the magic ``magic`` (made by :func:`verb_magic`) does; bad options
    raise a one-line UsageError."""
    how: VerbLine = getattr(magic, "verb_line")  # noqa: B009 - set by verb_magic
    parser: argparse.ArgumentParser = getattr(magic, "parser")  # noqa: B009 - set by IPython
    words = split(line)
    chosen = how.subcommand
    if words and words[0] in VERBS[how.verb].subcommands:
        if how.subcommand is None:
            return Routed(None, words)
        chosen, words = words[0], words[1:]
    args = parser.parse_args(words)
    if any(getattr(args, name) != parser.get_default(name) for name in how.cli_shows):
        return Routed(None, [chosen, *words] if chosen is not None else words)
    args.subcommand = chosen
    return Routed(args, words)


def verb_magic(
    verb: str,
    declared: type[Any],
    *,
    cli_shows: Sequence[str] = (),
    subcommand: str | None = None,
) -> Callable[[Body], Magic]:
    """Make ``body(self, args)`` the magic of the CLI verb ``verb``: its line is parsed with
    the options ``declared`` declares (the CLI verb's), ``-q`` and the body's own ``@argument``
    decorators (what only a notebook offers), and handed to the CLI verb where the rich view
    cannot show the result (see :class:`VerbLine`)."""
    how = VerbLine(verb, tuple(cli_shows), subcommand)

    def decorate(body: Body) -> Magic:
        @functools.wraps(body)
        def magic(self: Any, line: str) -> Any:
            routed = route(magic, line)
            if routed.args is None:
                return run_verb(self.tracer, verb, routed.words)
            return body(self, routed.args)

        # IPython builds the parser from the decorators in the order they appear in the source
        # (it reads its list backwards): the declared options, -q, then the body's own
        shared = [
            argument(*QUIET_OPTION.flags, action="store_true", help=QUIET_OPTION.help),
            options(declared),
        ]
        setattr(magic, "decorators", [*getattr(body, "decorators", []), *shared])  # noqa: B010
        setattr(magic, "has_arguments", True)  # noqa: B010
        setattr(magic, "verb_line", how)  # noqa: B010
        made: Magic = magic_arguments()(magic)
        return made

    return decorate
