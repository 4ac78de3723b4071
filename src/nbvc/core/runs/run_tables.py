"""The run tables of the SQLite index and how run records fill them, declared apart from the
run types so that opening the index imports neither (see :class:`.record_index.Indexer`)."""

from __future__ import annotations

from nbvc.core.storage.record_index import Indexer

RUNS = "runs"
EDITS = "run_edits"  # records that rename, tag, annotate, delete or restore a finished run

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, started REAL, ended REAL, duration REAL, status TEXT NOT NULL,
    source TEXT NOT NULL, git TEXT, host TEXT, python TEXT
);
CREATE TABLE IF NOT EXISTS run_names (
    run_id TEXT PRIMARY KEY, name TEXT, parent TEXT, deleted INTEGER NOT NULL DEFAULT 0,
    base TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS run_names_by_parent ON run_names(parent);
CREATE TABLE IF NOT EXISTS run_values (
    run_id TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL,
    num REAL, value TEXT NOT NULL, PRIMARY KEY (run_id, kind, source, name)
);
CREATE INDEX IF NOT EXISTS run_values_by_name ON run_values(kind, name, num);
CREATE TABLE IF NOT EXISTS run_cache (
    key TEXT NOT NULL, run_id TEXT NOT NULL, stage TEXT NOT NULL, created REAL NOT NULL,
    outs TEXT NOT NULL, PRIMARY KEY (key, run_id, stage)
);
CREATE TABLE IF NOT EXISTS run_objects (
    oid TEXT NOT NULL, run_id TEXT NOT NULL, PRIMARY KEY (oid, run_id)
);
CREATE TABLE IF NOT EXISTS run_edits (
    id TEXT PRIMARY KEY, run_id TEXT NOT NULL, time REAL NOT NULL, changes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS run_edits_by_run ON run_edits(run_id, time, id);
"""

# edits first, so a run indexed in the same pass finds its edits
EDITS_INDEXER = Indexer(EDITS, "nbvc.core.runs.run_index:_insert_edit", ("run_edits",))
INDEXER = Indexer(
    RUNS,
    "nbvc.core.runs.run_index:_insert",
    ("runs", "run_names", "run_values", "run_cache", "run_objects"),
    SCHEMA,
)
