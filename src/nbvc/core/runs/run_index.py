"""Runs in the SQLite index: fast listing, sorting and search, the run cache's lookup, gc roots.

Everything here is derived from the run records and the edit records that rename, tag,
annotate, delete or restore a run after it ended: :mod:`.run_tables` declares the tables, and
the ``_insert`` functions here fill them (see :mod:`nbvc.core.storage.record_index`). A run's
name, parent and deleted flag live in ``run_names`` (beside ``runs``, so indexes made before
runs had names need no migration), with the name and tags its record gave it, so the edits can
be applied again in time order whatever order they arrive in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import RunRecord
from nbvc.core.runs.run_tables import EDITS_INDEXER, INDEXER
from nbvc.core.storage.record_index import index_records
from nbvc.core.storage.record_store import Record

RUN_COLUMNS = "id, started, ended, duration, status, source, git, host, python"
# runs that are not soft-deleted (``r`` is the runs table)
LIVE = "r.id NOT IN (SELECT run_id FROM run_names WHERE deleted = 1)"


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
        """Index one run record (with the edits indexed for it); False if it was indexed
        already."""
        with self.index.transaction() as db:
            return index_records(db, INDEXER, [record.to_record()]) == 1

    def add_edit(self, edit: Record) -> bool:
        """Index one edit record (and apply it to its run); False if it was indexed already."""
        with self.index.transaction() as db:
            return index_records(db, EDITS_INDEXER, [edit]) == 1

    def forget(self, run_id: str) -> None:
        """Drop a purged run from the index (its edits stay: they are records too)."""
        with self.index.transaction() as db:
            for table in ("runs", "run_names", "run_values", "run_objects", "run_cache"):
                column = "id" if table == "runs" else "run_id"
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (run_id,))
            db.execute("DELETE FROM records WHERE id = ?", (run_id,))

    def reindex(self) -> int:
        """Index run records not yet indexed; returns how many."""
        return self.repo.reindex()

    def edits(self, run_id: str) -> list[dict[str, Any]]:
        return _edits(self.index.db, run_id)

    # -- reading ----------------------------------------------------------------------------
    def latest(self, completed_only: bool = False, skip: int = 0) -> str | None:
        """The newest run that is not deleted (``skip``: the one that many runs before it)."""
        where = f" AND {LIVE}" + (" AND status = 'completed'" if completed_only else "")
        row = self.index.execute(
            f"SELECT id FROM runs r WHERE 1{where} ORDER BY started DESC, id DESC LIMIT 1 OFFSET ?",
            (skip,),
        ).fetchone()
        return row[0] if row else None

    def matching(self, ref: str) -> list[str]:
        """Finished runs whose id is ``ref``, starts with it or ends with it (the short id);
        deleted ones too, so that they can be restored."""
        escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.index.execute(
            "SELECT id FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\'",
            (ref, escaped + "%", "%" + escaped),
        ).fetchall()
        return sorted({row[0] for row in rows})

    def ids(
        self, sort: tuple[str, str | None] | None, ascending: bool, limit: int | None
    ) -> list[str]:
        """Run ids (not deleted), newest first, or ordered by a metric (``(name, source)``)."""
        params: list[Any] = []
        if sort is None:
            sql = f"SELECT id FROM runs r WHERE {LIVE} ORDER BY started DESC, id DESC"
        else:
            name, source = sort
            join = "v.run_id = r.id AND v.kind = 'metric' AND v.name = ?"
            params.append(name)
            if source is not None:
                join += " AND v.source = ?"
                params.append(source)
            order = "ASC" if ascending else "DESC"
            sql = (
                f"SELECT r.id FROM runs r LEFT JOIN run_values v ON {join} WHERE {LIVE} "
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

    def cache_outs(self) -> list[dict[str, dict[str, Any]]]:
        """The outs (``path -> {oid, size, ...}``) of every run-cache entry, newest first."""
        rows = self.index.execute("SELECT outs FROM run_cache ORDER BY created DESC")
        return [json.loads(outs) for (outs,) in rows]

    def add_cache_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        with self.index.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO run_cache VALUES (?, ?, ?, ?, ?)", list(rows))

    def deleted(self) -> list[str]:
        return [row[0] for row in self.index.execute("SELECT run_id FROM run_names WHERE deleted")]

    def referenced_oids(self, live_only: bool = False) -> set[str]:
        """Objects runs need kept (``live_only``: not counting soft-deleted runs)."""
        sql = "SELECT DISTINCT oid FROM run_objects"
        if live_only:
            sql += " WHERE run_id NOT IN (SELECT run_id FROM run_names WHERE deleted = 1)"
        return {row[0] for row in self.index.execute(sql)}


def apply_edits(record: RunRecord, edits: Iterable[Mapping[str, Any]]) -> RunRecord:
    """A run as its edits (oldest first) left it: name, note, tags, deleted."""
    for changes in edits:
        tags = {**record.tags, **dict(changes.get("tags") or {})}
        record = replace(
            record,
            name=changes.get("name", record.name),
            note=changes.get("note", record.note),
            deleted=bool(changes.get("deleted", record.deleted)),
            tags={k: v for k, v in tags.items() if v is not None},
        )
    return record


def _edits(db: sqlite3.Connection, run_id: str) -> list[dict[str, Any]]:
    rows = db.execute("SELECT changes FROM run_edits WHERE run_id = ? ORDER BY time, id", (run_id,))
    return [json.loads(row[0]) for row in rows]


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
    """Objects a run record needs kept: its stages' outputs (the run cache), plot files,
    logged artifacts and an experiment's code snapshot."""
    oids: set[str] = set()
    for entry in record.stages.values():
        if entry.get("status") in ("ran", "restored"):
            oids.update(out["oid"] for out in (entry.get("outs") or {}).values())
        oids.update((entry.get("replaced") or {}).values())  # what a run replaced: kept
    oids.update(plot.oid for plot in record.plots)
    oids.update(artifact.oid for artifact in record.artifacts)
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
    base = {"name": record.name, "tags": record.tags}
    db.execute(
        "INSERT OR REPLACE INTO run_names VALUES (?, ?, ?, 0, ?)",
        (run_id, record.name, record.parent, json.dumps(base)),
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
    _apply_edits(db, run_id)


def _insert_edit(db: sqlite3.Connection, doc: Record) -> None:
    db.execute(
        "INSERT OR REPLACE INTO run_edits VALUES (?, ?, ?, ?)",
        (doc["id"], doc["run"], float(doc["time"]), json.dumps(doc["changes"])),
    )
    if db.execute("SELECT 1 FROM runs WHERE id = ?", (doc["run"],)).fetchone():
        _apply_edits(db, doc["run"])


def _apply_edits(db: sqlite3.Connection, run_id: str) -> None:
    """Name, deleted flag and tags of an indexed run: its record's, then every edit in order."""
    row = db.execute("SELECT base, parent FROM run_names WHERE run_id = ?", (run_id,)).fetchone()
    base = json.loads(row[0]) if row else {}
    state = apply_edits(
        RunRecord(run_id, name=base.get("name"), tags=dict(base.get("tags") or {})),
        _edits(db, run_id),
    )
    db.execute(
        "INSERT OR REPLACE INTO run_names VALUES (?, ?, ?, ?, ?)",
        (run_id, state.name, row[1] if row else None, int(state.deleted), json.dumps(base)),
    )
    db.execute("DELETE FROM run_values WHERE run_id = ? AND kind = 'tag'", (run_id,))
    db.executemany(
        "INSERT INTO run_values VALUES (?, 'tag', '', ?, NULL, ?)",
        [(run_id, key, json.dumps(value)) for key, value in state.tags.items()],
    )
