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

from nbvc.core import verb_options

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
    offered = [spec for spec in verb_options(verb) if spec.option.magic]

    def decorate(func: F) -> F:
        for spec in reversed(offered):  # decorators apply bottom-up
            opt = spec.option
            if spec.positional:
                func = argument(spec.name, nargs="*", metavar=opt.metavar, help=opt.help)(func)
            elif spec.kind is bool:
                action = "store_false" if spec.default else "store_true"
                func = argument(*opt.flags, dest=spec.name, action=action, help=opt.help)(func)
            else:
                func = argument(*opt.flags, dest=spec.name, metavar=opt.metavar, help=opt.help)(
                    func
                )
        return func

    return decorate


def options_of(verb: type[V], args: argparse.Namespace) -> V:
    """The verb's options from a magic's parsed arguments (the rest keep their defaults)."""
    values: dict[str, Any] = {}
    for spec in verb_options(verb):
        if spec.option.magic:
            value = getattr(args, spec.name)
            values[spec.name] = tuple(value) if isinstance(value, list) else value
    return verb(**values)
