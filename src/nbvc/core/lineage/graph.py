"""The lineage of an artifact version: the cells (or stages) that produced it and their inputs.

Starting from ``path@ref``, each content is linked to what produced it: the version's recorded
``producer`` (``cell:<id>`` or ``stage:<name>@<run>``) and, failing or besides that, the cells
whose lineage records say they wrote exactly this content. Each producing cell is linked to the
files it read and to the earlier cells of its session whose variables it used, and so on
upstream. The result is a tree; a node reached twice is expanded once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.artifacts.history import Version
from nbvc.core.artifacts.refs import resolve, split_spec
from nbvc.core.errors import NbvcError, NotTrackedError
from nbvc.core.lineage import lineage_index
from nbvc.core.lineage.cell_record import CellRecord, FileAccess, parse_producer
from nbvc.core.lineage.files import describe
from nbvc.core.lineage.session import SessionAnalysis
from nbvc.core.lineage.stages import stage_inputs
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import is_tree_oid, short

ARTIFACT, CELL, STAGE = "artifact", "cell", "stage"
MAX_DEPTH = 30


@dataclass
class LineageNode:
    kind: str  # "artifact", "cell" or "stage"
    key: str  # unique in a graph
    label: str
    data: dict[str, Any]
    children: list[LineageNode] = field(default_factory=list)
    repeated: bool = False  # expanded elsewhere in the same tree
    cell: CellRecord | None = None

    def walk(self) -> list[LineageNode]:
        """This node and every node below it, depth first."""
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"type": self.kind, "label": self.label, **self.data}
        if self.repeated:
            doc["repeated"] = True
        key = "producers" if self.kind == ARTIFACT else "inputs"
        doc[key] = [child.to_json() for child in self.children]
        return doc


class LineageBuilder:
    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._expanded: set[str] = set()
        self._sessions: dict[str, SessionAnalysis | None] = {}

    def build(self, spec: str) -> LineageNode:
        """The lineage tree of ``path``, ``path@vN``, ``path@tag`` or ``path@<git-rev>``."""
        self.repo.reindex(strict=False)
        artifact, ref = split_spec(self.repo, spec)
        try:
            target = resolve(self.repo, artifact, ref)
        except NotTrackedError:
            if ref is not None or not os.path.isfile(self.repo.abspath(artifact)):
                raise
            access = describe(self.repo, {artifact: None})[artifact]
            return self._content(access.path, access.oid, None, 0, None)
        return self._content(artifact, target.oid, target.version, 0, None)

    # -- contents and their producers ------------------------------------------------------
    def _content(
        self,
        path: str,
        oid: str | None,
        version: Version | None,
        depth: int,
        before: float | None,
        holder: FileAccess | None = None,
    ) -> LineageNode:
        label = f"{path}@{version.name}" if version and version.artifact == path else path
        data: dict[str, Any] = {
            "path": path,
            "oid": oid,
            "version": version.name if version else None,
        }
        if holder is not None and holder.artifact not in (None, path):
            data["in"] = (
                f"{holder.artifact}@v{holder.version}" if holder.version else holder.artifact
            )
        node = LineageNode(ARTIFACT, f"{ARTIFACT}:{path}:{oid}", label, data)
        if oid is None:
            data["note"] = "deleted, or changed while it was read"
            return node
        if self._seen(node) or depth >= MAX_DEPTH:
            return node
        for producer in self._producers(path, oid, version, before):
            node.children.append(self._producer_node(producer, depth + 1))
        return node

    def _producers(
        self, path: str, oid: str, version: Version | None, before: float | None
    ) -> list[str]:
        """Producer references (``cell:<id>``/``stage:...``), most specific first, no repeats."""
        found: list[str] = []
        if version is not None and version.producer and parse_producer(version.producer):
            found.append(version.producer)
        if is_tree_oid(oid):
            found.extend("cell:" + rid for rid in self._folder_writers(path, oid, before))
        elif not found:
            writer = lineage_index.latest_writer(self.repo.index, path, oid, before)
            if writer is not None:
                found.append("cell:" + writer)
        return list(dict.fromkeys(found))

    def _folder_writers(self, folder: str, tree_oid: str, before: float | None) -> list[str]:
        try:
            files = self.repo.workspace.load_tree(tree_oid).files
        except NbvcError:
            return []
        writers: dict[str, str] = {}
        for path, oid, record_id in lineage_index.writes_under(self.repo.index, folder, before):
            meta = files.get(path[len(folder) + 1 :])
            if path not in writers and meta is not None and meta.oid == oid:
                writers[path] = record_id
        return list(dict.fromkeys(writers.values()))

    def _producer_node(self, producer: str, depth: int) -> LineageNode:
        parsed = parse_producer(producer)
        assert parsed is not None
        kind, ref = parsed
        if kind == STAGE:
            return self._stage_node(ref, depth)
        cell = lineage_index.cell(self.repo.index, ref)
        if cell is None:
            return LineageNode(
                CELL, producer, f"cell {ref} (record not here)", {"id": ref, "missing": True}
            )
        return self._cell_node(cell, depth)

    def _cell_node(self, cell: CellRecord, depth: int) -> LineageNode:
        data = {
            "id": cell.id,
            "notebook": cell.notebook,
            "cell_id": cell.cell_id,
            "execution_count": cell.execution_count,
            "started": cell.started,
            "source_oid": cell.source_oid,
        }
        node = LineageNode(CELL, f"{CELL}:{cell.id}", cell.label, data, cell=cell)
        if self._seen(node) or depth >= MAX_DEPTH:
            return node
        node.children = [self._input_node(read, depth + 1, cell.started) for read in cell.reads]
        node.children += self._state_inputs(cell, depth + 1)
        return node

    def _state_inputs(self, cell: CellRecord, depth: int) -> list[LineageNode]:
        """Earlier cells of the session whose variables this cell used."""
        analysis = self._session(cell.session)
        if analysis is None or cell.id not in analysis.position:
            return []
        nodes = []
        for dependency in analysis.dependencies(cell.id):
            if dependency.names:
                upstream = analysis.cells[analysis.position[dependency.on]].run
                node = self._cell_node(upstream, depth)
                node.data = {**node.data, "via": list(dependency.names)}
                nodes.append(node)
        return nodes

    def _session(self, session: str) -> SessionAnalysis | None:
        if session not in self._sessions:
            try:
                self._sessions[session] = SessionAnalysis(self.repo, session)
            except NbvcError:  # a cell source is missing: show file lineage only
                self._sessions[session] = None
        return self._sessions[session]

    def _stage_node(self, ref: str, depth: int) -> LineageNode:
        name, _, run_id = ref.rpartition("@")
        name = name or ref
        data = {"stage": name, "run": run_id or None}
        node = LineageNode(STAGE, f"{STAGE}:{ref}", f"stage {name}", data)
        if self._seen(node) or depth >= MAX_DEPTH:
            return node
        inputs = stage_inputs(self.repo, name, run_id)
        node.children = [self._input_node(access, depth + 1, None) for access in inputs]
        return node

    def _input_node(self, access: FileAccess, depth: int, before: float | None) -> LineageNode:
        version = self._version(access)
        own = version if version is not None and version.artifact == access.path else None
        node = self._content(access.path, access.oid, own, depth, before, access)
        if version is not None and own is None and not node.children and version.producer:
            node.children.append(self._producer_node(version.producer, depth + 1))
        return node

    def _version(self, access: FileAccess) -> Version | None:
        if access.artifact is None or access.version is None:
            return None
        try:
            return self.repo.history.by_number(access.artifact, access.version)
        except NbvcError:
            return None

    def _seen(self, node: LineageNode) -> bool:
        if node.key in self._expanded:
            node.repeated = True
            return True
        self._expanded.add(node.key)
        return False


def lineage(repo: Repo, spec: str) -> LineageNode:
    return LineageBuilder(repo).build(spec)


def describe_node(node: LineageNode) -> str:
    """One line about a node, for text, HTML and diagrams."""
    if node.kind == CELL and node.data.get("via"):
        return f"{node.label} (via {', '.join(node.data['via'])})"
    if node.kind == ARTIFACT:
        oid = node.data.get("oid")
        extra = [short(oid)] if oid else []
        if node.data.get("in"):
            extra.append(f"in {node.data['in']}")
        if node.data.get("note"):
            extra.append(node.data["note"])
        return f"{node.label} ({', '.join(extra)})" if extra else node.label
    return node.label
