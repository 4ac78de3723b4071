"""Typed fronts for IPython's magic decorators: ``line_magic`` (typed loosely upstream) and
``magic_arguments`` (argparse-based options, shown by ``%magic?``; untyped upstream)."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from IPython.core import magic as _magic
from IPython.core import magic_arguments as _ipython
from IPython.core.error import UsageError

from nbvc.core import add_verb_arguments, options_from_arguments

F = TypeVar("F", bound=Callable[..., Any])
V = TypeVar("V")


class Decorator(Protocol):
    def __call__(self, func: F, /) -> F: ...


def line_magic(func: F) -> F:
    """Mark a method of a ``@magics_class`` as a line magic named after it."""
    return cast(F, _magic.line_magic(func))


def magic_arguments() -> Decorator:
    decorator: Decorator = _ipython.magic_arguments()  # type: ignore[no-untyped-call]
    return decorator


def argument(*args: Any, **kwargs: Any) -> Decorator:
    decorator: Decorator = _ipython.argument(*args, **kwargs)  # type: ignore[no-untyped-call]
    return decorator


def split(line: str) -> list[str]:
    """The words of a magic's line, split the way a shell splits them, so ``-m "first cut"``
    means ``first cut`` (IPython's own splitting would keep the quotes)."""
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"cannot read the arguments ({exc}): {line}") from None


def parse_argstring(magic: Callable[..., Any], line: str) -> argparse.Namespace:
    """Parse ``line`` with the options declared on ``magic``; bad options raise UsageError."""
    parser: argparse.ArgumentParser = magic.parser  # type: ignore[attr-defined]
    return parser.parse_args(split(line))


class _Declared(_ipython.ArgDecorator):
    """Adds the options a verb declares to a magic's parser (IPython calls ``add_to_parser``
    when ``magic_arguments`` builds it)."""

    def __init__(self, verb: type[Any]) -> None:
        self.verb = verb

    def add_to_parser(self, parser: argparse.ArgumentParser, group: Any) -> None:
        add_verb_arguments(parser, self.verb, "magic")


def options(verb: type[Any]) -> Decorator:
    """The arguments of a magic, from the dataclass that declares the verb's options
    (:mod:`nbvc.core.verbs`), in their declared order: the same as the command line's."""
    decorator: Decorator = _Declared(verb)
    return decorator


def options_of(verb: type[V], args: argparse.Namespace) -> V:
    """The verb's options from a magic's parsed arguments (the rest keep their defaults)."""
    return options_from_arguments(verb, args, "magic")
