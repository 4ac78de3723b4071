"""What every view of runs shares (CLI tables, notebook tables, REST): the columns of params and
metrics across runs, how a value is written, and which metric a sort key names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nbvc.core.errors import NbvcError
from nbvc.core.formats.numbers import number_text
from nbvc.core.runs.run_index import RunIndex


def columns(values: Sequence[Mapping[str, Mapping[str, Any]]]) -> list[tuple[str, str, str]]:
    """``(source, name, title)`` of every value in ``values`` (the params or the metrics of
    several runs); the title is the name, or ``source:name`` where two sources share a name."""
    pairs = list(
        dict.fromkeys(
            (source, name)
            for by_source in values
            for source, named in by_source.items()
            for name in named
        )
    )
    names = [name for _, name in pairs]
    return [(s, n, n if names.count(n) == 1 else f"{s}:{n}") for s, n in pairs]


def value_text(value: Any) -> str:
    """A param or metric value as a table shows it."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def sort_key(index: RunIndex, text: str, listing: str = "`nbvc runs`") -> tuple[str, str | None]:
    """The ``(name, source)`` of the metric that ``name`` or ``source:name`` means.

    ``listing`` names the command that lists metrics, for the error message.
    """
    source, sep, name = text.rpartition(":")
    if sep and source:
        return name, source
    sources = index.metric_sources(text)
    if len(sources) > 1:
        raise NbvcError(
            f"metric {text!r} is in several places ({', '.join(sources)}); "
            f"sort by e.g. {sources[0]}:{text}"
        )
    if not sources:
        raise NbvcError(f"no run has a metric {text!r}; {listing} shows the metrics")
    return text, sources[0]
