"""``repo.lineage``: what made an artifact version, and recording what cells read and wrote.

The kernel's tracer records through :meth:`Lineage.describe`, :meth:`Lineage.save` and
:meth:`Lineage.last_access`; the CLI, the magics and the server read through the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nbvc.core.lineage import files, lineage_index, store
from nbvc.core.lineage.cell_record import CellRecord, FileAccess, FileState, parse_producer
from nbvc.core.lineage.graph import LineageNode, lineage
from nbvc.core.lineage.script import Script, script
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import short_id

READ, WRITE = lineage_index.READ, lineage_index.WRITE


class Lineage:
    def __init__(self, repo: Repo) -> None:
        self._repo = repo

    # -- reading ----------------------------------------------------------------------------
    def of(self, spec: str) -> LineageNode:
        """The lineage tree of ``path`` or ``path@ref``: its producers and their inputs."""
        return lineage(self._repo, spec)

    def script(self, spec: str) -> Script:
        """The code of the cells that made the version, as one script."""
        return script(self._repo, spec)

    def producer_label(self, producer: str | None) -> str | None:
        """What made a version, for people: ``train.ipynb, cell [5]`` or ``stage train (run
        537a2675)`` instead of the ``cell:<id>`` / ``stage:<name>@<run>`` reference."""
        parsed = parse_producer(producer)
        if parsed is None:
            return producer
        kind, ref = parsed
        if kind == "stage":
            name, _, run = ref.rpartition("@")
            return f"stage {name or ref} (run {short_id(run)})" if name else f"stage {ref}"
        cell = lineage_index.cell(self._repo.index, ref)
        if cell is None:
            self._repo.reindex(strict=False)  # a kernel may have written it since
            cell = lineage_index.cell(self._repo.index, ref)
        return cell.short_label if cell else f"a cell whose record is not here ({ref[:8]})"

    def notebook_cells(self, notebook: str, limit: int) -> list[CellRecord]:
        """The cells of the notebook's latest kernel session (``notebook``: repo-relative)."""
        self._repo.reindex(strict=False)  # records a kernel wrote since
        return lineage_index.notebook_cells(self._repo.index, notebook, limit)

    # -- recording (the kernel's tracer) -----------------------------------------------------
    def describe(self, seen: Mapping[str, FileState | None]) -> dict[str, FileAccess]:
        """The files a cell touched (repo-relative path -> state before), named by content."""
        return files.describe(self._repo, seen)

    def save(self, cells: Sequence[tuple[CellRecord, str]]) -> None:
        """Write executed cells (each with its source) as lineage records and index them."""
        store.save(self._repo, cells)

    def last_access(
        self, notebook: str | None, cell_key: str, path: str, direction: str
    ) -> FileAccess | None:
        """What this cell last read (``READ``) or wrote (``WRITE``) at ``path``."""
        return lineage_index.last_access(self._repo.index, notebook, cell_key, path, direction)
