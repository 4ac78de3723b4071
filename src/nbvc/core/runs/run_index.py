"""Runs in the SQLite index: fast listing and sorting, the run cache's lookup, gc roots.

Everything here is derived from the run records: :data:`INDEXER` says how (see
:mod:`nbvc.core.storage.record_index`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import RUNS, RunRecord
from nbvc.core.storage.record_index import Indexer, index_records
from nbvc.core.storage.record_store import Record

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, started REAL, ended REAL, duration REAL, status TEXT NOT NULL,
    source TEXT NOT NULL, git TEXT, host TEXT, python TEXT
);
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

RUN_COLUMNS = "id, started, ended, duration, status, source, git, host, python"


@dataclass(frozen=True)
class CacheHit:
    run_id: str
    stage: str
    outs: dict[str, dict[str, Any]]  # path -> {oid, size, nfiles, cache}


class RunIndex:
    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.index = repo.index

    # -- writing ----------------------------------------------------------------------------
    def add(self, record: RunRecord) -> bool:
        """Index one run record; False if it was indexed already."""
        with self.index.transaction() as db:
            return index_records(db, INDEXER, [record.to_record()]) == 1

    def reindex(self) -> int:
        """Index run records not yet indexed; returns how many."""
        return self.repo.reindex()

    # -- reading ----------------------------------------------------------------------------
    def latest(self, completed_only: bool = False, skip: int = 0) -> str | None:
        """The newest run (``skip``: the one that many runs before it)."""
        where = " WHERE status = 'completed'" if completed_only else ""
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
            sql = "SELECT id FROM runs ORDER BY started DESC, id DESC"
        else:
            name, source = sort
            join = "v.run_id = r.id AND v.kind = 'metric' AND v.name = ?"
            params.append(name)
            if source is not None:
                join += " AND v.source = ?"
                params.append(source)
            order = "ASC" if ascending else "DESC"
            sql = (
                f"SELECT r.id FROM runs r LEFT JOIN run_values v ON {join} "
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

    def cache_rows(self, stages: Iterable[str]) -> list[tuple[Any, ...]]:
        """The run cache's entries for ``stages`` (an experiment's workspace gets them)."""
        wanted = sorted(set(stages))
        marks = ",".join("?" * len(wanted))
        return [
            tuple(row)
            for row in self.index.execute(
                f"SELECT key, run_id, stage, created, outs FROM run_cache WHERE stage IN ({marks})",
                wanted,
            )
        ]

    def add_cache_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        with self.index.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO run_cache VALUES (?, ?, ?, ?, ?)", list(rows))

    def remove(self, run_ids: Iterable[str]) -> None:
        """Forget runs whose records were deleted."""
        rows = [(run_id,) for run_id in run_ids]
        with self.index.transaction() as db:
            for table, column in (
                ("records", "id"),
                ("runs", "id"),
                ("run_values", "run_id"),
                ("run_cache", "run_id"),
                ("run_objects", "run_id"),
            ):
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?", rows)

    def referenced_oids(self) -> set[str]:
        return {row[0] for row in self.index.execute("SELECT DISTINCT oid FROM run_objects")}


def _value_rows(record: RunRecord) -> Iterable[tuple[Any, ...]]:
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
    """Objects a run record needs kept: its stages' outputs (the run cache), plot files and an
    experiment's code snapshot."""
    oids: set[str] = set()
    for entry in record.stages.values():
        if entry.get("status") in ("ran", "restored"):
            oids.update(out["oid"] for out in (entry.get("outs") or {}).values())
        oids.update((entry.get("replaced") or {}).values())  # what a run replaced: kept
    oids.update(plot.oid for plot in record.plots)
    details = record.extra.get("experiment")  # an experiment's code snapshot (for exp apply)
    code = details.get("code") if isinstance(details, dict) else None
    if isinstance(code, dict) and isinstance(code.get("tree"), str):
        oids.add(code["tree"])
    return oids


def _insert(db: sqlite3.Connection, doc: Record) -> None:
    record = RunRecord.from_record(doc)
    run_id = record.id
    env = record.env
    db.execute(
        f"INSERT OR REPLACE INTO runs ({RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run_id,
            record.started,
            record.ended,
            record.duration,
            record.status.value,
            record.source,
            env.get("git"),
            env.get("host"),
            env.get("python"),
        ),
    )
    db.executemany(
        "INSERT OR REPLACE INTO run_values VALUES (?, ?, ?, ?, ?, ?)", list(_value_rows(record))
    )
    db.executemany(
        "INSERT OR IGNORE INTO run_cache VALUES (?, ?, ?, ?, ?)", list(_cache_rows(record))
    )
    db.executemany(
        "INSERT OR IGNORE INTO run_objects VALUES (?, ?)",
        [(oid, run_id) for oid in record_oids(record)],
    )


INDEXER = Indexer(RUNS, _insert, ("runs", "run_values", "run_cache", "run_objects"), SCHEMA)
