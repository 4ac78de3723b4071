"""Reading params, metrics and plot files (YAML, JSON, TOML, CSV/TSV) into plain values."""

from __future__ import annotations

import csv
import io
import math
import posixpath
from collections.abc import Mapping
from typing import Any

import yaml

from nbvc.core.errors import DataFileError, FormatError
from nbvc.core.formats import limits
from nbvc.core.formats.yamlio import loads_plain

_MISSING = object()


def parse(text: str, name: str) -> Any:
    """Parse a data file by its extension (YAML when unknown), within :mod:`.limits`."""
    ext = posixpath.splitext(name)[1].lower()
    try:
        if ext == ".json":
            return limits.load_json(text, name)
        if ext == ".toml":
            return limits.load_toml(text, name)
        if ext in (".csv", ".tsv"):
            limits.check_size(text, name)
            return _rows(text, "\t" if ext == ".tsv" else ",")
        return loads_plain(text, name)
    except FormatError as exc:
        raise DataFileError(str(exc)) from None
    except (ValueError, yaml.YAMLError, csv.Error) as exc:
        raise DataFileError(f"{name} cannot be parsed ({exc}); fix the file") from None


def parse_bytes(data: bytes, name: str) -> Any:
    """Parse a data file's bytes (which must be UTF-8 text)."""
    try:
        text = limits.decode(data, name)
    except FormatError as exc:
        raise DataFileError(str(exc)) from None
    return parse(text, name)


def _rows(text: str, delimiter: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return [{k: _number(v) for k, v in row.items() if k is not None} for row in reader]


def _number(text: str | None) -> Any:
    if text is None:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def lookup(data: Any, dotted: str) -> Any:
    """``data["a"]["b"]`` for ``"a.b"``; a key that itself contains dots is found too."""
    if isinstance(data, Mapping) and dotted in data:
        return data[dotted]
    head, sep, rest = dotted.partition(".")
    if not sep or not isinstance(data, Mapping) or head not in data:
        return _MISSING
    return lookup(data[head], rest)


def is_missing(value: Any) -> bool:
    return value is _MISSING


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as ``{"a.b": value}``; lists and scalars are leaves."""
    if not isinstance(data, Mapping):
        return {prefix: data} if prefix else {}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, name))
        else:
            flat[name] = value
    return flat


def metrics_values(data: Any) -> dict[str, float | int]:
    """The numeric leaves of a metrics file; a CSV/list of rows gives its last row."""
    if isinstance(data, list):
        data = data[-1] if data and isinstance(data[-1], Mapping) else {}
    return {
        name: value
        for name, value in flatten(data).items()
        if isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    }


def plot_rows(data: Any) -> list[dict[str, Any]]:
    """Rows of a plots file: CSV/TSV rows, a JSON/YAML list, or the first list in a mapping."""
    if isinstance(data, Mapping):
        data = next((v for v in data.values() if isinstance(v, list)), [])
    if not isinstance(data, list):
        return []
    rows = []
    for i, row in enumerate(data):
        if isinstance(row, Mapping):
            rows.append(dict(row))
        elif isinstance(row, int | float):
            rows.append({"step": i, "value": row})
    return rows
