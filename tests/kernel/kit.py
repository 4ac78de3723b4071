"""Helpers for kernel tests: an in-process IPython shell with nbvc loaded, run like a kernel, and
a small pipeline for the run magics."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from nbvc.core.lineage.cell_record import CellRecord
from nbvc.core.lineage.lineage_tables import LINEAGE
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

    def cells(self) -> list[CellRecord]:
        """Every lineage record written so far, in execution order."""
        current = extension.current()
        assert current is not None
        current.tracer.flush()
        with Repo.open(str(self.root)) as repo:
            runs = [CellRecord.from_record(r) for r in repo.records.iter(LINEAGE)]
        return sorted(runs, key=lambda c: c.started)

    def cell(self, cell_id: str) -> CellRecord:
        """The latest record of the cell with this id."""
        return [c for c in self.cells() if c.cell_id == cell_id][-1]

    def repo(self) -> Repo:
        return Repo.open(str(self.root))

    def usage_error(self, line: str, capsys: pytest.CaptureFixture[str]) -> str:
        """Run a failing magic; returns the one-line message IPython showed (no traceback)."""
        result = self.run(line)
        assert not result.success
        err = capsys.readouterr().err
        assert "Traceback" not in err
        (message,) = [ln for ln in err.splitlines() if ln.startswith("UsageError: ")]
        return message.removeprefix("UsageError: ")


def python_on_path() -> str:
    """PATH with this interpreter's folder first, so a stage's `python` is ours."""
    return os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])


PIPELINE = """\
stages:
  prepare:
    cmd: python prepare.py
    deps: [prepare.py, data/raw.csv]
    params: [prepare.rows]
    outs: [data/prepared]
  train:
    cmd: python train.py
    deps: [train.py, data/prepared]
    params: [train.lr]
    outs: [model.json]
    metrics:
      - metrics.json: {cache: false}
"""
PREPARE = """\
import os, yaml
rows = yaml.safe_load(open("params.yaml"))["prepare"]["rows"]
os.makedirs("data/prepared", exist_ok=True)
lines = open("data/raw.csv").read().split()[:rows]
open("data/prepared/train.csv", "w").write("\\n".join(lines))
"""
TRAIN = """\
import json, yaml
lr = yaml.safe_load(open("params.yaml"))["train"]["lr"]
rows = [int(x) for x in open("data/prepared/train.csv").read().split()]
json.dump({"weight": sum(rows) * lr}, open("model.json", "w"))
json.dump({"acc": round(1 - lr, 3), "n": len(rows)}, open("metrics.json", "w"))
print("trained")
"""


def write_pipeline(root: Path, lr: float = 0.1) -> None:
    """prepare -> train, with params in params.yaml and metrics in metrics.json."""
    files = {
        "data/raw.csv": "\n".join(str(i) for i in range(20)) + "\n",
        "params.yaml": f"prepare:\n  rows: 10\ntrain:\n  lr: {lr}\n",
        "prepare.py": PREPARE,
        "train.py": TRAIN,
        "nbvc.yaml": PIPELINE,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
