"""Reading YAML, JSON and TOML that anyone may have written, within limits.

Every file nbvc parses (pipelines, locks, params, metrics, plots, config, records and manifests
from remotes, request bodies) goes through here: it must be UTF-8, at most :data:`MAX_BYTES`,
nested at most :data:`MAX_DEPTH` deep and, with YAML aliases expanded, at most
:data:`MAX_NODES` values (an alias bomb of a few lines otherwise expands to billions). A
self-referencing alias is refused. Anything else is a :class:`FormatError` that says which
file and what is wrong with it, never a RecursionError or a minute of CPU.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbvc.core.errors import FormatError

if TYPE_CHECKING:  # imported where YAML is read: settings and records need only JSON and TOML
    import yaml

MAX_BYTES = 32 << 20
MAX_DEPTH = 100
MAX_NODES = 1_000_000


def decode(data: bytes, where: str) -> str:
    """``data`` as UTF-8 text (a leading byte order mark is dropped)."""
    if len(data) > MAX_BYTES:
        raise FormatError(f"{where} is larger than {MAX_BYTES >> 20} MiB; nbvc does not read it")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None


def read_text(path: str, where: str | None = None) -> str:
    """The UTF-8 text of the file at ``path`` (``where`` names it in errors)."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return decode(data, where or path)


def check_size(text: str, where: str) -> None:
    if len(text) > MAX_BYTES:
        raise FormatError(f"{where} is larger than {MAX_BYTES >> 20} MiB; nbvc does not read it")


def check_value(value: Any, where: str) -> Any:
    """``value`` (parsed JSON or TOML), checked for depth and size without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    count = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise _too_deep(where)
        if count > MAX_NODES:
            raise _too_many(where)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return value


def load_json(text: str | bytes, where: str) -> Any:
    """Parse JSON text, within the limits."""
    if isinstance(text, bytes):
        text = decode(text, where)
    check_size(text, where)
    return check_value(_parse(json.loads, text, where, ValueError), where)


def load_toml(text: str, where: str) -> dict[str, Any]:
    check_size(text, where)
    parsed: dict[str, Any] = _parse(tomllib.loads, text, where, ValueError)  # a decode error too
    return check_value(parsed, where)  # type: ignore[no-any-return]


def compose_yaml(text: str, where: str) -> yaml.Node | None:
    """The YAML node graph of ``text``, checked (depth, expanded size, no recursive alias).

    :class:`yaml.YAMLError` passes through for the caller to place (``file:line``).
    """
    import yaml

    check_size(text, where)
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_loader())
    except RecursionError:
        raise _too_deep(where) from None
    if node is not None:
        check_nodes(node, where)
    return node


def load_yaml(text: str, where: str) -> Any:
    """Plain Python values of one YAML document, within the limits."""
    node = compose_yaml(text, where)
    if node is None:
        return None
    import yaml

    loader = _loader()("")
    try:
        return loader.construct_document(node)
    except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:  # e.g. 5,000 digits
        raise FormatError(f"{where} cannot be read ({exc}); fix the file") from None
    finally:
        loader.dispose()


def check_nodes(root: yaml.Node, where: str) -> None:
    """Depth and size of the node graph with every alias expanded, computed once per node (an
    alias is the same node object as its anchor), iteratively; a node inside itself is an
    error."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, depth)
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            active.discard(key)
            below = [sizes[id(child)] for child in _children(node)]
            size = 1 + sum(s for s, _ in below)
            depth = 1 + max((d for _, d in below), default=0)
            if depth > MAX_DEPTH:
                raise _too_deep(where)
            if size > MAX_NODES:
                raise _too_many(where)
            sizes[key] = (size, depth)
            continue
        if key in sizes:
            continue
        if key in active:
            line = node.start_mark.line + 1
            raise FormatError(f"{where}:{line}: an alias refers to a value it is part of")
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    value = node.value
    if isinstance(value, list):  # a sequence's items, or a mapping's (key, value) pairs
        return [part for item in value for part in (item if isinstance(item, tuple) else (item,))]
    return []


def _loader() -> type[Any]:
    import yaml

    loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


def _parse(parse: Callable[[str], Any], text: str, where: str, error: type[Exception]) -> Any:
    try:
        return parse(text)
    except RecursionError:
        raise _too_deep(where) from None
    except error as exc:
        raise FormatError(f"{where} cannot be parsed ({exc}); fix the file") from None


def _too_deep(where: str) -> FormatError:
    return FormatError(f"{where} is nested more than {MAX_DEPTH} levels deep; nbvc refuses it")


def _too_many(where: str) -> FormatError:
    return FormatError(
        f"{where} holds more than {MAX_NODES:,} values (YAML aliases counted where they point); "
        "nbvc refuses it"
    )
