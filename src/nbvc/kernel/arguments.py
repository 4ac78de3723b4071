"""Typed fronts for IPython's magic decorators: ``line_magic`` (typed loosely upstream) and
``magic_arguments`` (argparse-based options, shown by ``%magic?``; untyped upstream)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from IPython.core import magic as _magic
from IPython.core import magic_arguments as _ipython

F = TypeVar("F", bound=Callable[..., Any])


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
    """Parse ``line`` with the options declared on ``magic``; bad options raise UsageError."""
    args: argparse.Namespace = _ipython.parse_argstring(magic, line)  # type: ignore[no-untyped-call]
    return args
