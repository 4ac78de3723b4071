"""Usage errors in the one-line form of every other error, with a hint of what was meant.

argparse prints its whole usage block and a message of its own wording on a usage error;
:class:`Parser` prints ``nbvc: error: WHAT (did you mean X?); see `nbvc VERB --help``` instead
and exits with 2 (docs/errors.md).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import NoReturn

EXIT_USAGE = 2

_INVALID_CHOICE = re.compile(r"argument (\S+): invalid choice: '([^']*)'")
_UNRECOGNIZED = re.compile(r"unrecognized arguments: (.*)")


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line with a hint (subparsers inherit it).

    ``command_line``: the words being parsed, which tell the top-level parser which verb an
    unknown option was given to."""

    command_line: tuple[str, ...] = ()

    def error(self, message: str) -> NoReturn:
        print(f"nbvc: error: {usage_message(self, message)}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def usage_message(parser: argparse.ArgumentParser, message: str) -> str:
    """argparse's ``message`` about ``parser``'s arguments, reworded, with the closest word."""
    if isinstance(parser, Parser) and (found := _UNRECOGNIZED.fullmatch(message)):
        parser = _verb_parser(parser, parser.command_line)
    help_hint = f"see `{parser.prog} --help`"
    if found := _INVALID_CHOICE.match(message):
        kind = "command" if found.group(1) in ("COMMAND", "command") else f"{found.group(1)}"
        word = found.group(2)
        return f"unknown {kind} {word!r}{_closest(word, _choices(parser))}; {help_hint}"
    if found := _UNRECOGNIZED.fullmatch(message):
        words = found.group(1).split()
        first = next((w for w in words if w.startswith("-")), words[0])
        if first.startswith("-"):
            option = first.split("=", 1)[0]
            near = _closest(option, _option_strings(parser))
            return f"unknown option {option} for {parser.prog}{near}; {help_hint}"
        return f"unexpected argument {first!r} for {parser.prog}; {help_hint}"
    return f"{parser.prog}: {message}; {help_hint}"


def _verb_parser(top: argparse.ArgumentParser, argv: Iterable[str]) -> argparse.ArgumentParser:
    """The deepest (sub-)command parser ``argv`` chooses: ``nbvc plots show --jsn`` gives
    ``nbvc plots show``'s."""
    current = top
    for word in argv:
        choices = _subparsers(current)
        if word in choices:
            current = choices[word]
    return current


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _choices(parser: argparse.ArgumentParser) -> list[str]:
    return list(_subparsers(parser))


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [s for action in parser._actions for s in action.option_strings if s.startswith("--")]


def _closest(word: str, candidates: Iterable[str]) -> str:
    import difflib  # only on a usage error: every command's start-up would pay for it

    near = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {near[0]}?)" if near else ""
