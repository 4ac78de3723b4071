"""Reading ``-S [FILE:]key=VALUES`` into the points of a sweep.

VALUES is one value, a comma list (``0.01,0.1``), ``range(a,b[,step])`` (``b`` excluded, as in
Python), ``linspace(a,b,n)`` (both ends included) or ``choice(v1,v2,...)``. Each value is read as a
YAML scalar, so ``0.1`` is a float, ``8`` an int, ``true`` a bool and ``adam`` a string. Several
``-S`` make a grid (their product, in the order given); ``random`` samples that many points of it.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from typing import Any

from nbvc.core.errors import ExperimentError

DEFAULT_PARAMS_FILE = "params.yaml"
MAX_POINTS = 100_000
_FUNCTION = re.compile(r"^(range|linspace|choice)\((.*)\)$", re.DOTALL)
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$")

Point = dict[str, dict[str, Any]]  # params file -> dotted key -> value (a run's params shape)


@dataclass(frozen=True)
class Axis:
    """One ``-S``: a params file, a dotted key in it, and the values to try."""

    file: str
    key: str
    values: tuple[Any, ...]

    @property
    def label(self) -> str:
        return self.key if self.file == DEFAULT_PARAMS_FILE else f"{self.file}:{self.key}"


def parse_axis(text: str) -> Axis:
    """One ``-S`` argument."""
    target, sep, values = text.partition("=")
    if not sep or not target.strip():
        raise ExperimentError(f"-S {text!r}: write [FILE:]KEY=VALUES, e.g. -S train.lr=0.01,0.1")
    file, colon, key = target.strip().rpartition(":")
    file = file if colon else DEFAULT_PARAMS_FILE
    if not _KEY.match(key):
        raise ExperimentError(f"-S {text!r}: {key!r} is not a params key (dotted names only)")
    if file.startswith("/") or ".." in file.split("/"):
        raise ExperimentError(f"-S {text!r}: the params file must be inside the repo")
    parsed = parse_values(values.strip(), text)
    return Axis(file, key, parsed)


def parse_values(text: str, where: str) -> tuple[Any, ...]:
    match = _FUNCTION.match(text)
    if match is None:
        return tuple(_scalar(item, where) for item in _split(text, where))
    name, inner = match.groups()
    args = [_scalar(item, where) for item in _split(inner, where)]
    if name == "choice":
        return tuple(args)
    numbers = _numbers(args, name, where)
    return _range(numbers, where) if name == "range" else _linspace(numbers, where)


def points(axes: list[Axis], sample: int | None = None, seed: int | None = None) -> list[Point]:
    """Every point of the grid, or ``sample`` of them picked at random."""
    if not axes:
        raise ExperimentError("a sweep needs at least one -S [FILE:]KEY=VALUES")
    labels = [axis.label for axis in axes]
    if len(set(labels)) != len(labels):
        raise ExperimentError(f"-S names a param twice: {', '.join(labels)}")
    size = 1
    for axis in axes:
        size *= len(axis.values)
    if size > MAX_POINTS and sample is None:
        raise ExperimentError(
            f"the grid has {size} points (more than {MAX_POINTS}); use --random N to sample it"
        )
    if sample is not None and sample < 1:
        raise ExperimentError("--random must be at least 1")
    if sample is not None and sample < size:
        indices = sorted(random.Random(seed).sample(range(size), sample))
        combos = [_combo(axes, index) for index in indices]
    else:
        combos = [tuple(c) for c in itertools.product(*(axis.values for axis in axes))]
    found = []
    for combo in combos:
        point: Point = {}
        for axis, value in zip(axes, combo, strict=True):
            point.setdefault(axis.file, {})[axis.key] = value
        found.append(point)
    return found


def point_label(point: Point) -> str:
    """``lr=0.1 epochs=3`` (keys of other files than params.yaml as ``FILE:key``)."""
    return " ".join(
        f"{key if file == DEFAULT_PARAMS_FILE else f'{file}:{key}'}={value}"
        for file, values in point.items()
        for key, value in values.items()
    )


def _combo(axes: list[Axis], index: int) -> tuple[Any, ...]:
    picked = []
    for axis in reversed(axes):
        index, rest = divmod(index, len(axis.values))
        picked.append(axis.values[rest])
    return tuple(reversed(picked))


def _split(text: str, where: str) -> list[str]:
    """Split on commas outside brackets and quotes."""
    items, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        current += char
    items.append(current.strip())
    if any(not item for item in items):
        raise ExperimentError(f"-S {where!r}: an empty value in the list")
    return items


def _scalar(text: str, where: str) -> Any:
    import yaml

    from nbvc.core.errors import FormatError
    from nbvc.core.formats import limits

    try:
        return limits.load_yaml(text, f"-S {where!r}")
    except (yaml.YAMLError, FormatError):
        raise ExperimentError(f"-S {where!r}: cannot read the value {text!r}") from None


def _numbers(args: list[Any], name: str, where: str) -> list[float | int]:
    if not all(isinstance(a, int | float) and not isinstance(a, bool) for a in args):
        raise ExperimentError(f"-S {where!r}: {name}() takes numbers")
    return list(args)


def _range(args: list[float | int], where: str) -> tuple[Any, ...]:
    if len(args) not in (2, 3):
        raise ExperimentError(f"-S {where!r}: write range(start, stop[, step])")
    start, stop = args[0], args[1]
    step = args[2] if len(args) == 3 else 1
    if step == 0 or (stop - start) / step > MAX_POINTS:
        raise ExperimentError(f"-S {where!r}: range() needs a step that reaches its stop")
    values: list[Any] = []
    count = 0
    while (step > 0 and start + count * step < stop) or (step < 0 and start + count * step > stop):
        value = start + count * step
        values.append(round(value, 12) if isinstance(value, float) else value)
        count += 1
    if not values:
        raise ExperimentError(f"-S {where!r}: range() gives no values")
    return tuple(values)


def _linspace(args: list[float | int], where: str) -> tuple[Any, ...]:
    if len(args) != 3 or not isinstance(args[2], int) or args[2] < 1:
        raise ExperimentError(f"-S {where!r}: write linspace(start, stop, count)")
    start, stop, count = float(args[0]), float(args[1]), int(args[2])
    if count == 1:
        return (start,)
    return tuple(round(start + (stop - start) * i / (count - 1), 12) for i in range(count))
