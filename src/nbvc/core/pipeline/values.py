"""Params and metrics of a pipeline, read through a file reader (workspace or git revision)."""

from __future__ import annotations

from typing import Any

from nbvc.core.errors import DataFileError
from nbvc.core.formats.datafiles import (
    flatten,
    is_missing,
    lookup,
    metrics_values,
    parse,
)
from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.loader import ReadText

Values = dict[str, dict[str, Any]]  # source (file, or "logged") -> flat name -> value


def params_of(pipeline: Pipeline, read: ReadText) -> Values:
    """Every declared param's value (whole files flattened); unreadable files are left out."""
    values: Values = {}
    for spec in pipeline.param_specs():
        data = _parsed(read, spec.file)
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


def metrics_of(pipeline: Pipeline, read: ReadText) -> Values:
    values: Values = {}
    for file in pipeline.metrics_files():
        data = _parsed(read, file)
        if data is not None and (numbers := metrics_values(data)):
            values[file] = numbers
    return values


def _parsed(read: ReadText, file: str) -> Any:
    text = read(file)
    if text is None:
        return None
    try:
        return parse(text, file)
    except DataFileError:
        return None
