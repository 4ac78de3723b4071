"""The local SQLite index in `.nbvc/index.db`: the stat cache and query tables.

Nothing here is the source of truth except the stat cache: versions, tags and (later) runs are
indexed from the record files in `.nbvc/records/` and can be rebuilt from them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from nbvc.core.errors import NbvcError

SCHEMA = """
CREATE TABLE IF NOT EXISTS stat (
    ino INTEGER PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, oid TEXT NOT NULL,
    recorded_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT PRIMARY KEY,
    artifact TEXT NOT NULL,
    number INTEGER NOT NULL,
    oid TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    nfiles INTEGER NOT NULL,
    created REAL NOT NULL,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    producer TEXT,
    pruned INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS versions_by_number ON versions(artifact, number);
CREATE INDEX IF NOT EXISTS versions_by_oid ON versions(oid);
CREATE TABLE IF NOT EXISTS tags (
    artifact TEXT NOT NULL, name TEXT NOT NULL, version_id TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (artifact, name)
);
CREATE TABLE IF NOT EXISTS complete_trees (oid TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS dir_stat (
    path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, oid TEXT NOT NULL, size INTEGER NOT NULL,
    nfiles INTEGER NOT NULL, recorded_ns INTEGER NOT NULL
);
"""


BUSY_TIMEOUT = 60.0  # seconds to wait for another process's write transaction

# A file modified within this window before its hash was recorded could change again without its
# mtime moving (coarse kernel timestamps), so such an entry is not trusted ("racily clean", as git
# calls it) and the file is hashed again.
RACY_WINDOW_NS = 50_000_000


class StatRow(NamedTuple):
    size: int
    mtime_ns: int
    oid: str
    recorded_ns: int

    def matches(self, size: int, mtime_ns: int) -> bool:
        """True if a file with this size and mtime certainly still has ``oid``."""
        return (
            self.size == size
            and self.mtime_ns == mtime_ns
            and mtime_ns < self.recorded_ns - RACY_WINDOW_NS
        )

    def unchanged(self, size: int, mtime_ns: int) -> bool:
        """True if a cache file (written once, never in place) has not been written since it
        was verified. No racy window: nbvc never writes such a file again, so any later write
        is damage and moves its mtime past ``recorded_ns``."""
        return self.size == size and self.mtime_ns == mtime_ns <= self.recorded_ns


class DirRow(NamedTuple):
    oid: str
    size: int
    nfiles: int


StatEntry = tuple[int, int, int, str, int]  # ino, size, mtime_ns, oid, recorded_ns


class Index:
    """A thin, typed wrapper over one SQLite connection."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            _enable_wal(self.db)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.OperationalError:
            self.db.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise NbvcError(
                f"{path} is damaged ({exc}); delete it and its -wal and -shm files, "
                "and nbvc rebuilds it from .nbvc/records"
            ) from None

    def close(self) -> None:
        self.db.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def transaction(self) -> sqlite3.Connection:
        """``with index.transaction():`` runs the block in one IMMEDIATE transaction."""
        return _Transaction(self.db)  # type: ignore[return-value]

    # -- stat cache -------------------------------------------------------------------------
    def stat_lookup(self, inodes: Iterable[int]) -> dict[int, StatRow]:
        """Look up many inodes in one query."""
        rows = self.db.execute(
            "SELECT ino, size, mtime_ns, oid, recorded_ns FROM stat "
            "WHERE ino IN (SELECT value FROM json_each(?))",
            (json.dumps(list(inodes)),),
        )
        return {row[0]: StatRow(*row[1:]) for row in rows}

    def stat_store(self, rows: Iterable[StatEntry]) -> None:
        """Remember ``(ino, size, mtime_ns, oid, recorded_ns)`` of files hashed or written."""
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO stat VALUES (?, ?, ?, ?, ?)", rows)

    def stat_forget(self, oids: Iterable[str]) -> None:
        """Drop stat-cache entries that claim any of ``oids`` (e.g. after corruption)."""
        with self.transaction():
            self.db.executemany("DELETE FROM stat WHERE oid = ?", [(oid,) for oid in oids])

    # -- whole-directory stat cache ----------------------------------------------------------
    def dir_lookup(self, path: str, fingerprint: str, newest_mtime_ns: int) -> DirRow | None:
        """The tree of a folder whose files' stats hash to ``fingerprint``, if known and safe."""
        row = self.db.execute(
            "SELECT oid, size, nfiles, recorded_ns FROM dir_stat "
            "WHERE path = ? AND fingerprint = ?",
            (path, fingerprint),
        ).fetchone()
        if row is None or newest_mtime_ns >= row[3] - RACY_WINDOW_NS:
            return None
        return DirRow(row[0], row[1], row[2])

    def dir_store(self, path: str, fingerprint: str, row: DirRow, recorded_ns: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO dir_stat VALUES (?, ?, ?, ?, ?, ?)",
            (path, fingerprint, row.oid, row.size, row.nfiles, recorded_ns),
        )

    # -- completeness of trees in the cache -------------------------------------------------
    def is_complete(self, tree_oid: str) -> bool:
        row = self.db.execute("SELECT 1 FROM complete_trees WHERE oid = ?", (tree_oid,))
        return row.fetchone() is not None

    def mark_complete(self, tree_oid: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO complete_trees VALUES (?)", (tree_oid,))

    def forget_complete(self) -> None:
        self.db.execute("DELETE FROM complete_trees")


def _enable_wal(db: sqlite3.Connection) -> None:
    """Switch to WAL, waiting for other processes doing the same.

    While a new index is being switched to WAL by one process, the switch fails at once in
    another ("database is locked": SQLite does not wait on its busy timeout here), so retry.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
