"""Plain-text rendering shared by the CLI verbs: sizes, times, tables, JSON, progress."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from nbvc.core import NULL_REPORTER, Reporter, Task


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def human_time(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)


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
