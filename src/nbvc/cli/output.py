"""Plain-text rendering shared by the CLI verbs: sizes, times, tables, JSON, progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nbvc.core import (
    NULL_REPORTER,
    Reporter,
    Task,
    count_text,
    number_text,
    size_text,
    time_text,
)


def human_size(size: int) -> str:
    return size_text(size)


def human_time(timestamp: float) -> str:
    return time_text(timestamp)


TEXT, COUNT, SIZE, NUMBER, TIME = "text", "count", "size", "number", "time"
_RIGHT = (COUNT, SIZE, NUMBER)


@dataclass(frozen=True)
class Column:
    """A column of a table: its title and what its values are, which says how they are
    written (:mod:`nbvc.core.formats.numbers`) and aligned (numbers to the right).

    Titles are lower case; ``verbatim`` keeps one as it is (a run id, a git revision)."""

    title: str
    kind: str = TEXT
    verbatim: bool = False
    group: str = ""  # columns side by side with one group share a title above them

    def heading(self) -> str:
        return self.title if self.verbatim else self.title.lower()

    def text(self, value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, str):
            return value
        written = _WRITERS.get(self.kind)
        if written is not None:
            return written(value)
        return number_text(value) if isinstance(value, int | float) else str(value)


_WRITERS: dict[str, Callable[[Any], str]] = {
    SIZE: lambda v: size_text(int(v)),
    COUNT: lambda v: count_text(int(v)),
    TIME: lambda v: time_text(float(v)),
}


def table(columns: Sequence[Column | str], rows: Sequence[Sequence[Any]]) -> str:
    """The one table style of every verb: lower-case titles, two spaces between columns,
    numbers right-aligned and written by the rules of :mod:`nbvc.core.formats.numbers`
    (a plain string is a text column; ``None`` shows as ``-``)."""
    cols = [c if isinstance(c, Column) else Column(c) for c in columns]
    cells = [[col.text(value) for col, value in zip(cols, row, strict=True)] for row in rows]
    widths = [len(col.heading()) for col in cols]
    for row in cells:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    _fit_groups(cols, widths)

    def line(texts: Sequence[str]) -> str:
        return "  ".join(
            t.rjust(w) if c.kind in _RIGHT else t.ljust(w)
            for t, w, c in zip(texts, widths, cols, strict=True)
        ).rstrip()

    head = [line([c.heading() for c in cols])]
    if any(c.group for c in cols):
        head.insert(0, _group_line(cols, widths))
    return "\n".join([*head, *(line(row) for row in cells)])


def _fit_groups(cols: Sequence[Column], widths: list[int]) -> None:
    """Widen the last column of a group whose title (and a rule) would not fit over it."""
    i = 0
    while i < len(cols):
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == cols[i].group:
            j += 1
        if cols[i].group:
            width = sum(widths[i : j + 1]) + 2 * (j - i)
            widths[j] += max(0, len(cols[i].group) + 2 - width)
        i = j + 1


def _group_line(cols: Sequence[Column], widths: Sequence[int]) -> str:
    """``params ────  metrics ──────`` over the columns of each group."""
    out = ""
    start = 0
    for i, col in enumerate(cols):
        if col.group and (i == 0 or cols[i - 1].group != col.group):
            span = widths[i]
            j = i + 1
            while j < len(cols) and cols[j].group == col.group:
                span += 2 + widths[j]
                j += 1
            title = col.group + " "
            out = out.ljust(start) + title + "─" * max(span - len(title), 0)
        start += widths[i] + 2
    return out.rstrip()


def print_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


class _TqdmTask:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def advance(self, n: int = 1) -> None:
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


class TqdmReporter:
    def task(self, description: str, total: int | None, unit: str = "file") -> Task:
        from tqdm import tqdm

        scale = unit == "B"  # bytes: show KiB/MiB/GiB
        return _TqdmTask(
            tqdm(
                total=total,
                desc=description,
                unit=unit,
                unit_scale=scale,
                unit_divisor=1024 if scale else 1000,
                leave=False,
            )
        )


def reporter(quiet: bool) -> Reporter:
    """Progress bars on a terminal, nothing in pipes or with ``-q``."""
    if quiet or not sys.stderr.isatty():
        return NULL_REPORTER
    return TqdmReporter()
