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

from nbvc.core import argparse_argument, options_from_arguments, verb_options

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


def parse_argstring(magic: Callable[..., Any], line: str) -> argparse.Namespace:
    """Parse ``line`` with the options declared on ``magic``; bad options raise UsageError.

    Words are split the way a shell splits them, so ``-m "first cut"`` means ``first cut``
    (IPython's own splitting would keep the quotes).
    """
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"cannot read the arguments ({exc}): {line}") from None
    parser: argparse.ArgumentParser = magic.parser  # type: ignore[attr-defined]
    return parser.parse_args(words)


def options(verb: type[Any]) -> Decorator:
    """The arguments of a magic, from the dataclass that declares the verb's options
    (:mod:`nbvc.core.verbs`): only those it offers in notebooks, in their declared order."""
    offered = [argparse_argument(spec) for spec in verb_options(verb) if spec.option.magic]

    def decorate(func: F) -> F:
        for names, keywords in reversed(offered):  # decorators apply bottom-up
            func = argument(*names, **keywords)(func)
        return func

    return decorate


def options_of(verb: type[V], args: argparse.Namespace) -> V:
    """The verb's options from a magic's parsed arguments (the rest keep their defaults)."""
    return options_from_arguments(verb, args, "magic")
