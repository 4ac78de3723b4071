"""Params and metrics of a pipeline, read through a file reader (workspace or git revision)."""

from __future__ import annotations

import datetime
from typing import Any

from nbvc.core.errors import DataFileError, FormatError, PathError
from nbvc.core.formats.datafiles import (
    flatten,
    metrics_values,
    parse,
)
from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.loader import ReadText

Values = dict[str, dict[str, Any]]  # source (file, or "logged") -> flat name -> value


def params_of(pipeline: Pipeline, read: ReadText, problems: list[str] | None = None) -> Values:
    """Every param in the params files the pipeline uses, flattened (as DVC shows them: whole
    files, not only the declared keys); unreadable files are left out (and said why in
    ``problems``)."""
    values: Values = {}
    for file in dict.fromkeys(spec.file for spec in pipeline.param_specs()):
        data = _parsed(read, file, problems)
        if isinstance(data, dict) and (found := flatten(data)):
            values[file] = {name: _plain(value) for name, value in found.items()}
    return values


def _plain(value: Any) -> Any:
    """A params value as JSON can hold it (run records are JSON): YAML's sets become sorted
    lists and its timestamps ISO text, as DVC shows them."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(item) for item in value), key=repr)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def metrics_of(pipeline: Pipeline, read: ReadText, problems: list[str] | None = None) -> Values:
    values: Values = {}
    for file in pipeline.metrics_files():
        data = _parsed(read, file, problems)
        if data is not None and (numbers := metrics_values(data)):
            values[file] = numbers
    return values


def _parsed(read: ReadText, file: str, problems: list[str] | None = None) -> Any:
    """The parsed file, or None if it is absent or cannot be read or parsed (binary, not UTF-8,
    beyond the limits, a symlink out of the repo): a run is recorded all the same, without it."""
    try:
        text = read(file)
        return None if text is None else parse(text, file)
    except (DataFileError, FormatError, PathError) as exc:
        if problems is not None:
            problems.append(str(exc))
        return None
