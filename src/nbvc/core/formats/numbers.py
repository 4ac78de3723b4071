"""How every front end writes numbers, sizes, counts and dates for people (docs/cli.md, "Tables").

One set of rules, so that the CLI's tables, the magics' tables and the messages agree: sizes in
binary units with one decimal, counts with thousands separators, measured values (metrics,
params) with six significant digits, dates with the year.
"""

from __future__ import annotations

import math
import time

SIGNIFICANT = 6  # digits of a measured value (a metric, a param, a duration)


def size_text(size: int) -> str:
    """``1536`` -> ``1.5 KiB``; bytes below 1 KiB as a whole number (``13 B``)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size:,} B" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def count_text(count: int) -> str:
    """``12345`` -> ``12,345``."""
    return f"{count:,}"


def number_text(value: float | int) -> str:
    """A measured value (a metric, a param): six significant digits, whole digits never hidden
    in an exponent, no thousands separators (a value is not a count): ``0.912346``,
    ``1234568``, ``1.5e-07``, ``3``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if 1 <= magnitude < 1e15:  # whole digits are never hidden in an exponent
        decimals = max(0, SIGNIFICANT - len(str(int(magnitude))))
        text = f"{value:.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.{SIGNIFICANT}g}"


def time_text(timestamp: float) -> str:
    """A date with the year and the minute, in local time: ``2026-12-03 09:12``."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 object``, ``2 objects``, ``1,024 entries`` (``nouns``: an irregular plural)."""
    word = noun if count == 1 else (nouns or noun + "s")
    return f"{count_text(count)} {word}"
