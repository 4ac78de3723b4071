"""Lineage trees as text, JSON, Graphviz DOT and Mermaid.

In the diagrams data flows left to right: input -> cell -> output. A node reached twice in the
tree is one node in a diagram.
"""

from __future__ import annotations

import json

from nbvc.core.lineage.graph import ARTIFACT, CELL, LineageNode, describe_node


def text(root: LineageNode) -> str:
    lines = [describe_node(root)]
    _text_children(root, "", lines)
    return "\n".join(lines)


def _text_children(node: LineageNode, prefix: str, lines: list[str]) -> None:
    for i, child in enumerate(node.children):
        last = i == len(node.children) - 1
        suffix = "  (see above)" if child.repeated else ""
        lines.append(f"{prefix}{'└── ' if last else '├── '}{describe_node(child)}{suffix}")
        _text_children(child, prefix + ("    " if last else "│   "), lines)


def to_json(root: LineageNode) -> str:
    return json.dumps(root.to_json(), indent=2, ensure_ascii=False)


def _edges(root: LineageNode) -> tuple[dict[str, LineageNode], list[tuple[str, str]]]:
    """Unique nodes by key, and edges (from, to) in the direction data flows."""
    nodes: dict[str, LineageNode] = {}
    edges: list[tuple[str, str]] = []
    for node in root.walk():
        nodes.setdefault(node.key, node)
        for child in node.children:
            edge = (child.key, node.key)
            if edge not in edges:
                edges.append(edge)
    return nodes, edges


def dot(root: LineageNode) -> str:
    nodes, edges = _edges(root)
    ids = {key: f"n{i}" for i, key in enumerate(nodes)}
    lines = ["digraph lineage {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for key, node in nodes.items():
        shape = {ARTIFACT: "note", CELL: "box"}.get(node.kind, "component")
        style = ', style="rounded"' if node.kind == CELL else ""
        lines.append(
            f"  {ids[key]} [label={_dot_quote(describe_node(node))}, shape={shape}{style}];"
        )
    lines.extend(f"  {ids[a]} -> {ids[b]};" for a, b in edges)
    lines.append("}")
    return "\n".join(lines)


def _dot_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mermaid(root: LineageNode) -> str:
    nodes, edges = _edges(root)
    ids = {key: f"n{i}" for i, key in enumerate(nodes)}
    lines = ["flowchart LR"]
    for key, node in nodes.items():
        label = _mermaid_quote(describe_node(node))
        if node.kind == ARTIFACT:
            lines.append(f"  {ids[key]}[{label}]")
        elif node.kind == CELL:
            lines.append(f"  {ids[key]}([{label}])")
        else:
            lines.append(f"  {ids[key]}{{{{{label}}}}}")
    lines.extend(f"  {ids[a]} --> {ids[b]}" for a, b in edges)
    return "\n".join(lines)


def _mermaid_quote(value: str) -> str:
    escaped = (
        value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )
    return f'"{escaped}"'


FORMATS = ("text", "json", "dot", "mermaid")


def render_lineage(root: LineageNode, form: str = "text") -> str:
    """The tree in one of :data:`FORMATS`."""
    renderers = {"text": text, "json": to_json, "dot": dot, "mermaid": mermaid}
    return renderers[form](root)
