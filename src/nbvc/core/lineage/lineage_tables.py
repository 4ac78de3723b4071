"""The lineage tables of the SQLite index and how lineage records fill them, declared apart
from the record types so that opening the index imports neither (see
:class:`.record_index.Indexer`)."""

from __future__ import annotations

from nbvc.core.storage.record_index import Indexer

LINEAGE = "lineage"

SCHEMA = """
CREATE TABLE IF NOT EXISTS lineage_cells (
    id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    notebook TEXT,
    cell_key TEXT NOT NULL,
    started REAL NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS lineage_cells_by_key ON lineage_cells(notebook, cell_key, started);
CREATE INDEX IF NOT EXISTS lineage_cells_by_session ON lineage_cells(session, started);
CREATE TABLE IF NOT EXISTS lineage_io (
    record_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    path TEXT NOT NULL,
    oid TEXT,
    started REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS lineage_io_by_path ON lineage_io(path, direction, started);
"""

INDEXER = Indexer(
    LINEAGE, "nbvc.core.lineage.lineage_index:_insert", ("lineage_cells", "lineage_io"), SCHEMA
)
