"""Params and metrics of a pipeline, read through a file reader (workspace or git revision)."""

from __future__ import annotations

from typing import Any

from nbvc.core.errors import PathError
from nbvc.core.formats.datafiles import (
    DataFileError,
    flatten,
    is_missing,
    lookup,
    metrics_values,
    parse,
)
from nbvc.core.formats.limits import FormatError
from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.loader import ReadText

Values = dict[str, dict[str, Any]]  # source (file, or "logged") -> flat name -> value


def params_of(pipeline: Pipeline, read: ReadText, problems: list[str] | None = None) -> Values:
    """Every declared param's value (whole files flattened); unreadable files are left out
    (and said why in ``problems``)."""
    values: Values = {}
    for spec in pipeline.param_specs():
        data = _parsed(read, spec.file, problems)
        if data is None:
            continue
        found = values.setdefault(spec.file, {})
        if spec.keys is None:
            found.update(flatten(data))
            continue
        for key in spec.keys:
            value = lookup(data, key)
            if not is_missing(value):
                found.update(
                    flatten(value, key) if isinstance(value, dict) and value else {key: value}
                )
    return {file: found for file, found in values.items() if found}


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
