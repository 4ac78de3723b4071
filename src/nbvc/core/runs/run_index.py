"""Runs in the SQLite index: fast listing and sorting, the run cache's lookup, gc roots.

Everything here is derived from the run records and rebuilt by :func:`reindex_runs`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import RUNS, RunRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, started REAL, ended REAL, duration REAL, status TEXT NOT NULL,
    source TEXT NOT NULL, git TEXT, host TEXT, python TEXT, name TEXT, parent TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS run_edits (
    id TEXT PRIMARY KEY, run_id TEXT NOT NULL, time REAL NOT NULL, changes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS run_edits_by_run ON run_edits(run_id, time, id);
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
"""

RUN_COLUMNS = (
    "id, started, ended, duration, status, source, git, host, python, name, parent, deleted"
)
EDITS = "run_edits"  # records that rename, tag, annotate, delete or restore a finished run


@dataclass(frozen=True)
class CacheHit:
    run_id: str
    stage: str
    outs: dict[str, dict[str, Any]]  # path -> {oid, size, nfiles, cache}


class RunIndex:
    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.index = repo.index
        upgraded = _upgrade(self.index.db)
        self.index.db.executescript(SCHEMA)
        if upgraded:
            self.reindex()

    # -- writing ----------------------------------------------------------------------------
    def add(self, record: RunRecord) -> bool:
        """Index one run record (with the edits indexed for it); False if it was indexed
        already."""
        with self.index.transaction() as db:
            if db.execute("SELECT 1 FROM records WHERE id = ?", (record.id,)).fetchone():
                return False
            db.execute("INSERT INTO records VALUES (?, ?)", (record.id, RUNS))
            self._insert(db, apply_edits(record, self.edits(record.id)))
        return True

    def add_edit(self, edit: Mapping[str, Any]) -> bool:
        """Index one edit record and re-index the run it changes; False if known already."""
        run_id = edit["run"]
        with self.index.transaction() as db:
            if db.execute("SELECT 1 FROM records WHERE id = ?", (edit["id"],)).fetchone():
                return False
            db.execute("INSERT INTO records VALUES (?, ?)", (edit["id"], EDITS))
            db.execute(
                "INSERT INTO run_edits VALUES (?, ?, ?, ?)",
                (edit["id"], run_id, edit["time"], json.dumps(edit["changes"])),
            )
            indexed = db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone()
        if indexed:
            self.refresh(run_id)
        return True

    def refresh(self, run_id: str) -> None:
        """Index a run again from its record and its edits."""
        record = apply_edits(
            RunRecord.from_record(self.repo.records.read(RUNS, run_id)), self.edits(run_id)
        )
        with self.index.transaction() as db:
            self._forget(db, run_id)
            self._insert(db, record)

    def forget(self, run_id: str) -> None:
        """Drop a purged run from the index."""
        with self.index.transaction() as db:
            self._forget(db, run_id)
            db.execute("DELETE FROM records WHERE id = ?", (run_id,))
            db.execute("DELETE FROM run_cache WHERE run_id = ?", (run_id,))

    def edits(self, run_id: str) -> list[dict[str, Any]]:
        rows = self.index.execute(
            "SELECT changes FROM run_edits WHERE run_id = ? ORDER BY time, id", (run_id,)
        )
        return [json.loads(row[0]) for row in rows]

    def _insert(self, db: sqlite3.Connection, record: RunRecord) -> None:
        env = record.env
        db.execute(
            f"INSERT OR REPLACE INTO runs ({RUN_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.started,
                record.ended,
                record.duration,
                record.status.value,
                record.source,
                env.get("git"),
                env.get("host"),
                env.get("python"),
                record.name,
                record.parent,
                int(record.deleted),
            ),
        )
        db.executemany(
            "INSERT OR REPLACE INTO run_values VALUES (?, ?, ?, ?, ?, ?)",
            list(_value_rows(record)),
        )
        db.executemany(
            "INSERT OR IGNORE INTO run_cache VALUES (?, ?, ?, ?, ?)", list(_cache_rows(record))
        )
        db.executemany(
            "INSERT OR IGNORE INTO run_objects VALUES (?, ?)",
            [(oid, record.id) for oid in record_oids(record)],
        )

    @staticmethod
    def _forget(db: sqlite3.Connection, run_id: str) -> None:
        for table in ("runs", "run_values", "run_objects"):
            column = "id" if table == "runs" else "run_id"
            db.execute(f"DELETE FROM {table} WHERE {column} = ?", (run_id,))

    def reindex(self) -> int:
        known = {row[0] for row in self.index.execute("SELECT id FROM records")}
        added = 0
        for edit_id in self.repo.records.ids(EDITS):
            if edit_id not in known and self.add_edit(self.repo.records.read(EDITS, edit_id)):
                added += 1
        for run_id in self.repo.records.ids(RUNS):
            if run_id not in known and self.add(
                RunRecord.from_record(self.repo.records.read(RUNS, run_id))
            ):
                added += 1
        return added

    # -- reading ----------------------------------------------------------------------------
    def latest(self, completed_only: bool = False, skip: int = 0) -> str | None:
        """The newest run (``skip``: the one that many runs before it)."""
        where = " WHERE deleted = 0" + (" AND status = 'completed'" if completed_only else "")
        row = self.index.execute(
            f"SELECT id FROM runs{where} ORDER BY started DESC, id DESC LIMIT 1 OFFSET ?",
            (skip,),
        ).fetchone()
        return row[0] if row else None

    def matching(self, ref: str) -> list[str]:
        """Finished runs whose id is ``ref``, starts with it or ends with it (the short id)."""
        escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.index.execute(
            "SELECT id FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\'",
            (ref, escaped + "%", "%" + escaped),
        ).fetchall()
        return sorted({row[0] for row in rows})

    def ids(
        self, sort: tuple[str, str | None] | None, ascending: bool, limit: int | None
    ) -> list[str]:
        """Run ids, newest first, or ordered by a metric (``(name, source or None)``)."""
        params: list[Any] = []
        if sort is None:
            sql = "SELECT id FROM runs WHERE deleted = 0 ORDER BY started DESC, id DESC"
        else:
            name, source = sort
            join = "v.run_id = r.id AND v.kind = 'metric' AND v.name = ?"
            params.append(name)
            if source is not None:
                join += " AND v.source = ?"
                params.append(source)
            order = "ASC" if ascending else "DESC"
            sql = (
                f"SELECT r.id FROM runs r LEFT JOIN run_values v ON {join} WHERE r.deleted = 0 "
                f"ORDER BY v.num IS NULL, v.num {order}, r.started DESC"
            )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [row[0] for row in self.index.execute(sql, params)]

    def metric_sources(self, name: str) -> list[str]:
        rows = self.index.execute(
            "SELECT DISTINCT source FROM run_values WHERE kind = 'metric' AND name = ?", (name,)
        )
        return sorted(row[0] for row in rows)

    def cache_hits(self, key: str) -> list[CacheHit]:
        rows = self.index.execute(
            "SELECT run_id, stage, outs FROM run_cache WHERE key = ? ORDER BY created DESC",
            (key,),
        )
        return [CacheHit(run_id, stage, json.loads(outs)) for run_id, stage, outs in rows]

    def deleted(self) -> list[str]:
        return [row[0] for row in self.index.execute("SELECT id FROM runs WHERE deleted = 1")]

    def referenced_oids(self, live_only: bool = False) -> set[str]:
        """Objects runs need kept (``live_only``: not counting soft-deleted runs)."""
        sql = "SELECT DISTINCT oid FROM run_objects"
        if live_only:
            sql += " WHERE run_id NOT IN (SELECT id FROM runs WHERE deleted = 1)"
        return {row[0] for row in self.index.execute(sql)}


