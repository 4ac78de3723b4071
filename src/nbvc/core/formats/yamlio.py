"""Reading YAML while remembering where every value came from (for ``file:line:`` errors).

PyYAML's composer gives each node a start mark; :func:`load` turns the node tree into plain
Python values plus a map from each value's key path (``("stages", "train", "deps", 0)``) to its
1-based line. Duplicate mapping keys, which PyYAML would silently overwrite, are errors here.
Documents are composed within :mod:`.limits` (depth, alias expansion, size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from nbvc.core.errors import PipelineError
from nbvc.core.formats import limits

KeyPath = tuple[str | int, ...]

_Dumper: type[Any] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class YamlDoc:
    file: str  # as shown in messages
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            found = self.lines.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: KeyPath, message: str) -> PipelineError:
        return PipelineError(self.file, self.line(path), message)


def load(text: str, file: str) -> YamlDoc:
    """Parse ``text`` (one YAML document) into a :class:`YamlDoc`; empty text gives ``None``."""
    try:
        node = limits.compose_yaml(text, file)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise PipelineError(
            file, mark.line + 1 if mark else None, f"invalid YAML: {problem}"
        ) from None
    doc = YamlDoc(file, None)
    if node is not None:
        try:
            doc.data = _convert(node, (), doc)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:  # 5,000 digits
            raise PipelineError(file, None, f"cannot read a value ({exc})") from None
    return doc


def loads_plain(text: str, where: str) -> Any:
    """Parse YAML without positions (lock files, params files), within the limits."""
    return limits.load_yaml(text, where)


def dumps(data: Any) -> str:
    text: str = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True
    )
    return text


_constructor = yaml.constructor.SafeConstructor()


def _convert(node: yaml.Node, path: KeyPath, doc: YamlDoc) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise PipelineError(
                    doc.file, key_node.start_mark.line + 1, "mapping keys must be plain scalars"
                )
            if key in result:
                raise PipelineError(
                    doc.file, key_node.start_mark.line + 1, f"duplicate key {key!r}"
                )
            child = (*path, str(key))
            doc.lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, child, doc)
            doc.lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc) for i, item in enumerate(node.value)]
    return _constructor.construct_object(node, deep=True)
