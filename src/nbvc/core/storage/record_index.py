"""Keeping the index in step with the records it is built from.

The records (`.nbvc/records/<kind>/<id>.json`) are the truth; `index.db` is a cache of them.
Each kind of record has an :class:`Indexer` (its tables, and how one record becomes rows). The
index remembers, per kind, a stamp of the kind's folder (inode and mtime) taken when it last
listed it: a record added or removed since (by a killed add, a pull, a hand) moves the
folder's mtime, so one ``stat`` per kind tells a current index from one that is behind.
Catching up runs in one transaction, so a rebuild killed half-way leaves the index as it was
(and still behind, so the next command catches up again). Where the index holds a record the
folder no longer has, every kind is rebuilt from scratch.

Destructive callers (gc) and version numbering pass ``strict=True``: the folders are listed and
compared whatever the stamps say. A record that cannot be read (damaged on its way from
elsewhere: local writes are atomic) is an error that names it, every time until it is fixed;
the records that can be read are indexed all the same.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from nbvc.core.errors import DamagedRecordError, NbvcError
from nbvc.core.storage.index_db import RACY_WINDOW_NS, Index
from nbvc.core.storage.record_store import Record, RecordStore


@dataclass(frozen=True)
class Indexer:
    """How one kind of record is indexed.

    ``insert`` adds the rows of one record (the bookkeeping row in ``records`` is added by the
    caller); given as ``"module:function"`` it is imported when a record of the kind first
    needs indexing, so a command that finds the index current (every `nbvc status`) does not
    import the kind's record types. ``tables`` are the tables it fills, emptied before a full
    rebuild; ``schema`` creates them. Kinds are indexed in the order given (versions before the
    tags naming them).
    """

    kind: str
    insert: Callable[[sqlite3.Connection, Record], None] | str
    tables: tuple[str, ...]
    schema: str = ""

    def insert_rows(self, db: sqlite3.Connection, record: Record) -> None:
        insert = self.insert
        if isinstance(insert, str):
            module, name = insert.split(":")
            insert = getattr(importlib.import_module(module), name)
        insert(db, record)


@dataclass
class SyncResult:
    added: int = 0
    rebuilt: bool = False
    damaged: list[str] = field(default_factory=list)  # why each unreadable record is


def index_records(db: sqlite3.Connection, indexer: Indexer, records: Iterable[Record]) -> int:
    """Index records of one kind inside the caller's transaction; returns how many were new."""
    added = 0
    for record in records:
        if db.execute("SELECT 1 FROM records WHERE id = ?", (record["id"],)).fetchone():
            continue
        db.execute("INSERT INTO records VALUES (?, ?)", (record["id"], indexer.kind))
        try:
            indexer.insert_rows(db, record)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DamagedRecordError(
                f".nbvc/records/{indexer.kind}/{record.get('id')}.json is not a valid nbvc "
                f"record ({type(exc).__name__}: {exc}); restore it from where it came from "
                "(e.g. `nbvc pull`), or remove it"
            ) from None
        added += 1
    return added


def ensure_current(
    index: Index,
    store: RecordStore,
    indexers: Sequence[Indexer],
    strict: bool = False,
) -> SyncResult:
    """Bring ``index`` up to date with the records of ``indexers``' kinds."""
    now = time.time_ns()
    stamps = {ix.kind: _stamp(store, ix.kind) for ix in indexers}
    if not strict and all(_fresh(index, ix.kind, stamps[ix.kind]) for ix in indexers):
        return SyncResult()
    with index.transaction() as db:
        result = _catch_up(db, store, indexers, stamps, now)
    if result.damaged:
        more = f" (and {len(result.damaged) - 1} more)" if len(result.damaged) > 1 else ""
        raise DamagedRecordError(result.damaged[0] + more)
    return result


def _catch_up(
    db: sqlite3.Connection,
    store: RecordStore,
    indexers: Sequence[Indexer],
    stamps: dict[str, str],
    now: int,
) -> SyncResult:
    result = SyncResult()
    listed = {ix.kind: set(store.ids(ix.kind)) for ix in indexers}
    known = {ix.kind: _known(db, ix.kind) for ix in indexers}
    if any(known[kind] - listed[kind] for kind in listed):  # a record went: start again
        result.rebuilt = True
        kinds = [(ix.kind,) for ix in indexers]
        for ix in indexers:
            for table in ix.tables:
                db.execute(f"DELETE FROM {table}")
        db.executemany("DELETE FROM records WHERE kind = ?", kinds)
        db.executemany("DELETE FROM record_sync WHERE kind = ?", kinds)
        known = {kind: set() for kind in listed}
    for ix in indexers:
        damaged_before = len(result.damaged)
        missing = sorted(listed[ix.kind] - known[ix.kind])
        for record in _readable(store, ix, missing, result.damaged):
            db.execute("SAVEPOINT one_record")
            try:
                result.added += index_records(db, ix, [record])
            except DamagedRecordError as exc:
                db.execute("ROLLBACK TO one_record")
                result.damaged.append(str(exc))
            db.execute("RELEASE one_record")
        if len(result.damaged) == damaged_before:  # else look again next time, and say so
            db.execute(
                "INSERT OR REPLACE INTO record_sync VALUES (?, ?, ?)",
                (ix.kind, stamps[ix.kind], now),
            )
    return result


def _readable(
    store: RecordStore, indexer: Indexer, ids: list[str], damaged: list[str]
) -> Iterable[Record]:
    """The records that can be read; what is wrong with the others goes to ``damaged``."""
    for record_id in ids:
        path = store.path(indexer.kind, record_id)
        try:
            record = store.read(indexer.kind, record_id)
        except NbvcError as exc:
            damaged.append(str(exc))
            continue
        except OSError as exc:
            damaged.append(f"{path} cannot be read ({exc.strerror})")
            continue
        if not isinstance(record, dict) or record.get("id") != record_id:
            damaged.append(
                f"{path} is not a valid nbvc record (its id is not its name); "
                "restore it from where it came from (e.g. `nbvc pull`), or remove it"
            )
            continue
        yield record


def _known(db: sqlite3.Connection, kind: str) -> set[str]:
    return {row[0] for row in db.execute("SELECT id FROM records WHERE kind = ?", (kind,))}


def _stamp(store: RecordStore, kind: str) -> str:
    try:
        st = os.stat(os.path.join(store.root, kind))
    except (FileNotFoundError, NotADirectoryError):
        return "absent"
    return f"{st.st_ino}:{st.st_mtime_ns}"


def _fresh(index: Index, kind: str, stamp: str) -> bool:
    row = index.execute("SELECT stamp, checked_ns FROM record_sync WHERE kind = ?", (kind,))
    found = row.fetchone()
    if found is None or found[0] != stamp:
        return False
    if stamp == "absent":
        return True
    mtime_ns = int(stamp.split(":")[1])
    return bool(mtime_ns < found[1] - RACY_WINDOW_NS)  # else a record may have come unseen
