"""``repo.lineage``: what made an artifact version, and recording what cells read and wrote.

The kernel's tracer records through :meth:`Lineage.describe`, :meth:`Lineage.save` and
:meth:`Lineage.last_access`; the CLI, the magics and the server read through the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nbvc.core.lineage import files, lineage_index, store
from nbvc.core.lineage.cell_record import CellRecord, FileAccess, FileState
from nbvc.core.lineage.graph import LineageNode, lineage
from nbvc.core.lineage.script import Script, script
from nbvc.core.repo import Repo

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
