"""Lineage tables in the SQLite index, rebuilt from the ``lineage`` records at any time.

``lineage_cells`` has one row per executed cell, ``lineage_io`` one row per file a cell read or
wrote. Queries answer the questions the tracer and the lineage graph ask: which cell wrote this
content, what did this cell read last time, which cells ran earlier in the same session.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from nbvc.core.lineage.cell_record import CellRecord, FileAccess
from nbvc.core.lineage.lineage_tables import INDEXER
from nbvc.core.storage.index_db import Index
from nbvc.core.storage.record_index import index_records as index_kind
from nbvc.core.storage.record_store import Record

READ, WRITE = "read", "write"


def tables(index: Index) -> Index:
    """``index``, whose lineage tables exist (the repo creates them when it opens its index)."""
    return index


def index_records(index: Index, records: Iterable[Record]) -> int:
    """Bring lineage records into the index in one transaction; returns how many were new."""
    with index.transaction() as db:
        return index_kind(db, INDEXER, records)


def _insert(db: sqlite3.Connection, record: Record) -> None:
    cell = CellRecord.from_record(record)
    db.execute(
        "INSERT INTO lineage_cells VALUES (?, ?, ?, ?, ?, ?)",
        (
            cell.id,
            cell.session,
            cell.notebook,
            cell.cell_key,
            cell.started,
            json.dumps(cell.to_record(), sort_keys=True),
        ),
    )
    db.executemany(
        "INSERT INTO lineage_io VALUES (?, ?, ?, ?, ?)",
        [
            *((cell.id, READ, f.path, f.oid, cell.started) for f in cell.reads),
            *((cell.id, WRITE, f.path, f.oid, cell.started) for f in cell.writes),
        ],
    )


# -- queries ---------------------------------------------------------------------------------
def cell(index: Index, record_id: str) -> CellRecord | None:
    row = (
        tables(index)
        .execute("SELECT record FROM lineage_cells WHERE id = ?", (record_id,))
        .fetchone()
    )
    return _cell(row[0]) if row else None


def session_cells(index: Index, session: str, until: float) -> list[CellRecord]:
    """Cells of ``session`` that started at or before ``until``, in execution order."""
    rows = tables(index).execute(
        "SELECT record FROM lineage_cells WHERE session = ? AND started <= ? ORDER BY started, id",
        (session, until),
    )
    return [_cell(row[0]) for row in rows]


def notebook_cells(index: Index, notebook: str, limit: int) -> list[CellRecord]:
    """The cells of ``notebook``'s latest kernel session, in execution order (the last
    ``limit`` of them)."""
    db = tables(index)
    row = db.execute(
        "SELECT session FROM lineage_cells WHERE notebook = ? ORDER BY started DESC, id DESC "
        "LIMIT 1",
        (notebook,),
    ).fetchone()
    if row is None:
        return []
    rows = db.execute(
        "SELECT record FROM lineage_cells WHERE session = ? AND notebook = ? "
        "ORDER BY started DESC, id DESC LIMIT ?",
        (row[0], notebook, limit),
    ).fetchall()
    return [_cell(r[0]) for r in reversed(rows)]


def latest_writer(index: Index, path: str, oid: str, before: float | None = None) -> str | None:
    """The cell that most recently wrote ``oid`` to ``path`` (before ``before``, if given)."""
    row = (
        tables(index)
        .execute(
            "SELECT record_id FROM lineage_io WHERE path = ? AND direction = ? AND oid = ? "
            "AND started < ? ORDER BY started DESC LIMIT 1",
            (path, WRITE, oid, before if before is not None else float("inf")),
        )
        .fetchone()
    )
    return row[0] if row else None


def writes_under(
    index: Index, folder: str, before: float | None = None
) -> list[tuple[str, str, str]]:
    """``(path, oid, record_id)`` of writes below ``folder``, latest first."""
    escaped = folder.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = tables(index).execute(
        "SELECT path, oid, record_id FROM lineage_io WHERE direction = ? AND path LIKE ? "
        "ESCAPE '\\' AND oid IS NOT NULL AND started < ? ORDER BY started DESC",
        (WRITE, escaped + "/%", before if before is not None else float("inf")),
    )
    return [(row[0], row[1], row[2]) for row in rows]


def last_access(
    index: Index, notebook: str | None, cell_key: str, path: str, direction: str
) -> FileAccess | None:
    """What this cell (same notebook and id or source) last read or wrote at ``path``."""
    row = (
        tables(index)
        .execute(
            "SELECT c.record FROM lineage_io io JOIN lineage_cells c ON c.id = io.record_id "
            "WHERE io.path = ? AND io.direction = ? AND c.cell_key = ? AND c.notebook IS ? "
            "ORDER BY io.started DESC LIMIT 1",
            (path, direction, cell_key, notebook),
        )
        .fetchone()
    )
    if row is None:
        return None
    record = _cell(row[0])
    accesses = record.reads if direction == READ else record.writes
    return next((f for f in accesses if f.path == path), None)


def source_oids(index: Index) -> set[str]:
    """Every cell source the indexed lineage records refer to (gc keeps these)."""
    rows = tables(index).execute(
        "SELECT DISTINCT json_extract(record, '$.source_oid') FROM lineage_cells"
    )
    return {row[0] for row in rows if row[0]}


def _cell(text: str) -> CellRecord:
    return CellRecord.from_record(json.loads(text))
