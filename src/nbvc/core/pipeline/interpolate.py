"""``${...}`` interpolation and ``foreach``/``matrix`` expansion, as in DVC's `dvc.yaml`.

A string that is exactly one ``${expr}`` takes the value's type (so ``foreach: ${models}`` gets
a list); inside longer strings only scalars are substituted. ``\\${`` escapes a literal ``${``.
Expressions are variable names with ``.key`` and ``[index]`` parts: ``${train.lr}``,
``${item.name}``, ``${layers[0]}``. Nothing but declared vars is ever substituted.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from nbvc.core.formats.yamlio import KeyPath, YamlDoc

_EXPR = re.compile(r"(\\)?\$\{\s*([^{}]*?)\s*\}")
_PART = re.compile(r"\.?([A-Za-z_][\w-]*)|\[(\d+)\]")


class InterpolationError(Exception):
    """A ``${}`` that cannot be resolved; the caller adds file and line."""


def resolve_expr(expr: str, context: Mapping[str, Any]) -> Any:
    value: Any = context
    pos = 0
    shown = ""
    while pos < len(expr):
        match = _PART.match(expr, pos)
        if match is None or (pos == 0 and match.group(0).startswith((".", "["))):
            raise InterpolationError(f"cannot parse ${{{expr}}}")
        key, index = match.group(1), match.group(2)
        if key is not None:
            if not isinstance(value, Mapping) or key not in value:
                known = ", ".join(sorted(map(str, value))) if isinstance(value, Mapping) else ""
                hint = f" (defined here: {known})" if known else ""
                raise InterpolationError(f"${{{expr}}}: {shown + key!s} is not defined{hint}")
            value = value[key]
            shown += key + "."
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                raise InterpolationError(f"${{{expr}}}: index [{index}] is out of range")
            value = value[int(index)]
        pos = match.end()
    if pos == 0:
        raise InterpolationError("empty ${}")
    return value


def interpolate_string(text: str, context: Mapping[str, Any]) -> Any:
    whole = _EXPR.fullmatch(text)
    if whole is not None and whole.group(1) is None:
        return resolve_expr(whole.group(2), context)

    def substitute(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(0)[1:]
        value = resolve_expr(match.group(2), context)
        return _scalar_text(value, match.group(0))

    return _EXPR.sub(substitute, text)


def _scalar_text(value: Any, expr: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    kind = (
        "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else "empty"
    )
    raise InterpolationError(f"{expr} is {kind}; only strings and numbers go inside a string")


def interpolate(value: Any, context: Mapping[str, Any], doc: YamlDoc, path: KeyPath) -> Any:
    """``value`` with every ``${}`` in strings (and mapping keys) resolved."""
    try:
        if isinstance(value, str):
            return interpolate_string(value, context) if "${" in value else value
        if isinstance(value, list):
            return [interpolate(v, context, doc, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                new_key = interpolate(key, context, doc, (*path, str(key)))
                result[new_key] = interpolate(item, context, doc, (*path, str(key)))
            return result
    except InterpolationError as exc:
        raise doc.error(path, str(exc)) from None
    return value


def foreach_items(items: Any) -> Iterator[tuple[str, Any, Any]]:
    """``(name suffix, key, item)`` for each element of a ``foreach`` list or mapping."""
    if isinstance(items, Mapping):
        for key, item in items.items():
            yield str(key), key, item
        return
    for index, item in enumerate(items):
        suffix = _scalar_name(item) if _is_scalar(item) else str(index)
        yield suffix, index, item


def matrix_items(matrix: Mapping[str, list[Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(name suffix, item)`` for each combination, e.g. ``("a-0.1", {"model": "a", ...})``."""
    names = list(matrix)
    labelled = [
        [(_scalar_name(v) if _is_scalar(v) else f"{name}{i}", v) for i, v in enumerate(values)]
        for name, values in matrix.items()
    ]
    for combo in itertools.product(*labelled):
        suffix = "-".join(label for label, _ in combo)
        yield suffix, {name: value for name, (_, value) in zip(names, combo, strict=True)}


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _scalar_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def merge_vars(base: dict[str, Any], extra: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """Merge ``extra`` into ``base``; redefining a value (not a mapping) is an error, as in DVC."""
    merged = dict(base)
    for key, value in extra.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            merged[key] = merge_vars(current, value, f"{where}{key}.")
        elif key in merged and current != value:
            raise InterpolationError(f"cannot redefine var {where}{key}")
        else:
            merged[key] = value
    return merged
