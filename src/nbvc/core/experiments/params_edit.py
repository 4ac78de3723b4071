"""Setting param values in params files (YAML or JSON), keeping the rest of the file as it is.

In YAML, a key that already holds a scalar gets the new value spliced in at the scalar's exact
position, so comments, order and layout survive (what users see in ``git diff`` is the one value).
A new key, or a key whose old value is a list or mapping, makes the file be written again from
its parsed form. Writes are atomic.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from nbvc.core.errors import ExperimentError
from nbvc.core.formats import limits
from nbvc.core.storage.fsutil import atomic_write_text

_YAML = (".yaml", ".yml")


def set_params(root: str, values: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Write ``{file: {dotted key: value}}`` into the params files below ``root``; returns the
    files that changed."""
    changed = []
    for file, keys in values.items():
        path = os.path.join(root, file)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            text = ""
        updated = set_in_text(text, file, keys)
        if updated != text:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            atomic_write_text(path, updated)
            changed.append(file)
    return changed


def set_in_text(text: str, file: str, keys: Mapping[str, Any]) -> str:
    if file.endswith(".json"):
        return _set_json(text, file, keys)
    if not file.endswith(_YAML):
        raise ExperimentError(
            f"{file}: nbvc sets params in YAML and JSON files only; move these params there"
        )
    for key, value in keys.items():
        text = _set_yaml(text, file, key, value)
    return text


def scalar_text(value: Any) -> str:
    """``value`` as YAML flow text (``1.0e-05``, ``adam``, ``[1, 2]``)."""
    import yaml

    dumped: str = yaml.safe_dump(value, default_flow_style=True, width=1_000_000).rstrip()
    if dumped.endswith("\n..."):
        dumped = dumped[:-4].rstrip()
    return dumped


def _set_yaml(text: str, file: str, key: str, value: Any) -> str:
    import yaml

    try:
        root = limits.compose_yaml(text, file) if text.strip() else None
    except yaml.YAMLError as exc:
        raise ExperimentError(f"{file}: invalid YAML ({exc}); fix it first") from None
    node = _find(root, key.split("."))
    if isinstance(node, yaml.ScalarNode) and isinstance(value, str | int | float | bool | None):
        start, end = node.start_mark.index, node.end_mark.index
        return text[:start] + scalar_text(value) + text[end:]
    data = limits.load_yaml(text, file) if text.strip() else {}
    _assign(data, key, value, file)
    from nbvc.core.formats.yamlio import dumps

    return dumps(data)


def _find(node: Any, parts: list[str]) -> Any:
    import yaml

    for part in parts:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
    return node


def _set_json(text: str, file: str, keys: Mapping[str, Any]) -> str:
    data = limits.load_json(text, file) if text.strip() else {}
    for key, value in keys.items():
        _assign(data, key, value, file)
    return json.dumps(data, indent=2) + "\n"


def _assign(data: Any, key: str, value: Any, file: str) -> None:
    if not isinstance(data, dict):
        raise ExperimentError(f"{file}: the params file must hold a mapping to set {key}")
    parts = key.split(".")
    for part in parts[:-1]:
        child = data.setdefault(part, {})
        if not isinstance(child, dict):
            raise ExperimentError(f"{file}: {key} cannot be set, {part} is not a mapping")
        data = child
    data[parts[-1]] = value
