"""From plot files' rows to the points a template draws, with DVC's plot properties.

``y`` is a column, a list of columns, or a mapping of files to columns; ``x`` a column or a
mapping of files to columns, by default the row index ``step``. Each point holds ``rev`` (which
run, revision or workspace), ``filename``, ``field`` (the y column) and ``series`` (what tells
lines apart), the x value under the x column's name and the y value under the y column's name
(``value`` when several columns are drawn). Non-finite numbers become null: JSON has no NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STEP = "step"
VALUE = "value"

Rows = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class PlotPoints:
    x: str
    y: str
    x_label: str
    y_label: str
    points: list[dict[str, Any]]
    series: bool  # more than one (file, column) pair


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities (at any depth) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def pairs_of(
    files: Mapping[str, Rows], y: Any, x_columns: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(file, y column) pairs to draw: from ``y`` or, by default, each file's last column."""
    if isinstance(y, Mapping):
        return [
            (str(f), str(c))
            for f, cols in y.items()
            for c in ([cols] if isinstance(cols, str) else cols)
        ]
    if isinstance(y, str):
        return [(f, y) for f in files]
    if isinstance(y, list) and y:
        return [(f, str(c)) for f in files for c in y]
    found = []
    for file, rows in files.items():
        sample = rows[0] if rows else {}
        x = x_columns.get(file, STEP)
        numeric = [k for k, v in sample.items() if k != x and _is_number(v)]
        columns = numeric or [k for k in sample if k != x]
        found.append((file, columns[-1] if columns else VALUE))
    return found


def build(by_rev: Mapping[str, Mapping[str, Rows]], props: Mapping[str, Any]) -> PlotPoints:
    """Points of every rev (label -> file -> rows) for a plot with DVC ``props``."""
    files: dict[str, Rows] = {}
    for rev_files in by_rev.values():
        for file, rows in rev_files.items():
            files.setdefault(file, rows)
    x_prop = props.get("x")
    x_columns = (
        {str(f): str(c) for f, c in x_prop.items()}
        if isinstance(x_prop, Mapping)
        else dict.fromkeys(files, x_prop or STEP)
    )
    pairs = pairs_of(files, props.get("y"), x_columns)
    several = len(pairs) > 1
    many_files = len({f for f, _ in pairs}) > 1
    x_name = next(iter(x_columns.values()), STEP) if x_columns else STEP
    y_name = VALUE if several else (pairs[0][1] if pairs else VALUE)
    if y_name == x_name:
        y_name = VALUE
    points = []
    for rev, rev_files in by_rev.items():
        for file, column in pairs:
            x_column = x_columns.get(file, STEP)
            for i, row in enumerate(rev_files.get(file) or ()):
                x_value = row.get(x_column, i if x_column == STEP else None)
                points.append(
                    {
                        "rev": rev,
                        "filename": file,
                        "field": column,
                        "series": f"{file}::{column}" if many_files else column,
                        x_name: finite(x_value),
                        y_name: finite(row.get(column)),
                    }
                )
    y_label = ", ".join(dict.fromkeys(c for _, c in pairs)) or VALUE
    return PlotPoints(
        x=x_name,
        y=y_name,
        x_label=str(props.get("x_label") or x_name),
        y_label=str(props.get("y_label") or y_label),
        points=points,
        series=several,
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def numeric(points: Sequence[Mapping[str, Any]], field: str) -> bool:
    """True if every present value of ``field`` is a number (a quantitative axis)."""
    values = [p.get(field) for p in points if p.get(field) is not None]
    return all(_is_number(v) for v in values)
