"""Helpers for kernel tests: an in-process IPython shell with nbvc loaded, run like a kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from nbvc.core.lineage.model import LINEAGE, CellRun
from nbvc.core.repo import Repo
from nbvc.kernel import extension


class Kernel:
    """An in-process IPython shell with ``%load_ext nbvc``, run like a kernel runs cells."""

    def __init__(self, shell: InteractiveShell, root: Path) -> None:
        self.shell = shell
        self.root = root
        self._cells = 0

    def run(self, source: str, cell_id: str | None = None) -> Any:
        """Run a cell (with an id unless ``cell_id=""``); returns IPython's ExecutionResult."""
        self._cells += 1
        cid = cell_id if cell_id is not None else f"cell-{self._cells}"
        return self.shell.run_cell(  # type: ignore[no-untyped-call]
            source, store_history=True, cell_id=cid or None
        )

    def value(self, source: str, cell_id: str | None = None) -> Any:
        """Run a cell that must succeed; returns its value."""
        result = self.run(source, cell_id)
        assert result.success, result.error_in_exec or result.error_before_exec
        return result.result

    def cells(self) -> list[CellRun]:
        """Every lineage record written so far, in execution order."""
        current = extension.current()
        assert current is not None
        current.tracer.flush()
        with Repo.open(str(self.root)) as repo:
            runs = [CellRun.from_record(r) for r in repo.records.iter(LINEAGE)]
        return sorted(runs, key=lambda c: c.started)

    def cell(self, cell_id: str) -> CellRun:
        """The latest record of the cell with this id."""
        return [c for c in self.cells() if c.cell_id == cell_id][-1]

    def repo(self) -> Repo:
        return Repo.open(str(self.root))
