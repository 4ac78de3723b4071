"""Dependencies between the cells of one kernel session.

A cell depends on an earlier cell of its session when it uses a name that cell was the last to
bind or mutate (see :mod:`nbvc.core.lineage.slicing`), or reads a file that cell was the last to
write. Opaque cells (``exec``, star imports, unparsable code) may bind anything, so a name lookup
that passes one depends on it too. Failed cells are skipped: a script could not replay them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from nbvc.core.lineage import lineage_index
from nbvc.core.lineage.cell_record import CellRecord
from nbvc.core.lineage.slicing import Names, imported, names, to_python
from nbvc.core.lineage.store import load_source
from nbvc.core.repo import Repo


@dataclass(frozen=True)
class AnalysedCell:
    run: CellRecord
    code: str  # plain Python
    names: Names


@dataclass(frozen=True)
class Dependency:
    """A cell ``on`` that cell ``of`` depends on, through these names and files."""

    on: str
    names: tuple[str, ...]
    files: tuple[str, ...]


class SessionAnalysis:
    def __init__(self, repo: Repo, session: str) -> None:
        runs = lineage_index.session_cells(repo.index, session, float("inf"))
        self.cells: list[AnalysedCell] = []
        modules: frozenset[str] = frozenset()
        for run in runs:
            code = to_python(load_source(repo, run))
            self.cells.append(AnalysedCell(run, code, names(code, modules)))
            modules |= imported(code)
        self.position = {cell.run.id: i for i, cell in enumerate(self.cells)}
        self._definers: dict[str, list[int]] = {}
        self._writers: dict[str, list[int]] = {}
        self._opaque: list[int] = []
        for i, cell in enumerate(self.cells):
            if not cell.run.success:
                continue
            if cell.names.opaque:
                self._opaque.append(i)
            for name in cell.names.defined:
                self._definers.setdefault(name, []).append(i)
            for write in cell.run.writes:
                self._writers.setdefault(write.path, []).append(i)

    def dependencies(self, cell_id: str) -> list[Dependency]:
        """The cells ``cell_id`` directly depends on, latest first."""
        i = self.position[cell_id]
        cell = self.cells[i]
        by_names: dict[int, list[str]] = {}
        by_files: dict[int, list[str]] = {}
        for name in sorted(cell.names.used):
            for j in self._last_binders(self._definers.get(name, []), i):
                by_names.setdefault(j, []).append(name)
        for read in cell.run.reads:
            writers = self._writers.get(read.path, [])
            k = bisect.bisect_left(writers, i)
            if k:
                by_files.setdefault(writers[k - 1], []).append(read.path)
        found = sorted(set(by_names) | set(by_files), reverse=True)
        return [
            Dependency(self.cells[j].run.id, tuple(by_names.get(j, ())), tuple(by_files.get(j, ())))
            for j in found
        ]

    def _last_binders(self, definers: list[int], before: int) -> list[int]:
        """The last cell before ``before`` binding a name, plus opaque cells after that one."""
        k = bisect.bisect_left(definers, before)
        last = definers[k - 1] if k else -1
        start = bisect.bisect_right(self._opaque, last)
        end = bisect.bisect_left(self._opaque, before)
        return ([last] if last >= 0 else []) + self._opaque[start:end]

    def closure(self, targets: set[str]) -> list[AnalysedCell]:
        """The target cells and every cell they depend on, transitively, in execution order."""
        wanted = {t for t in targets if t in self.position}
        stack = list(wanted)
        while stack:
            for dependency in self.dependencies(stack.pop()):
                if dependency.on not in wanted:
                    wanted.add(dependency.on)
                    stack.append(dependency.on)
        return [self.cells[i] for i in sorted(self.position[c] for c in wanted)]
