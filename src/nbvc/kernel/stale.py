"""Stale cells: cells of this kernel session that read a file whose content has changed since.

As nbsafety does for variables, but for files: when a cell rewrites a file that another cell read
(or a magic in it checks out another version, or a program outside the notebook changes it
between cells), each cell that read the old content becomes stale, and a one-line notice names it,
the file and what changed it. Rerunning a stale cell (which reads the new content) clears it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nbvc.core import CellRecord, FileAccess, short_oid


def cell_name(cell: CellRecord) -> str:
    """How a notice names a cell: its id (JupyterLab's, in full) and its execution count."""
    count = f"[{cell.execution_count}]" if cell.execution_count is not None else "[ ]"
    return f"cell {cell.cell_id} {count}" if cell.cell_id else f"cell {count}"


def content_label(access: FileAccess) -> str:
    """A file's content as a user knows it: the tracked version, else a short hash."""
    if access.version is not None and access.artifact == access.path:
        return f"v{access.version}"
    if access.version is not None:
        return f"as in {access.artifact}@v{access.version}"
    return short_oid(access.oid) if access.oid else "deleted"


@dataclass(frozen=True)
class _Read:
    name: str  # the reading cell, as notices name it
    access: FileAccess


class StaleCells:
    def __init__(self) -> None:
        self._readers: dict[str, dict[str, _Read]] = {}  # path -> cell key -> what it read
        self._paths: dict[str, set[str]] = {}  # cell key -> paths it read on its last run
        self.stale: dict[str, str] = {}  # cell key -> the path that made it stale

    def ran(self, cell: CellRecord) -> bool:
        """``cell`` ran: what it read replaces what it read before. Returns whether it was stale
        (it is not any more)."""
        key = cell.cell_key
        for path in self._paths.pop(key, ()):
            self._readers[path].pop(key, None)
        name = cell_name(cell)
        for read in cell.reads:
            if read.oid is not None:
                self._readers.setdefault(read.path, {})[key] = _Read(name, read)
                self._paths.setdefault(key, set()).add(read.path)
        return self.stale.pop(key, None) is not None

    def changed(self, now: Iterable[FileAccess], by: str, exempt: str | None = None) -> list[str]:
        """Files are now at these contents; ``by`` says who changed them ("cell x [3] rewrote").
        Returns a notice for each cell this makes stale, except the cell with key ``exempt``."""
        notices = []
        for access in now:
            for key, read in self._readers.get(access.path, {}).items():
                if key == exempt or key in self.stale or read.access.oid == access.oid:
                    continue
                self.stale[key] = access.path
                notices.append(
                    f"{read.name} is stale: it read {access.path} ({content_label(read.access)}),"
                    f" which {by} (now {content_label(access)}); rerun it"
                )
        return notices

    def reads(self, paths: Iterable[str]) -> list[str]:
        """Those of ``paths`` that some cell read (the others cannot make a cell stale)."""
        return [p for p in paths if self._readers.get(p)]
