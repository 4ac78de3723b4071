"""Params and metrics of a pipeline, read through a file reader (workspace or git revision)."""

from __future__ import annotations

from typing import Any

from nbvc.core.errors import DataFileError
from nbvc.core.formats.datafiles import (
    flatten,
    metrics_values,
    parse,
)
from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.loader import ReadText

Values = dict[str, dict[str, Any]]  # source (file, or "logged") -> flat name -> value


def params_of(pipeline: Pipeline, read: ReadText) -> Values:
    """Every param in the params files the pipeline uses, flattened (as DVC shows them: whole
    files, not only the declared keys); unreadable files are left out."""
    values: Values = {}
    for file in dict.fromkeys(spec.file for spec in pipeline.param_specs()):
        data = _parsed(read, file)
        if isinstance(data, dict) and (found := flatten(data)):
            values[file] = found
    return values


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
