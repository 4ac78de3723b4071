"""Value types of notebook lineage: one executed cell and the files it read and wrote.

A :class:`CellRecord` is stored as an immutable record of kind ``lineage``
(`.nbvc/records/lineage/<id>.json`); the cell's source lives in the object store under its
BLAKE3 hash (``source_oid``), so re-running the same code costs no extra space.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from nbvc.core.storage.record_store import Record

CELL_PRODUCER = "cell:"
STAGE_PRODUCER = "stage:"


class FileState(NamedTuple):
    """What a stat says about a file's content: same state, same content (see the stat cache)."""

    ino: int
    size: int
    mtime_ns: int


def file_state(path: str) -> FileState | None:
    """The state of the regular file at ``path``; None if it is missing or not a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return FileState(st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class FileAccess:
    """A file a cell read or wrote, as it was then.

    ``oid`` is None when the file was deleted (a write) or changed while the cell ran, so the
    content read can no longer be named (a read). ``artifact``/``version`` say which tracked
    artifact holds the file and which of its versions this content is, when nbvc knows.
    """

    path: str  # repo-relative POSIX path
    oid: str | None
    size: int | None = None
    artifact: str | None = None
    version: int | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"path": self.path, "oid": self.oid, "size": self.size}
        if self.artifact is not None:
            doc["artifact"] = self.artifact
            doc["version"] = self.version
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> FileAccess:
        return cls(
            doc["path"], doc.get("oid"), doc.get("size"), doc.get("artifact"), doc.get("version")
        )


@dataclass(frozen=True)
class CellRecord:
    """One execution of one notebook cell (or of one IPython input in a bare kernel)."""

    id: str
    session: str  # one kernel session (a load of the extension)
    notebook: str | None  # repo-relative path of the notebook, absolute if outside; None if unknown
    cell_id: str | None  # nbformat 4.5 cell id, when the frontend sent one
    execution_count: int | None
    source_oid: str
    cwd: str  # the kernel's working folder, relative to the repo root ("" for the root)
    started: float
    ended: float
    success: bool
    reads: tuple[FileAccess, ...] = field(default=())
    writes: tuple[FileAccess, ...] = field(default=())
    run: str | None = None  # the run this cell logged params/metrics to, if any

    @property
    def cell_key(self) -> str:
        """What identifies "the same cell" across executions: its id, else its source hash."""
        return self.cell_id if self.cell_id else "source:" + self.source_oid

    @property
    def producer(self) -> str:
        """The ``producer`` value of versions this cell made."""
        return CELL_PRODUCER + self.id

    @property
    def label(self) -> str:
        where = self.notebook.rsplit("/", 1)[-1] if self.notebook else "kernel"
        count = f"[{self.execution_count}]" if self.execution_count is not None else "[ ]"
        cell = f" cell {self.cell_id}" if self.cell_id else ""
        return f"{where}{cell} {count}"

    @property
    def short_label(self) -> str:
        """The notebook and the cell as a person finds it: ``train.ipynb, cell [5]`` (the
        execution count JupyterLab shows beside the cell, else the cell's id)."""
        where = self.notebook or "a kernel"
        if self.execution_count is not None:
            return f"{where}, cell [{self.execution_count}]"
        return f"{where}, cell {self.cell_id}" if self.cell_id else f"{where}, a cell"

    def to_record(self) -> Record:
        return {
            "id": self.id,
            "session": self.session,
            "notebook": self.notebook,
            "cell_id": self.cell_id,
            "execution_count": self.execution_count,
            "source_oid": self.source_oid,
            "cwd": self.cwd,
            "started": self.started,
            "ended": self.ended,
            "success": self.success,
            "reads": [f.to_json() for f in self.reads],
            "writes": [f.to_json() for f in self.writes],
            "run": self.run,
        }

    @classmethod
    def from_record(cls, record: Record) -> CellRecord:
        return cls(
            id=record["id"],
            session=record["session"],
            notebook=record.get("notebook"),
            cell_id=record.get("cell_id"),
            execution_count=record.get("execution_count"),
            source_oid=record["source_oid"],
            cwd=record.get("cwd", ""),
            started=record["started"],
            ended=record["ended"],
            success=bool(record.get("success", True)),
            reads=tuple(FileAccess.from_json(d) for d in record.get("reads", ())),
            writes=tuple(FileAccess.from_json(d) for d in record.get("writes", ())),
            run=record.get("run"),
        )


def parse_producer(producer: str | None) -> tuple[str, str] | None:
    """``cell:<id>`` -> ``("cell", id)``; ``stage:<name>@<run>`` -> ``("stage", "name@run")``."""
    if not producer:
        return None
    kind, sep, rest = producer.partition(":")
    if not sep or not rest or kind not in ("cell", "stage"):
        return None
    return kind, rest