def _value_rows(record: RunRecord) -> Iterable[tuple[Any, ...]]:
    for key, text in record.tags.items():
        yield (record.id, "tag", "", key, None, json.dumps(text))
    for kind, by_source in (("param", record.params), ("metric", record.metrics)):
        for source, values in by_source.items():
            for name, value in values.items():
                num = (
                    value
                    if isinstance(value, int | float) and not isinstance(value, bool)
                    else None
                )
                yield (record.id, kind, source, name, num, json.dumps(value))


def _cache_rows(record: RunRecord) -> Iterable[tuple[Any, ...]]:
    for stage, entry in record.stages.items():
        if entry.get("cache_key") and entry.get("status") in ("ran", "restored"):
            yield (
                entry["cache_key"],
                record.id,
                stage,
                record.ended or record.started or 0.0,
                json.dumps(entry.get("outs") or {}),
            )


def record_oids(record: RunRecord) -> set[str]:
    """Objects a run record needs kept: its stages' outputs (the run cache) and plot files."""
    oids: set[str] = set()
    for entry in record.stages.values():
        if entry.get("status") in ("ran", "restored"):
            oids.update(out["oid"] for out in (entry.get("outs") or {}).values())
    oids.update(plot.oid for plot in record.plots)
    oids.update(artifact.oid for artifact in record.artifacts)
    return oids


def apply_edits(record: RunRecord, edits: Iterable[Mapping[str, Any]]) -> RunRecord:
    """A run as its edits (oldest first) left it: name, note, tags, deleted."""
    for changes in edits:
        tags = {**record.tags, **{k: v for k, v in (changes.get("tags") or {}).items()}}
        record = replace(
            record,
            name=changes.get("name", record.name),
            note=changes.get("note", record.note),
            deleted=bool(changes.get("deleted", record.deleted)),
            tags={k: v for k, v in tags.items() if v is not None},
        )
    return record


def _upgrade(db: sqlite3.Connection) -> bool:
    """Indexes made before runs had names: drop the run tables (they are rebuilt from the
    records by the next reindex)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    if columns and "deleted" not in columns:
        db.executescript(
            "DROP TABLE runs; DELETE FROM run_values; DELETE FROM run_objects;"
            "DELETE FROM records WHERE kind = 'runs';"
        )
        return True
    return False


def reindex_runs(repo: Repo) -> int:
    return RunIndex(repo).reindex()
